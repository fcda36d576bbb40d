"""One-time sign-in links, the way in without the provider (`flask staff link`).

Whoever can run `flask` on the server already holds the database, so a link opens nothing new.
Opening the link only shows a button: a mail scanner fetching links cannot use one up. The
token is kept as its SHA-256; a link works once, within 15 minutes.
"""

import secrets

from sqlite_utils import Database

from ..db import immediate
from . import access_log
from .sessions import digest

LINK_SECONDS = 15 * 60


def create(db: Database, email: str, role: str, now: float) -> str:
    token = secrets.token_urlsafe(32)
    with immediate(db):
        db["staff_links"].insert({"id": digest(token), "email": email, "role": role, "created_at": now, "expires_at": now + LINK_SECONDS})
        access_log.write(db, access_log.Actor("operator", "flask staff link", None), "link_created", details={"for": email, "role": role}, at=now)
    return token


def usable(db: Database, token: str, now: float) -> dict | None:
    rows = list(db.query("SELECT * FROM staff_links WHERE id = ? AND used_at IS NULL AND expires_at > ?", [digest(token), now]))
    return rows[0] if rows else None


def redeem(db: Database, token: str, now: float) -> access_log.Actor | None:
    """The person the link signs in, once: a second use, or one after 15 minutes, gets None."""
    with immediate(db):
        link = usable(db, token, now)
        if link is None:
            return None
        db.execute("UPDATE staff_links SET used_at = ? WHERE id = ? AND used_at IS NULL", [now, link["id"]])
    return access_log.Actor("link:" + link["email"], link["email"], link["role"])
