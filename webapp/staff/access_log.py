"""The access log: every staff event (sign-in and out, refusals, each list, search, look, export and
change), append-only, never with a message's text. Kept WEBAPP_STAFF_LOG_DAYS, then deleted."""

import json
from dataclasses import dataclass

from flask import g
from sqlite_utils import Database

from ..db import get_db, immediate
from ..i18n import lazy_gettext as _l
from . import clock

# What the staff area shows for each action (a feature logging another adds its name here).
ACTION_NAMES = {
    "signin": _l("Signed in"),
    "signin_refused": _l("Sign-in refused"),
    "signout": _l("Signed out"),
    "session_ended": _l("Session ended"),
    "refused": _l("Refused: the role does not allow it"),
    "link_created": _l("Sign-in link made"),
    "log_viewed": _l("Read the access log"),
    "rate_limited": _l("Refused: too many sign-in attempts"),
}


def action_name(action: str) -> str:
    return str(ACTION_NAMES.get(action, action))


@dataclass(frozen=True)
class Actor:
    sub: str  # the provider's subject, or "link:<address>" for a sign-in link
    name: str
    role: str | None


ANONYMOUS = Actor("anonymous", "", None)


def write(db: Database, actor: Actor, action: str, references=(), details: dict | None = None, at: float | None = None) -> None:
    """One row, in the caller's transaction when it has one (a change and its log row commit together)."""
    db.execute(
        "INSERT INTO staff_log (at, actor, actor_name, role, action, refs, details) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            clock.iso(clock.now() if at is None else at),
            actor.sub,
            actor.name,
            actor.role,
            action,
            json.dumps(list(references), ensure_ascii=False),
            json.dumps(details or {}, ensure_ascii=False, sort_keys=True),
        ],
    )


def record(action: str, references=(), details: dict | None = None, actor: Actor | None = None) -> None:
    """Log an event of this request, by the signed-in person unless `actor` says otherwise."""
    db = get_db()
    with immediate(db):
        write(db, actor or g.get("staff") or ANONYMOUS, action, references, details)


def entries(
    db: Database, since: str | None = None, actor: str | None = None, reference: str | None = None, newest: int | None = None
) -> list[dict]:
    """Rows oldest first, or the `newest` ones newest first; `since` an ISO date or time (UTC),
    `actor` matches the subject or the name."""
    where, params = [], []
    if since:
        where.append("at >= ?")
        params.append(since)
    if actor:
        where.append("(actor = ? OR actor_name = ? COLLATE NOCASE)")
        params += [actor, actor]
    if reference:
        where.append("EXISTS (SELECT 1 FROM json_each(refs) WHERE value = ?)")
        params.append(reference)
    sql = "SELECT * FROM staff_log" + (" WHERE " + " AND ".join(where) if where else "")
    if newest:
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(newest)
    else:
        sql += " ORDER BY id"
    return [as_entry(row) for row in db.query(sql, params)]


def as_entry(row: dict) -> dict:
    return {
        "time": row["at"],
        "actor": row["actor"],
        "actor_name": row["actor_name"],
        "role": row["role"],
        "action": row["action"],
        "references": json.loads(row["refs"]),
        "details": json.loads(row["details"]),
    }


def expire(db: Database, days: int, now: float) -> int:
    """Delete what is older than `days`; returns how many rows went."""
    with immediate(db):
        return db.execute("DELETE FROM staff_log WHERE at < ?", [clock.iso(now - days * 86400)]).rowcount
