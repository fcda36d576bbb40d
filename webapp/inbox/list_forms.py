"""The inbox list's forms: the filters (a GET form, no token: it changes nothing) and the bulk action."""

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SearchField, SelectField
from wtforms.validators import Length, Optional, ValidationError

from ..i18n import lazy_gettext as _l, published
from .cases import STATES
from .listing import Filter
from .names import language_label, state_name

SORTS = ("newest", "oldest")
# Each word of a search is a term of its own: a page of pasted text would be a query of hundreds.
Q_MAX = 200
# The years a filter's day may have: the first and last days of the calendar have no day after or before them.
YEARS = (1900, 9998)
# The actions a registrar may apply to ticked rows, and the button that asks for each.
BULK_ACTIONS = {"spam": _l("Mark as spam"), "not_spam": _l("Not spam"), "closed": _l("Mark as closed")}


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # a search changes nothing; its URL is a bookmark

    q = SearchField(
        _l("Search"),
        description=_l("Words in the text, an address or a reference"),
        filters=[lambda v: (v or "").strip()],
        validators=[Length(max=Q_MAX, message=_l("Search with at most %(num)d characters", num=Q_MAX))],
    )
    state = SelectField(
        _l("State"),
        choices=lambda: [("", _l("All states")), *((s, state_name(s)) for s in STATES)],
        default="",
        invalid_choice_message=_l("Choose a state from the list"),
    )
    received_from = DateField(
        _l("Received from"), name="from", validators=[Optional()], invalid_value_message=_l("Enter the first day as a date, like 2026-12-01")
    )
    received_to = DateField(
        _l("Received to"), name="to", validators=[Optional()], invalid_value_message=_l("Enter the last day as a date, like 2026-12-31")
    )
    language = SelectField(
        _l("Language of the page"),
        choices=lambda: [("", _l("All languages")), *((code, language_label(code)) for code in published())],
        default="",
        invalid_choice_message=_l("Choose a language from the list"),
    )
    sort = HiddenField(filters=[lambda v: v or "newest"])  # from the list's header, checked with the page's link

    def __init__(self, args):
        super().__init__(formdata=args)

    def validate_received_from(self, field):
        if field.data and not YEARS[0] <= field.data.year <= YEARS[1]:
            raise ValidationError(field.invalid_value_message)

    def validate_received_to(self, field):
        self.validate_received_from(field)
        if field.data and self.received_from.data and field.data < self.received_from.data:
            raise ValidationError(_l("The last day is before the first day"))

    @property
    def filter(self) -> Filter:
        return Filter(
            status=self.state.data or None,
            received_from=self.received_from.data,
            received_to=self.received_to.data,
            locale=self.language.data or None,
            q=self.q.data or "",
        )

    @property
    def newest_first(self) -> bool:
        return self.sort.data != "oldest"

    def args(self, **changed) -> dict:
        """The filter as URL arguments, without the empty ones (the list's links keep it)."""
        day = lambda d: d.isoformat() if d else None  # noqa: E731
        values = {
            "q": self.q.data,
            "state": self.state.data,
            "from": day(self.received_from.data),
            "to": day(self.received_to.data),
            "language": self.language.data,
            "sort": None if self.newest_first else "oldest",
            **changed,
        }
        return {k: v for k, v in values.items() if v}


class BulkForm(FlaskForm):
    """The ticked rows' checkboxes (reference:version seen) and the action's button: read from
    the request as sent, since the rows are the page's, not the form's."""
