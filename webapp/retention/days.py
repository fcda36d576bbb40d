"""Retention is counted in Europe/Stockholm calendar days, whatever the clocks do.

A message kept 30 days from a moment on 1 March (Stockholm's date) is deleted on
31 March, however many hours those days had: a change to or from summer time makes
a day 23 or 25 hours long, never shifts the date.
"""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def today(now: float) -> date:
    """Stockholm's date at the epoch time `now`."""
    return datetime.fromtimestamp(now, STOCKHOLM).date()


def day_of(iso: str) -> date:
    """Stockholm's date of a stored UTC time."""
    return datetime.fromisoformat(iso).astimezone(STOCKHOLM).date()


def due_day(counted_from: str, keep_days: int) -> date:
    """The day a message counted from `counted_from` is deleted."""
    return day_of(counted_from) + timedelta(days=keep_days)


def cutoff(day: date, keep_days: int) -> str:
    """Messages counted from before this stored time are due on `day` (or earlier).

    due_day(t) <= day  <=>  day_of(t) <= day - keep_days  <=>  t is before the
    Stockholm midnight that starts day - keep_days + 1.
    """
    midnight = datetime.combine(day - timedelta(days=keep_days - 1), time(0), STOCKHOLM)
    return midnight.astimezone(timezone.utc).isoformat(timespec="seconds")


def iso_week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"
