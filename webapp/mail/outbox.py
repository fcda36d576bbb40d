"""The transactional outbox: mail to send, queued with its submission, claimed by senders with a lease.

A row holds no copy of the message or the visitor's address: the mail is built
from the submission each time it is sent (webapp/mail/messages.py), with the
same Message-ID, so a repeat after a crash can be recognised.

Kinds: see webapp/mail/kinds.py. States: queued -> sent | failed | skipped. A queued row is "claimed" while its
lease_until lies in the future; a sender that dies loses its claim when the
lease runs out and another sender takes the row again.
"""

import json
import secrets
import threading
import time
from datetime import datetime, timezone

from sqlite_utils import Database

from ..content import STOCKHOLM
from ..db import immediate
from . import kinds, messages

STATES = ("queued", "sent", "failed", "skipped")
# Receipts to one address in 24 hours; more would let anybody flood a stranger's inbox.
RECEIPTS_PER_DAY = 3

# Set when this process queues mail, so its sender thread need not wait for its next poll.
_wakeup = threading.Event()


def notify_senders() -> None:
    """Call after a commit that queued mail, so this process's sender finds it at once."""
    _wakeup.set()


def wait_for_mail(seconds: float) -> None:
    """The sender's poll: returns when mail was queued in this process, or after `seconds`."""
    _wakeup.wait(seconds)
    _wakeup.clear()


def utc_iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds")


def epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def _insert(db: Database, kind: str, submission_id: int | None, now: float, *, status="queued", error=None, data=None, recipient_key=None):
    db.execute(
        "INSERT INTO outbox (submission_id, kind, status, token, created_at, queued_at, due_at, last_error, data, recipient_key)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [submission_id, kind, status, secrets.token_hex(8), utc_iso(now), now, now, error, data, recipient_key],
    )


# Run under the write lock of every stored form with an address: the terms are those of the
# partial index outbox_receipts_to (db.m005), so only this mailbox's counted receipts of the
# day are read, never the skipped ones, nor anybody else's.
RECEIPTS_TO = (
    "SELECT count(*) FROM outbox WHERE recipient_key = ? AND created_at >= ? AND kind = 'receipt' AND status != 'skipped'"
)


def receipts_to(db: Database, email: str, since: float) -> int:
    """Receipts queued or sent to this mailbox, however its address was spelt, since `since`
    (skipped ones do not count)."""
    return db.execute(RECEIPTS_TO, [messages.mailbox_key(email), utc_iso(since)]).fetchone()[0]


def queue_for_submission(db: Database, submission_id: int, email: str | None, *, receipt: bool = True) -> None:
    """Queue the office's notification and, when an address was given, the receipt.

    Runs inside the caller's transaction, the one that stores the submission.
    """
    now = time.time()
    _insert(db, "notification", submission_id, now)
    if not (email and receipt):
        return
    key = messages.mailbox_key(email)
    if receipts_to(db, email, now - 24 * 3600) >= RECEIPTS_PER_DAY:
        _insert(
            db, "receipt", submission_id, now, status="skipped", recipient_key=key,
            error=f"more than {RECEIPTS_PER_DAY} receipts to this address in 24 hours",
        )
    else:
        _insert(db, "receipt", submission_id, now, recipient_key=key)


def hold_for_digest(db: Database, submission_id: int) -> None:
    """Spam held back: the next digest lists it. In the caller's transaction, the one that stores it."""
    db.execute("INSERT INTO digest_pending (submission_id) VALUES (?)", [submission_id])


def _digest_due(db: Database, now: float, hour: int) -> tuple[dict, list[int]] | None:
    """The digest to queue now, if one is due: what was held back since the previous one, and
    the rows of digest_pending it takes (a submission released meanwhile is not listed)."""
    local = datetime.fromtimestamp(now, STOCKHOLM)
    if local.hour < hour:
        return None
    day = local.date().isoformat()
    last = db.execute("SELECT data FROM outbox WHERE kind = 'digest' ORDER BY id DESC LIMIT 1").fetchone()
    if last and json.loads(last[0]).get("day") == day:
        return None
    pending = db.execute(
        "SELECT d.submission_id, s.reference, s.status FROM digest_pending d JOIN submissions s ON s.id = d.submission_id"
        " ORDER BY d.submission_id"
    ).fetchall()
    held = [reference for _id, reference, status in pending if status == "spam"]
    if not held:
        return None
    return {"day": day, "references": held}, [row[0] for row in pending]


