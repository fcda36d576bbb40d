"""The backups' record: when `flask submissions backup` last made a verified copy, and the alarm
`flask check` raises when none is recent (WEBAPP_BACKUP_MAX_AGE_HOURS). A nightly cron line that
fails says so only in cron's mail, which a host without a mail setup throws away."""

from datetime import datetime, timezone

from sqlite_utils import Database

from .db import immediate


def record(db: Database, file: str, submissions: int, now: float) -> None:
    with immediate(db):
        db.execute("INSERT INTO backups (made_at, file, submissions) VALUES (?, ?, ?)", [now, file, submissions])


def last(db: Database) -> dict | None:
    row = db.execute("SELECT made_at, file, submissions FROM backups ORDER BY made_at DESC LIMIT 1").fetchone()
    return dict(zip(("made_at", "file", "submissions"), row)) if row else None


def alarms(db: Database, now: float, max_hours: float) -> list[str]:
    """What `flask check` reports when the newest backup is older than `max_hours` (0: not checked)."""
    if not max_hours:
        return []
    newest = last(db)
    if newest is None:
        return [
            f"No backup has been made (WEBAPP_BACKUP_MAX_AGE_HOURS is {max_hours:g}): run `flask submissions backup`"
            " and check its cron line (README \"Backups\")."
        ]
    age = (now - newest["made_at"]) / 3600
    if age <= max_hours:
        return []
    made = datetime.fromtimestamp(newest["made_at"], timezone.utc).isoformat(timespec="seconds")
    return [
        f"The newest backup is {age:.3g} hours old ({made}, {newest['file']}), more than WEBAPP_BACKUP_MAX_AGE_HOURS"
        f" ({max_hours:g}): check the nightly cron line (README \"Backups\")."
    ]


def max_age_problems(app) -> list[str]:
    hours = app.config["BACKUP_MAX_AGE_HOURS"]
    if isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours < 0:
        return [f"WEBAPP_BACKUP_MAX_AGE_HOURS is {hours!r}; it must be a number of hours (0: not checked)."]
    return []
