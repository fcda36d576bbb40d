"""Holds: a message an admin has held (a request for the document, an appeal, a complaint) is never
deleted, whatever the rules say, until the hold is lifted. Who, when and why are kept with it."""

import time

from sqlite_utils import Database

from ..db import immediate
from ..mail.outbox import utc_iso

# The active hold of a submission `s` (the unique partial index allows one).
ACTIVE = "SELECT 1 FROM retention_holds h WHERE h.submission_id = s.id AND h.lifted_at IS NULL"


class HoldError(LookupError):
    pass


class NoSuchMessage(HoldError):
    pass


class NoReason(HoldError):
    pass


class AlreadyHeld(HoldError):
    pass


class NotHeld(HoldError):
    pass


def _submission_id(db: Database, reference: str) -> int:
    row = db.execute("SELECT id FROM submissions WHERE reference = ?", [reference.strip().upper()]).fetchone()
    if row is None:
        raise NoSuchMessage(f"No submission has the reference {reference}.")
    return row[0]


def hold(db: Database, reference: str, reason: str, by: str, now: float | None = None) -> dict:
    """Hold a message; HoldError if there is no such message or it is already held."""
    if not reason.strip():
        raise NoReason("A hold needs a reason (a request for the document, an appeal, a complaint).")
    with immediate(db):
        submission_id = _submission_id(db, reference)
        if active(db, submission_id):
            raise AlreadyHeld(f"{reference.upper()} is already held.")
        db.execute(
            "INSERT INTO retention_holds (submission_id, reason, held_by, held_at) VALUES (?, ?, ?, ?)",
            [submission_id, reason.strip(), by, utc_iso(now or time.time())],
        )
    return active(db, submission_id)


def unhold(db: Database, reference: str, by: str, now: float | None = None) -> dict:
    """Lift a message's hold; returns it. HoldError if it is not held."""
    with immediate(db):
        submission_id = _submission_id(db, reference)
        held = active(db, submission_id)
        if held is None:
            raise NotHeld(f"{reference.upper()} is not held.")
        db.execute(
            "UPDATE retention_holds SET lifted_by = ?, lifted_at = ? WHERE id = ?", [by, utc_iso(now or time.time()), held["id"]]
        )
    return history(db, submission_id)[-1]


def active(db: Database, submission_id: int) -> dict | None:
    rows = list(db["retention_holds"].rows_where("submission_id = ? AND lifted_at IS NULL", [submission_id]))
    return rows[0] if rows else None


def history(db: Database, submission_id: int) -> list[dict]:
    """Every hold of a message, set and lifted, oldest first."""
    return list(db["retention_holds"].rows_where("submission_id = ?", [submission_id], order_by="id"))


def held(db: Database) -> list[dict]:
    """The active holds, with their messages' references, oldest first."""
    rows = db.execute(
        "SELECT s.reference, h.reason, h.held_by, h.held_at FROM retention_holds h JOIN submissions s ON s.id = h.submission_id"
        " WHERE h.lifted_at IS NULL ORDER BY h.id"
    )
    return [dict(zip(("reference", "reason", "held_by", "held_at"), row)) for row in rows]