def queue_digest(db: Database, now: float, hour: int) -> bool:
    """Queue the day's digest of spam held back, once a day from `hour` (Stockholm time) on,
    and only when something was held back since the previous one. True when one was queued."""
    if _digest_due(db, now, hour) is None:  # the usual answer, without taking the write lock
        return False
    with immediate(db):
        due = _digest_due(db, now, hour)  # again under the lock: another sender may have been first
        if due:
            digest, taken = due
            _insert(db, "digest", None, now, data=json.dumps(digest))
            db.conn.executemany("DELETE FROM digest_pending WHERE submission_id = ?", [(row_id,) for row_id in taken])
    notify_senders()
    return due is not None


def queue_office_mail(db: Database, kind: str, now: float, data: dict) -> None:
    """A mail to the office about no one submission (the retention warning), in the caller's transaction."""
    _insert(db, kind, None, now, data=json.dumps(data))


def has_due(db: Database, now: float) -> bool:
    return bool(
        db.execute(
            "SELECT 1 FROM outbox WHERE status = 'queued' AND due_at <= ? AND (lease_until IS NULL OR lease_until <= ?) LIMIT 1",
            [now, now],
        ).fetchone()
    )


# What a sender needs to build a mail: the row, and what it says of its submission; the
# submission itself, every column, is attached by `with_submissions`.
CLAIMED = (
    "SELECT o.id, o.kind, o.token, o.created_at, o.queued_at, o.attempts, o.data, o.submission_id, s.reference, s.locale,"
    " s.email, s.created_at AS received_at FROM outbox o LEFT JOIN submissions s ON s.id = o.submission_id"
)


def with_submissions(db: Database, rows: list[dict]) -> list[dict]:
    """Each row with its submission as stored (all the form's fields, whatever they are) under "submission"."""
    ids = sorted({row["submission_id"] for row in rows if row["submission_id"] is not None})
    marks = ",".join("?" * len(ids))
    stored = {s["id"]: s for s in db["submissions"].rows_where(f"id IN ({marks})", ids)} if ids else {}
    return [{**row, "submission": stored.get(row["submission_id"])} for row in rows]


def claim(db: Database, owner: str, now: float, lease_seconds: float, limit: int) -> list[dict]:
    """Take up to `limit` due rows for `owner` until now + lease_seconds; oldest first."""
    if not has_due(db, now):  # five workers' senders look often: no write lock for nothing
        return []
    with immediate(db):
        ids = [
            row[0]
            for row in db.execute(
                "SELECT id FROM outbox WHERE status = 'queued' AND due_at <= ? AND (lease_until IS NULL OR lease_until <= ?)"
                " ORDER BY due_at, id LIMIT ?",
                [now, now, limit],
            )
        ]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        db.execute(
            f"UPDATE outbox SET lease_until = ?, lease_owner = ?, attempts = attempts + 1 WHERE id IN ({marks})",
            [now + lease_seconds, owner, *ids],
        )
        cursor = db.execute(f"{CLAIMED} WHERE o.id IN ({marks}) ORDER BY o.due_at, o.id", ids)
        columns = [c[0] for c in cursor.description]
        return with_submissions(db, [dict(zip(columns, row)) for row in cursor])


def _finish(db: Database, row_id: int, owner: str, sets: str, params: list, renew_until: float | None = None) -> bool:
    """Update a claimed row if `owner` still holds it, and extend owner's other claims."""
    with immediate(db):
        cursor = db.execute(
            f"UPDATE outbox SET {sets}, lease_until = NULL, lease_owner = NULL"
            " WHERE id = ? AND lease_owner = ? AND status = 'queued'",
            [*params, row_id, owner],
        )
        if renew_until is not None:
            db.execute("UPDATE outbox SET lease_until = ? WHERE lease_owner = ? AND status = 'queued'", [renew_until, owner])
    return cursor.rowcount == 1


