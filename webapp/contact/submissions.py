"""Stored submissions: writing one durably, and reading them for staff."""

import hashlib
import secrets
from datetime import datetime, timezone

from sqlite_utils import Database
from sqlite_utils.db import quote_identifier

from ..mail import outbox
from ..db import immediate

# Crockford's base32: no I, L, O or U, so a reference read aloud over the phone is unambiguous.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
STATUSES = ("new", "spam")
# What staff see first of each submission; the form's fields follow in the table's order.
HEADING_COLUMNS = ("reference", "created_at", "locale", "status")
# Bookkeeping nobody needs to read.
INTERNAL_COLUMNS = ("id", "idempotency_key", "status_changed_at")


def new_reference() -> str:
    """A human-friendly, unguessable reference such as GBG-7K3F-9Q2M (40 random bits)."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"GBG-{chars[:4]}-{chars[4:]}"


def idempotency_key(form_key: str, fields: dict[str, str | None]) -> str:
    """Same rendered form and same content: same key. An edited resend is a new message."""
    material = "\x1f".join((form_key, *(value or "" for value in fields.values()))).encode("utf-8", "surrogatepass")
    return hashlib.sha256(material).hexdigest()


def store(db: Database, *, locale: str, form_key: str, status: str = "new", **fields: str | None) -> str:
    """Insert a submission once and return its reference; commits before returning.

    `fields` are the form's, each stored in the column of its name (an empty one as
    NULL). A resend of the same form returns the reference of the row already stored.
    The mail it calls for is queued in the same transaction (none for a resend; spam waits
    for the office's digest).
    """
    key = idempotency_key(form_key, fields)
    columns = ["reference", "created_at", "status_changed_at", "locale", *fields, "status", "idempotency_key"]
    insert = (
        f"INSERT OR IGNORE INTO submissions ({', '.join(quote_identifier(c) for c in columns)})"
        f" VALUES ({', '.join('?' * len(columns))})"
    )
    for _ in range(5):
        reference = new_reference()
        created_at = now_iso()
        values = [reference, created_at, created_at, locale, *(value or None for value in fields.values()), status, key]
        # BEGIN IMMEDIATE takes the write lock first (waiting up to the busy
        # timeout), so a concurrent writer can never make this fail half-way.
        # INSERT OR IGNORE: a resend (same key) or, very rarely, a reference
        # already taken leaves the table unchanged.
        with immediate(db):
            cursor = db.execute(insert, values)
            stored = cursor.rowcount == 1
            queued = stored and status == "new"
            if queued:
                outbox.queue_for_submission(db, cursor.lastrowid, fields.get("email"))
            elif stored:
                outbox.hold_for_digest(db, cursor.lastrowid)
        if queued:
            outbox.notify_senders()  # after the commit, so this process's sender finds the mail
        if stored:
            return reference  # no need to read back what was just written
        row = db.execute("SELECT reference FROM submissions WHERE idempotency_key = ?", [key]).fetchone()
        if row:
            return row[0]
    raise RuntimeError("could not allocate a unique reference")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def columns(db: Database) -> tuple[str, ...]:
    """The columns staff read and export: the heading, then whatever the form stores."""
    fields = [c for c in db["submissions"].columns_dict if c not in HEADING_COLUMNS + INTERNAL_COLUMNS]
    return HEADING_COLUMNS + tuple(fields)


def get(db: Database, reference: str) -> dict | None:
    rows = list(db["submissions"].rows_where("reference = ?", [reference.upper()], limit=1))
    return rows[0] if rows else None


def release(db: Database, reference: str) -> dict | None:
    """Turn a submission held back as spam into a new one and queue its notification (no
    receipt: a spammer's address is nobody's to write to). None when it is not held back."""
    with immediate(db):
        row = db.execute("SELECT id FROM submissions WHERE reference = ? AND status = 'spam'", [reference.upper()]).fetchone()
        if row is None:
            return None
        release_held(db, row[0])
    outbox.notify_senders()
    return get(db, reference)


def release_held(db: Database, submission_id: int) -> None:
    """Inside the caller's write transaction: spam becomes new and its notification is queued.
    Call outbox.notify_senders() after the commit."""
    db.execute("UPDATE submissions SET status = 'new', status_changed_at = ? WHERE id = ?", [now_iso(), submission_id])
    outbox.queue_for_submission(db, submission_id, None)


def _filters(since: datetime | None, status: str | None) -> tuple[str, list]:
    where, params = ["1 = 1"], []
    if since is not None:
        where.append("created_at >= ?")
        params.append(since.replace(tzinfo=timezone.utc).isoformat(timespec="seconds"))
    # Spam is kept (nothing silently disappears) but only listed when asked for.
    where.append("status = ?" if status else "status != 'spam'")
    params += [status] if status else []
    return " AND ".join(where), params


def select(db: Database, *, since: datetime | None = None, status: str | None = None):
    where, params = _filters(since, status)
    return db["submissions"].rows_where(where, params, order_by="created_at DESC, id DESC")


def count(db: Database, *, since: datetime | None = None, status: str | None = None) -> int:
    where, params = _filters(since, status)
    return db.execute(f"SELECT count(*) FROM submissions WHERE {where}", params).fetchone()[0]
