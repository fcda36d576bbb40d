"""The mails, built with the standard library's email package from an outbox row and its submission.

Built anew for every attempt, from the same row: the same Message-ID and Date each time.
Texts come from the catalogs in the reader's language: the office's for the
notification and the digest, the page's for the visitor's receipt.
"""

import hashlib
import json
from datetime import date, datetime
from email import policy
from email.headerregistry import Address, HeaderRegistry
from email.message import EmailMessage
from email.utils import parseaddr
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale, gettext as _, ngettext

from .. import content
from ..content import STOCKHOLM
from ..i18n.bidi import isolated
from .transport import PermanentFailure


class _FoldedOnce:
    """A header kept from mail to mail (see HeaderClasses) is folded once per policy: folding
    walks its parse tree again each time, a third of the time it takes to build a mail."""

    def fold(self, *, policy):
        folded = self.__dict__.setdefault("_folded", {})
        if policy not in folded:
            folded[policy] = super().fold(policy=policy)
        return folded[policy]


class HeaderClasses(HeaderRegistry):
    """The standard registry makes a new class for every header it parses (a third of the
    time it takes to build a mail); make each one once. And a header given as text, the same
    in every mail (Content-Type, MIME-Version, Auto-Submitted, Content-Language), is parsed
    once and kept: header objects are immutable, so mails may share them."""

    def __init__(self):
        super().__init__()
        self.made = {}
        self.parsed = lru_cache(maxsize=256)(super().__call__)

    def __getitem__(self, name):
        key = name.lower()
        if key not in self.made:
            made = super().__getitem__(name)
            self.made[key] = type(made.__name__, (_FoldedOnce, made), {})
        return self.made[key]

    def __call__(self, name, value):
        return self.parsed(name, value) if isinstance(value, str) else super().__call__(name, value)


POLICY = policy.default.clone(header_factory=HeaderClasses())


@lru_cache(maxsize=1024)
def visitor_address(value: str | None) -> tuple[Address, bool] | None:
    """The visitor's address with its domain in IDNA form, and whether its local part needs SMTPUTF8,
    or None when it is not an address (the form's check). Kept: a POST, its receipt cap and its mails
    each ask about the same address, and email_validator took a tenth of a POST's time."""
    if not value:
        return None
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return None
    return Address(username=checked.local_part, domain=checked.ascii_domain), checked.ascii_email is None


def forget_visitors() -> None:
    """Empty the caches that hold visitors' addresses (visitor_address's, and the kept headers:
    a receipt's To, a notification's Reply-To). They serve one POST and the mails built just after
    it; a worker could otherwise keep an address in memory for months, past the retention rules
    that deleted its message. Each sender calls this once a minute (sender.run_scheduled)."""
    visitor_address.cache_clear()
    POLICY.header_factory.parsed.cache_clear()


def mailbox_key(value: str) -> str:
    """One key for every spelling of a mailbox (the receipt cap counts by it): the address as the
    sender delivers to it, email_validator's local part and ASCII domain (full-width letters and
    other full stops mapped), case-folded and without a +subaddress. Hashed: the outbox row
    that keeps it holds no address to read."""
    visitor = visitor_address(value)
    local, domain = (visitor[0].username, visitor[0].domain) if visitor else value.rpartition("@")[::2]
    local = local.split("+", 1)[0] or local
    return hashlib.sha256(f"{local}@{domain}".casefold().encode("utf-8", "surrogatepass")).hexdigest()


def configured_address(name: str) -> Address | None:
    """An address from the configuration ("Name <a@b>" or "a@b"); the operator's, so trusted."""
    display, spec = parseaddr(current_app.config[name] or "")
    if "@" not in spec:
        return None
    local, _at, domain = spec.rpartition("@")
    return Address(display_name=display, username=local, domain=domain.encode("idna").decode("ascii"))


def received(iso: str, lang: str) -> str:
    """When a message arrived, in Stockholm time, as CLDR writes it in `lang` (weekday, date, time, zone)."""
    return format_datetime(datetime.fromisoformat(iso), "full", tzinfo=STOCKHOLM, locale=lang)