def hold(db: Database, owner: str, row_id: int, now: float, until: float) -> bool:
    """Extend `owner`'s claim on a row before sending it; False when the claim ran out (another
    sender may hold the row now). Leases compare wall-clock times of several processes, so a
    clock stepped forward can end one early (README "Mail": what a clock step can cause)."""
    with immediate(db):
        cursor = db.execute(
            "UPDATE outbox SET lease_until = ? WHERE id = ? AND lease_owner = ? AND status = 'queued' AND lease_until > ?",
            [until, row_id, owner, now],
        )
    return cursor.rowcount == 1


def mark_sent(db: Database, row_id: int, owner: str, now: float, renew_until: float | None = None) -> bool:
    return _finish(db, row_id, owner, "status = 'sent', sent_at = ?, last_error = NULL", [utc_iso(now)], renew_until)


def mark_failed(db: Database, row_id: int, owner: str, error: str, renew_until: float | None = None) -> bool:
    return _finish(db, row_id, owner, "status = 'failed', last_error = ?", [error], renew_until)


def mark_skipped(db: Database, row_id: int, owner: str, reason: str, renew_until: float | None = None) -> bool:
    return _finish(db, row_id, owner, "status = 'skipped', last_error = ?", [reason], renew_until)


def retry_later(db: Database, row_id: int, owner: str, due_at: float, error: str, renew_until: float | None = None) -> bool:
    return _finish(db, row_id, owner, "due_at = ?, last_error = ?", [due_at, error], renew_until)


def postpone(db: Database, owner: str, due: list[tuple[int, float]], error: str) -> None:
    """retry_later for many claimed rows in one transaction (the server could not be reached)."""
    with immediate(db):
        db.conn.executemany(
            "UPDATE outbox SET due_at = ?, last_error = ?, lease_until = NULL, lease_owner = NULL"
            " WHERE id = ? AND lease_owner = ? AND status = 'queued'",
            [(due_at, error, row_id, owner) for row_id, due_at in due],
        )


def release(db: Database, owner: str) -> None:
    """Give back `owner`'s claims that were not tried (the attempt is not counted)."""
    # Usually every claim was finished: then no write lock. Only `owner` gives its claims
    # back or finishes them, so what this read misses cannot be `owner`'s.
    if not db.execute("SELECT 1 FROM outbox WHERE lease_owner = ? AND status = 'queued' LIMIT 1", [owner]).fetchone():
        return
    with immediate(db):
        db.execute(
            "UPDATE outbox SET lease_until = NULL, lease_owner = NULL, attempts = attempts - 1 WHERE lease_owner = ? AND status = 'queued'",
            [owner],
        )


def backoff(attempts: int, cap: float) -> float:
    """Seconds before the next try: 1, 2, 4, ... capped, so an outage's backlog goes out within `cap` of its end."""
    return min(cap, 2.0 ** max(attempts - 1, 0))


# Answered from the index on (status, due_at): only the waiting rows are read, never a year of sent mail.
QUEUED = "SELECT count(*), min(created_at) FROM outbox WHERE status = 'queued'"


def queued(db: Database, now: float) -> dict:
    """How much mail waits and for how long: what /healthz shows."""
    count, oldest = db.execute(QUEUED).fetchone()
    return {"queued": count, "oldest_queued_seconds": round(now - epoch(oldest)) if oldest else None}


def make_due_now(db: Database, now: float) -> int:
    """Mail waiting out its backoff becomes due at once (`flask mail send` after an outage)."""
    with immediate(db):
        cursor = db.execute(
            "UPDATE outbox SET due_at = ? WHERE status = 'queued' AND due_at > ? AND (lease_until IS NULL OR lease_until <= ?)",
            [now, now, now],
        )
    return cursor.rowcount


# The office's mail that needs a person, read through the index on (status, due_at): the unary
# `+` keeps SQLite from going through the index on (kind, created_at), which for "a notification
# older than an hour" is every notification ever sent (0.2 s at a million, each `flask check`).
OFFICE_FAILED = "SELECT count(*) FROM outbox WHERE status = 'failed' AND +kind IN ({marks})"
OFFICE_LATE = "SELECT count(*) FROM outbox WHERE status = 'queued' AND +kind IN ({marks}) AND +created_at < ?"


