"""What the staff area calls a message's state and its times, in the reader's language."""

from datetime import date, datetime, timezone
from functools import cache

from babel import Locale
from babel.dates import DateTimePattern, get_date_format, get_datetime_format, get_time_format, parse_pattern
from flask_babel import format_date, get_locale, get_timezone

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


@cache
def _short_pattern(locale: str) -> DateTimePattern:
    """A locale's short date and short time as one pattern, joined as Babel's format_datetime joins them."""
    parsed = Locale.parse(locale)
    joined = get_datetime_format("short", locale=parsed)
    joined = joined.replace("{1}", get_date_format("short", locale=parsed).pattern)
    return parse_pattern(joined.replace("{0}", get_time_format("short", locale=parsed).pattern))


def time_formatter():
    """format_time for many times in this request's language: Babel's format_datetime looks the
    locale's patterns up again on every call, a third of the time a row of the list took."""
    locale, zone = get_locale(), get_timezone()
    pattern = _short_pattern(str(locale))

    def formatted(iso: str) -> str:
        moment = datetime.fromisoformat(iso)
        return pattern.apply((moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(zone), locale)

    return formatted


def format_time(iso: str) -> str:
    """A stored UTC time as Gothenburg's clock showed it (the app's BABEL_DEFAULT_TIMEZONE)."""
    return time_formatter()(iso)


def language_label(code: str) -> str:
    """A page language's name in the reader's language ("engelska" to a Swedish reader)."""
    return Locale.parse(code).get_display_name(get_locale()) or code
