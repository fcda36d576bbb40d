"""What the staff area deletes by itself, from the mail sender's once-a-minute round: access-log rows
older than WEBAPP_STAFF_LOG_DAYS (the log is personal data too), and sessions and links that
have been over for a day (kept that long so an "ended" answer can still be told apart)."""

from sqlite_utils import Database

from ..db import immediate
from . import access_log, clock
from .links import LINK_SECONDS
from .sessions import ABSOLUTE_SECONDS

DAY = 86400


def tick(app, db: Database, now: float) -> None:
    days = int(app.config["STAFF_LOG_DAYS"])
    if db.execute("SELECT 1 FROM staff_log WHERE at < ? LIMIT 1", [clock.iso(now - days * DAY)]).fetchone():
        access_log.expire(db, days, now)
    over = "(ended_at < ? OR created_at < ?)"
    if db.execute(f"SELECT 1 FROM staff_sessions WHERE {over} LIMIT 1", [now - DAY, now - ABSOLUTE_SECONDS - DAY]).fetchone():
        with immediate(db):
            db.execute(f"DELETE FROM staff_sessions WHERE {over}", [now - DAY, now - ABSOLUTE_SECONDS - DAY])
    if db.execute("SELECT 1 FROM staff_links WHERE created_at < ? LIMIT 1", [now - LINK_SECONDS - DAY]).fetchone():
        with immediate(db):
            db.execute("DELETE FROM staff_links WHERE created_at < ?", [now - LINK_SECONDS - DAY])