def office_waiting(db: Database, now: float) -> dict:
    """How many of the office's mails failed, and how many have waited for more than an hour."""
    office = kinds.for_the_office()
    marks = ", ".join("?" * len(office))
    return {
        "failed_office": db.execute(OFFICE_FAILED.format(marks=marks), office).fetchone()[0],
        "late_office": db.execute(OFFICE_LATE.format(marks=marks), [*office, utc_iso(now - 3600)]).fetchone()[0],
    }


def status(db: Database, now: float) -> dict:
    """Counts by state (every row: `flask mail status` only), the oldest queued mail's age, and
    the office's mail that needs a person."""
    counts = dict.fromkeys(STATES, 0)
    counts.update(db.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
    return {**counts, "oldest_queued_seconds": queued(db, now)["oldest_queued_seconds"], **office_waiting(db, now)}


# Shown by `flask mail status`; during an outage thousands wait, each with the same error.
WAITING_SHOWN = 20


def waiting(db: Database, now: float, limit: int = WAITING_SHOWN) -> list[dict]:
    """The oldest waiting mail, each with why it waits (its last error) and when it is tried next."""
    cursor = db.execute(
        "SELECT o.id, o.kind, s.reference, o.attempts, o.due_at, o.last_error FROM outbox o"
        " LEFT JOIN submissions s ON s.id = o.submission_id WHERE o.status = 'queued' ORDER BY o.created_at, o.id LIMIT ?",
        [limit],
    )
    return [
        {"id": i, "kind": kind, "reference": ref, "attempts": attempts, "due_in_seconds": max(0, round(due - now)), "last_error": error}
        for i, kind, ref, attempts, due, error in cursor
    ]


def alarms(db: Database, now: float) -> list[str]:
    """What `flask check` reports: the office's mail that failed or waits for more than an hour."""
    found = office_waiting(db, now)
    problems = []
    if found["failed_office"]:
        problems.append(
            f"{found['failed_office']} mail(s) to the office failed. See `flask mail status`, fix the cause,"
            " then `flask mail retry --failed`."
        )
    if found["late_office"]:
        problems.append(
            f"{found['late_office']} mail(s) to the office have waited for more than an hour. Is the SMTP server"
            " reachable? See `flask mail status`."
        )
    return problems


def for_submission(db: Database, submission_id: int) -> list[dict]:
    """The mail queued for one submission, each row with the Message-ID it is sent with."""
    cursor = db.execute(
        "SELECT o.*, s.reference FROM outbox o JOIN submissions s ON s.id = o.submission_id WHERE o.submission_id = ? ORDER BY o.id",
        [submission_id],
    )
    columns = [c[0] for c in cursor.description]
    found = [dict(zip(columns, row)) for row in cursor]
    return [{**row, "message_id": messages.message_id(row["reference"], row)} for row in found]


def failed(db: Database) -> list[dict]:
    """Every failed mail with its submission's reference (none for a digest), oldest first."""
    cursor = db.execute(
        "SELECT o.id, o.kind, s.reference, o.last_error FROM outbox o LEFT JOIN submissions s ON s.id = o.submission_id"
        " WHERE o.status = 'failed' ORDER BY o.id"
    )
    return [dict(zip(("id", "kind", "reference", "last_error"), row)) for row in cursor]


def submission_id(db: Database, reference: str) -> int | None:
    """The submission a reference names, read through the schema (mail/ does not import contact/)."""
    row = db.execute("SELECT id FROM submissions WHERE reference = ?", [reference.upper()]).fetchone()
    return row[0] if row else None


def requeue(db: Database, submission_id: int | None = None) -> int:
    """Queue failed mail again, due now (all of it, or one submission's); returns how many.

    The give-up time counts again from now.
    """
    where, params = ("status = 'failed' AND submission_id = ?", [submission_id]) if submission_id else ("status = 'failed'", [])
    now = time.time()
    with immediate(db):
        cursor = db.execute(
            "UPDATE outbox SET status = 'queued', queued_at = ?, due_at = ?, attempts = 0, lease_until = NULL,"
            f" lease_owner = NULL WHERE {where}",
            [now, now, *params],
        )
    notify_senders()
    return cursor.rowcount


def give_up_at(queued_at: float, hours: float) -> float:
    return queued_at + hours * 3600
