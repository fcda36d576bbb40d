"""Deleting what is due, in small transactions, each message with its row in the deletion log.

With a message go its outbox rows, its search index rows and its notes: the tables
that refer to it do so with ON DELETE CASCADE or a trigger, so this module needs
to know none of them. The log row (gallringslogg) keeps the reference, when it
arrived, its state, the rule and decision, when and by whom: never its text or address.
"""

import time
from collections.abc import Callable, Iterable
from datetime import date

from sqlite_utils import Database

from ..db import immediate
from ..mail.outbox import utc_iso
from . import days
from .holds import ACTIVE
from .rules import Rule

# Messages per transaction: each holds the write lock for milliseconds, so a visitor's
# submission waits at most about that long (10 000 due at once go in 50 of them).
BATCH = 200

LOGGED = ("reference", "received_at", "status", "rule", "decision", "deleted_at", "deleted_by")


def _due_where(rule: Rule) -> str:
    return f"s.status = ? AND s.{rule.column} < ? AND NOT EXISTS ({ACTIVE})"


def due(db: Database, rules: Iterable[Rule], day: date, among: Iterable[int] | None = None) -> list[dict]:
    """Every message the rules delete on or before `day` (held ones never), by day and reference;
    only those with the ids `among` when given (the rows of one page of the staff list)."""
    ids = None if among is None else list(among)
    only = "" if ids is None else f" AND s.id IN ({', '.join('?' * len(ids))})"
    found = []
    for rule in rules:
        rows = db.execute(
            f"SELECT s.reference, s.created_at, s.status, s.{rule.column} FROM submissions s WHERE {_due_where(rule)}{only}",
            [rule.applies_to, days.cutoff(day, rule.keep_days), *(ids or [])],
        )
        found += [
            {
                "reference": reference,
                "received_at": received_at,
                "status": status,
                "rule": rule.name,
                "decision": rule.decision,
                "day": days.due_day(counted_from, rule.keep_days).isoformat(),
            }
            for reference, received_at, status, counted_from in rows
        ]
    return sorted(found, key=lambda row: (row["day"], row["reference"]))


def _delete(db: Database, rows: list[tuple], decision: str, rule: str | None, by: str | None, now: float) -> None:
    """Log and delete (id, reference, received_at, status) rows, inside the caller's transaction."""
    deleted_at = utc_iso(now)
    db.conn.executemany(
        f"INSERT INTO deletion_log ({', '.join(LOGGED)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(reference, received, status, rule, decision, deleted_at, by) for _id, reference, received, status in rows],
    )
    db.conn.executemany("DELETE FROM submissions WHERE id = ?", [(row[0],) for row in rows])


def _in_batches(db: Database, select: str, params: list, delete: Callable[[list[tuple]], None], after_batch) -> int:
    """Run `select` (with LIMIT) under the write lock and `delete` what it found, until it finds nothing.

    Between transactions this process sleeps as long as the last one took, so a
    writer waiting for the lock (a visitor's submission) gets it at its next try.
    """
    # Deleted rows' bytes are overwritten with zeros, not left in free pages of the file,
    # where the next backup would copy them.
    db.execute("PRAGMA secure_delete=ON")
    deleted = 0
    while True:
        started = time.monotonic()
        with immediate(db):
            rows = db.execute(select, [*params, BATCH]).fetchall()
            if rows:
                delete(rows)
        if not rows:
            return deleted
        deleted += len(rows)
        if after_batch:
            after_batch(len(rows))
        time.sleep(time.monotonic() - started)


def delete_due(db: Database, rules: Iterable[Rule], now: float, after_batch: Callable[[int], None] | None = None) -> int:
    """Delete what the rules say is due on Stockholm's day at `now`; returns how many.

    `after_batch(how many)` is called after each committed transaction.
    """
    day, deleted = days.today(now), 0
    for rule in rules:
        select = (
            f"SELECT s.id, s.reference, s.created_at, s.status FROM submissions s WHERE {_due_where(rule)}"
            " ORDER BY s.id LIMIT ?"
        )
        deleted += _in_batches(
            db,
            select,
            [rule.applies_to, days.cutoff(day, rule.keep_days)],
            lambda rows, rule=rule: _delete(db, rows, rule.decision, rule.name, None, now),
            after_batch,
        )
    return deleted


def received_before(db: Database, cutoff: str) -> list[dict]:
    """Messages received before `cutoff`, each saying whether it is held: what a purge deletes, or refuses to."""
    rows = db.execute(
        f"SELECT reference, created_at, status, EXISTS ({ACTIVE}) FROM submissions s WHERE created_at < ? ORDER BY created_at",
        [cutoff],
    )
    return [{"reference": r, "received_at": c, "status": s, "held": bool(h)} for r, c, s, h in rows]


def purge(db: Database, cutoff: str, decision: str, by: str, now: float, after_batch=None) -> int:
    """A person's deletion of every message received before `cutoff` that is not held, logged as theirs."""
    select = (
        f"SELECT s.id, s.reference, s.created_at, s.status FROM submissions s WHERE s.created_at < ? AND NOT EXISTS ({ACTIVE})"
        " ORDER BY s.id LIMIT ?"
    )
    return _in_batches(db, select, [cutoff], lambda rows: _delete(db, rows, decision, None, by, now), after_batch)


def log(db: Database, newest: int | None = None) -> list[dict]:
    """The deletion log, oldest first; or its `newest` rows, newest first."""
    if newest:
        return list(db["deletion_log"].rows_where(select=", ".join(LOGGED), order_by="id desc", limit=newest))
    return list(db["deletion_log"].rows_where(select=", ".join(LOGGED), order_by="id"))