def staff_link(path: str) -> str | None:
    """A link into the staff area (it opens nothing without signing in). Mail is built
    outside any request, so the site's address is WEBAPP_PUBLIC_URL's; without it (mail to
    files, `make dev`) there is no address to link to, and None."""
    public = current_app.config["PUBLIC_URL"].rstrip("/")
    return f"{public}/staff/{path}" if public else None


def set_text(msg: EmailMessage, lines: list[str], lang: str) -> None:
    # Base64 of the canonical CRLF form: set_content(str) would split the text at
    # U+2028, U+0085 and the like, and the message must arrive exactly as stored.
    text = "\n".join(lines) + "\n"
    msg.set_content(text.replace("\n", "\r\n").encode("utf-8"), "text", "plain", cte="base64", params={"charset": "utf-8"})
    msg["Content-Language"] = lang  # after set_content, which replaces every Content-* header


def describe_form(app, labels: dict) -> None:
    """The form's visible fields and their labels, in the page's order (the contact form
    tells the mail at start-up: mail/ does not import contact/). The notification shows each."""
    app.extensions[__name__] = dict(labels)


def other_fields(row: dict) -> list[tuple[str, str | None]]:
    """The form's fields beyond the address and the text, each with its label, for the office."""
    labels = current_app.extensions.get(__name__, {})
    return [(label, row["submission"].get(name)) for name, label in labels.items() if name not in ("email", "message")]


def notification(row: dict, msg: EmailMessage, smtputf8: bool) -> bool:
    """The office's copy of a submission, with every field of the form; True when it needs SMTPUTF8."""
    lang = current_app.config["MAIL_OFFICE_LANGUAGE"]
    reference = row["reference"]
    visitor = visitor_address(row["email"])
    reply_to = visitor if visitor and (smtputf8 or not visitor[1]) else None
    with force_locale(lang):
        # TRANSLATORS: subject of the e-mail to the office's registry, which sorts by it; keep the reference last.
        msg["Subject"] = _("Message via goteborg.se, International relations: %(reference)s", reference=reference)
        if reply_to:
            msg["Reply-To"] = reply_to[0]
        lines = [
            _("A message has arrived through the contact form on the International relations page."),
            "",
            # Isolated should the office read a right-to-left language (the subject stays as the registry sorts it).
            _("Reference: %(reference)s", reference=isolated(reference, lang)),
            _("Received: %(time)s", time=received(row["received_at"], lang)),
            _("Language of the page: %(language)s", language=Locale.parse(row["locale"]).get_display_name(lang)),
        ]
        if not row["email"]:
            lines.append(_("The sender gave no e-mail address."))
        else:
            lines.append(_("The sender's e-mail address: %(address)s", address=isolated(row["email"], lang)))
            if not reply_to:
                lines.append(_("Reply cannot be used for this address here: copy it into a new message to answer."))
        for label, value in other_fields(row):
            # TRANSLATORS: a field of the contact form in the office's mail, e.g. "Name (optional): Åsa".
            lines.append(_("%(label)s: %(value)s", label=label, value=value or "–"))
        if link := staff_link(f"messages/{reference}"):
            lines.append(_("Handle it in the staff area: %(link)s", link=isolated(link, lang)))
        lines += [
            "",
            _("The message:"),
            "",
            row["submission"]["message"],
        ]
    set_text(msg, lines, lang)
    return bool(reply_to and reply_to[1])


