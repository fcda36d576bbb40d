"""What the staff area calls a message's state and its times, in the reader's language."""

from datetime import date, datetime

from babel import Locale, dates
from flask_babel import format_date, format_datetime, get_locale, get_timezone

from ..i18n import lazy_gettext as _l

STATE_NAMES = {
    "new": _l("new"),
    "registered": _l("registered"),
    "answered": _l("answered"),
    "closed": _l("closed"),
    "spam": _l("spam"),
}


def state_name(state: str) -> str:
    return str(STATE_NAMES.get(state, state))


def format_day(day: date | str) -> str:
    return format_date(date.fromisoformat(day) if isinstance(day, str) else day, "long")


def format_time(iso: str) -> str:
    """A stored UTC time as Gothenburg's clock showed it (the app's BABEL_DEFAULT_TIMEZONE)."""
    return format_datetime(datetime.fromisoformat(iso), "short")


def time_formatter():
    """format_time with the request's language and time zone looked up once, for a page of rows."""
    locale, tzinfo = get_locale(), get_timezone()
    return lambda iso: dates.format_datetime(datetime.fromisoformat(iso), "short", tzinfo=tzinfo, locale=locale)


def language_label(code: str) -> str:
    """A page language's name in the reader's language ("engelska" to a Swedish reader)."""
    return Locale.parse(code).get_display_name(get_locale()) or code
