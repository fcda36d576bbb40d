"""The contact form: the single source of validation for the page, htmx and the no-JS path."""

import re
import secrets
import uuid
from functools import cache, cached_property

from babel.support import Translations
from flask_babel import format_number, get_locale, ngettext
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField, TextAreaField
from wtforms.i18n import messages_path
from wtforms.fields.core import UnboundField
from wtforms.validators import ValidationError

from . import time_trap
from ..mail.messages import visitor_address
from ..i18n import lazy_gettext as _l

MESSAGE_MAX = 5000
EMAIL_MAX = 254

# Control characters have no place in a letter to the city; tab and line feed do.
# (Carriage returns are already line feeds by the time this runs.)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

EMAIL_FORMAT_ERROR = _l("Enter an e-mail address in the correct format, like name@example.com")


def normalise_message(value: str | None) -> str:
    """The text as we store and count it: line breaks as LF, no surrounding white space.

    The browser's character count (static/contact.js) does exactly the same, so
    both agree on the length: code points after this normalisation.
    """
    if value is None:
        return ""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def strip(value: str | None) -> str:
    return value.strip() if value else ""


def new_form_key() -> str:
    return secrets.token_hex(16)  # 32 hex digits, as a UUID's; a quarter of uuid4()'s time


@cache
def wtforms_translations(locale: str) -> Translations:
    """WTForms' own messages in a language, read from disk once per process."""
    return Translations.load(messages_path(), [locale], domain="wtforms")


def vars_of(cls: type):
    """Every class attribute, inherited ones included (a subclass may add a field)."""
    return ((name, getattr(cls, name)) for name in dir(cls) if not name.startswith("__"))


class ContactForm(FlaskForm):
    MESSAGE_MAX = MESSAGE_MAX

    class Meta:
        # No token and no session: web/cross_origin.py refuses forms sent from other sites.
        csrf = False

        # Flask-WTF would load and parse this catalog again for every form.
        def get_translations(self, form):
            return wtforms_translations(str(get_locale()))

    email = EmailField(
        _l("E-mail address (optional)"),
        description=_l("Fill in your e-mail address if you would like a reply."),
        filters=[strip],
        # An address reads left to right in every language (UAX #9 would turn it in an Arabic page).
        render_kw={"autocomplete": "email", "spellcheck": "false", "dir": "ltr"},
    )
    message = TextAreaField(
        _l("Ask a question or leave a comment."),
        # TRANSLATORS: %(max)s is the limit, written without a thousands separator (5000).
        description=_l("Describe your matter in as much detail as possible. Max %(max)s characters.", max=MESSAGE_MAX),
        filters=[normalise_message],
        # The visitor's text takes the direction of its first letters, whatever the page's (Arabic on /sv/).
        render_kw={"rows": 8, "dir": "auto"},
    )
    # A fresh key per rendered form: resending the same form stores one row.
    form_key = HiddenField(default=new_form_key)
    # Set once a submit has been tried, so inline checks may then say "required".
    attempted = HiddenField()
    # When the visitor first got the form, signed with its form key; kept through re-renders (the time trap).
    served = HiddenField()
    # Hidden from people and assistive technology; bots fill it in.
    website = StringField(_l("Leave this field empty"), filters=[strip])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted():  # a new form: its stamp goes with its key
            self.served.data = time_trap.stamp(self.form_key.data)

    def validate_message(self, field):
        if not field.data:
            raise ValidationError(_l("Enter your message"))
        if CONTROL_CHARACTERS.search(field.data):
            raise ValidationError(_l("Your message contains characters that cannot be saved. Remove them and try again."))
        excess = len(field.data) - MESSAGE_MAX
        if excess > 0:
            raise ValidationError(
                ngettext(
                    "Your message is %(count)s character too long",
                    "Your message is %(count)s characters too long",
                    excess,
                    count=format_number(excess),
                )
            )

    def validate_email(self, field):
        if not field.data:
            return
        if "\r" in field.data or "\n" in field.data or len(field.data) > EMAIL_MAX or visitor_address(field.data) is None:
            raise ValidationError(EMAIL_FORMAT_ERROR)

    def validate_form_key(self, field):
        try:
            uuid.UUID(hex=field.data)
        except (TypeError, ValueError):
            raise ValidationError(_l("The form could not be read. Send your message again.")) from None

    @cached_property
    def trap_verdict(self) -> str:
        """The time trap's verdict on the form as it was sent (read once: both properties below ask)."""
        return time_trap.judge(self.served.data, self.form_key.data)

    @property
    def is_spam(self) -> bool:
        return bool(self.website.data) or self.trap_verdict == time_trap.SPAM

    @property
    def send_again(self) -> bool:
        """The time trap cannot tell (its stamp does not verify, or the page was served more than
        a day ago): the visitor sends again, with a stamp that verifies."""
        return not self.website.data and self.trap_verdict == time_trap.AGAIN

    @staticmethod
    def _visible(name: str, field_class: type) -> bool:
        return field_class.__name__ != "HiddenField" and name != "website"

    @property
    def visible_fields(self):
        """The fields a visitor fills in, in the order declared above: the page's order,
        which the error summary follows. Each has its inline check, each is stored, and the
        office's mail shows each."""
        return [field for field in self if self._visible(field.name, type(field))]

    @classmethod
    def field_labels(cls) -> dict:
        """The visible fields' names and labels in their order, without a form or a request
        (the mail sender has neither)."""
        declared = sorted(
            ((name, value) for name, value in vars_of(cls) if isinstance(value, UnboundField)),
            key=lambda item: item[1].creation_counter,
        )
        return {name: unbound.args[0] for name, unbound in declared if cls._visible(name, unbound.field_class)}

    @property
    def submission(self) -> dict[str, str]:
        """What is stored: each visible field's value under its name (its column's name)."""
        return {field.name: field.data for field in self.visible_fields}
