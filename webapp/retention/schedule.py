"""The daily deletion and the weekly warning, run from every worker's mail sender, each exactly once.

The deletion runs once a Stockholm day, from midnight: the first sender to look that
day takes the day (a row in retention_runs) and deletes what is due, so a site that
was down at midnight deletes when it is back. A sender killed half-way loses the day
when its lease runs out, and another finishes it (each batch is complete in itself).
The warning goes once an ISO week, from the digest's hour on Monday (or later in the
week, after downtime), and only when something is due within WEBAPP_RETENTION_WARN_DAYS.
"""

from datetime import datetime, timedelta

from sqlite_utils import Database

from ..db import immediate
from ..mail import outbox
from . import days, rules as retention_rules
from .deletion import delete_due, due

LEASE_SECONDS = 600
WARNING = "retention_warning"


def _taken(db: Database, task: str, period: str, now: float) -> bool:
    """Whether `task` for `period` is done, or being done by a process whose lease still runs."""
    state = db.execute("SELECT finished_at, lease_until FROM retention_runs WHERE task = ? AND period = ?", [task, period]).fetchone()
    return state is not None and (state[0] is not None or state[1] > now)


def claim(db: Database, task: str, period: str, now: float) -> bool:
    """True when this process is to run `task` for `period`: nobody has, or whoever began it died."""
    if _taken(db, task, period, now):  # the usual answer, without the write lock
        return False
    with immediate(db):
        if _taken(db, task, period, now):  # again under the lock: another worker may have been first
            return False
        db.execute(
            "INSERT INTO retention_runs (task, period, started_at, lease_until) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (task, period) DO UPDATE SET lease_until = excluded.lease_until",
            [task, period, outbox.utc_iso(now), now + LEASE_SECONDS],
        )
    return True


def _set(db: Database, task: str, period: str, sets: str, params: list) -> None:
    with immediate(db):
        db.execute(f"UPDATE retention_runs SET {sets} WHERE task = ? AND period = ?", [*params, task, period])


def run_deletion(db: Database, rules, now: float) -> int | None:
    """Today's deletion, unless it has been run; returns how many were deleted (None: not this process's to run)."""
    day = days.today(now).isoformat()
    if not claim(db, "deletion", day, now):
        return None
    deleted = delete_due(db, rules, now, lambda _n: _set(db, "deletion", day, "lease_until = ?", [now + LEASE_SECONDS]))
    _set(db, "deletion", day, "count = ?, finished_at = ?", [deleted, outbox.utc_iso(now)])
    return deleted


def warning(db: Database, rules, day, warn_days: int) -> dict:
    """The warning's content on `day`: by reference only, what the next `warn_days` days delete."""
    until = day + timedelta(days=warn_days)
    return {
        "day": day.isoformat(),
        "until": until.isoformat(),
        "due": [{"reference": row["reference"], "day": row["day"], "rule": row["rule"]} for row in due(db, rules, until)],
    }


def queue_warning(db: Database, rules, now: float, hour: int, warn_days: int) -> bool:
    """Queue this week's warning if it is due and has not gone; True when one was queued."""
    local = datetime.fromtimestamp(now, days.STOCKHOLM)
    if local.weekday() == 0 and local.hour < hour:
        return False
    week = days.iso_week(local.date())
    if _taken(db, "warning", week, now):
        return False
    with immediate(db):  # the mail and the week's mark in one transaction: exactly one warning
        if _taken(db, "warning", week, now):
            return False
        content = warning(db, rules, local.date(), warn_days)
        if content["due"]:
            outbox.queue_office_mail(db, WARNING, now, content)
        db.execute(
            "INSERT INTO retention_runs (task, period, started_at, finished_at, count) VALUES ('warning', ?, ?, ?, ?)",
            [week, outbox.utc_iso(now), outbox.utc_iso(now), len(content["due"])],
        )
    if content["due"]:
        outbox.notify_senders()
    return bool(content["due"])


def tick(app, db: Database, now: float) -> None:
    """The sender's scheduled retention work: today's deletion, then this week's warning."""
    rules = retention_rules.of(app)
    if not rules:
        return
    run_deletion(db, rules, now)
    queue_warning(db, rules, now, int(app.config["MAIL_DIGEST_HOUR"]), int(app.config["RETENTION_WARN_DAYS"]))