def receipt(row: dict, msg: EmailMessage, smtputf8: bool) -> bool:
    """The visitor's receipt: never their text, which nobody has checked is theirs to send to this address."""
    visitor = visitor_address(row["email"])
    if visitor is None:
        raise PermanentFailure("the address given cannot be written in a mail")
    if visitor[1] and not smtputf8:
        raise PermanentFailure("the address needs SMTPUTF8, which the SMTP server does not offer")
    lang = row["locale"]
    with force_locale(lang):
        # TRANSLATORS: subject of the automatic receipt e-mailed to the visitor.
        msg["Subject"] = _("We have received your message: %(reference)s", reference=row["reference"])
        msg["To"] = visitor[0]
        lines = [
            _("Thank you! We have received your message."),
            "",
            _("Your message to the City of Gothenburg’s City Executive Office arrived on %(time)s.", time=received(row["received_at"], lang)),
            _("Your reference number is %(reference)s.", reference=isolated(row["reference"], lang)),
            "",
            _("We will reply to this e-mail address. Quote the reference number if you contact us about this matter."),
            _("For urgent matters, call Gothenburg’s contact centre on %(phone)s.", phone=isolated(content.PHONE_DISPLAY, lang)),
            "",
            _("This is an automatic message. If you did not write to us, you can ignore it."),
            "",
            _("City of Gothenburg, City Executive Office"),
        ]
    set_text(msg, lines, lang)
    return visitor[1]


def digest(row: dict, msg: EmailMessage, smtputf8: bool) -> bool:
    """The office's daily list of what was held back as spam: references only, never content."""
    lang = current_app.config["MAIL_OFFICE_LANGUAGE"]
    references = json.loads(row["data"])["references"]
    count = len(references)
    with force_locale(lang):
        # TRANSLATORS: subject of the office's daily summary of messages held back as spam.
        msg["Subject"] = ngettext(
            "%(num)s message held back as spam: International relations",
            "%(num)s messages held back as spam: International relations",
            count,
        )
        lines = [
            ngettext(
                "Since the last summary, %(num)s message sent through the contact form on the International relations page was held back as probable spam and was not forwarded:",
                "Since the last summary, %(num)s messages sent through the contact form on the International relations page were held back as probable spam and were not forwarded:",
                count,
            ),
            "",
            *references,
            "",
            _("If one of them is a real message, open it in the staff area's list of spam and choose “Not spam”. It is then forwarded to this mailbox like any other message."),
            "",
            # The list's own filter name (inbox/list_forms.py): the view of what was held back.
            *([f"    {link}", ""] if (link := staff_link("?state=spam")) else []),
            _("The content of the messages is never included in this summary."),
        ]
    set_text(msg, lines, lang)
    return False


def retention_warning(row: dict, msg: EmailMessage, smtputf8: bool) -> bool:
    """The office's weekly list of what the archive rules delete soon: references only, never content."""
    lang = current_app.config["MAIL_OFFICE_LANGUAGE"]
    data = json.loads(row["data"])
    count = len(data["due"])
    with force_locale(lang):
        # TRANSLATORS: subject of the office's weekly list of messages the archive rules will delete soon.
        msg["Subject"] = ngettext(
            "%(num)s message to be deleted soon: International relations",
            "%(num)s messages to be deleted soon: International relations",
            count,
        )
        lines = [
            ngettext(
                "Under the archive rules, %(num)s message sent through the contact form on the International relations page will be deleted by %(date)s:",
                "Under the archive rules, %(num)s messages sent through the contact form on the International relations page will be deleted by %(date)s:",
                count,
                date=long_date(data["until"], lang),
            ),
            "",
            *(
                _("%(reference)s: deleted on %(date)s, rule: %(rule)s", reference=due["reference"], date=long_date(due["day"], lang), rule=due["rule"])
                for due in data["due"]
            ),
            "",
            _("To keep one of them (a request for the document, an appeal, a complaint), hold it before that day, on the server with a command like the one below, with its reference and the reason. A held message is not deleted until the hold is lifted."),
            "",
            f"    flask retention hold {data['due'][0]['reference']} --reason \"...\"",
            "",
            _("The content of the messages is never included in this summary."),
        ]
    set_text(msg, lines, lang)
    return False


def long_date(iso_day: str, lang: str) -> str:
    return format_date(date.fromisoformat(iso_day), "long", locale=lang)


def message_id(reference: str | None, row: dict) -> str:
    """The same for every attempt at one outbox row, so the registry can recognise a repeat."""
    sender = configured_address("MAIL_DEFAULT_SENDER")
    return f"<{reference or 'digest'}.{row['kind']}.{row['token']}@{sender.domain if sender else 'localhost'}>"
