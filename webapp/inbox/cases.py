"""A message's handling: its state, registration, notes and history, changed only with the version read.

Every change runs in one write transaction that first checks the version the person
saw; when someone else changed the message meanwhile, nothing is written and
`Conflict` names what they did (the history since that version).
"""

import re
from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

from ..contact.submissions import now_iso, release_held
from ..db import immediate
from ..mail import outbox

STATES = ("new", "registered", "answered", "closed", "spam")

# action: (the states it may start from, the state it leads to; None: the state stays).
ACTIONS = {
    "register": (("new", "registered"), "registered"),
    "answered": (("new", "registered"), "answered"),
    "closed": (("new", "registered", "answered"), "closed"),
    "reopen": (("answered", "closed"), None),  # back to registered, or new if never registered
    "spam": (("new",), "spam"),
    "not_spam": (("spam",), "new"),
    "note": (STATES, None),
}


class NotFound(LookupError):
    pass


@dataclass
class Conflict(Exception):
    """Someone changed the message after `expected` was read: `changes` are their history rows."""

    expected: int
    current: int
    changes: list[dict]


@dataclass
class NotAllowed(Exception):
    """The action does not apply to the message's state (e.g. closing a spam)."""

    action: str
    status: str


def valid_diary_number(value: str, pattern: str) -> bool:
    """A diary number is free text; an office may require its own form (WEBAPP_STAFF_DIARY_PATTERN)."""
    value = value.strip()
    return bool(value) and (not pattern or re.fullmatch(pattern, value) is not None)


def case(db: Database, submission_id: int) -> dict:
    """The message's version and registration (version 0: nobody has changed it yet)."""
    row = db.execute(
        "SELECT version, diary_number, registered_on FROM inbox_cases WHERE submission_id = ?", [submission_id]
    ).fetchone()
    version, diary_number, registered_on = row or (0, None, None)
    return {"version": version, "diary_number": diary_number, "registered_on": registered_on}


def versions(db: Database, submission_ids: list[int]) -> dict[int, int]:
    """The version of each of these messages that anybody has changed (the rest are at 0)."""
    marks = ", ".join("?" * len(submission_ids))
    return dict(db.execute(f"SELECT submission_id, version FROM inbox_cases WHERE submission_id IN ({marks})", submission_ids).fetchall())


def history(db: Database, submission_id: int, after_version: int = 0) -> list[dict]:
    return list(
        db["inbox_history"].rows_where(
            "submission_id = ? AND version > ?", [submission_id, after_version], order_by="version"
        )
    )


def change(
    db: Database,
    reference: str,
    action: str,
    *,
    actor: str,
    version: int,
    text: str | None = None,
    diary_number: str | None = None,
    registered_on: date | None = None,
) -> dict:
    """Apply `action` to the message as of `version`, and record who did it; returns the new case.

    `text` is the note's; `diary_number` and `registered_on` are the registration's.
    """
    allowed_from, to_status = ACTIONS[action]
    released = False
    with immediate(db):
        row = db.execute("SELECT id, status FROM submissions WHERE reference = ?", [reference.upper()]).fetchone()
        if row is None:
            raise NotFound(reference)
        submission_id, status = row
        current = case(db, submission_id)
        if current["version"] != version:
            raise Conflict(version, current["version"], history(db, submission_id, version))
        if status not in allowed_from:
            raise NotAllowed(action, status)
        if action == "reopen":
            to_status = "registered" if current["diary_number"] else "new"
        detail = text
        if action == "register":
            current["diary_number"] = diary_number.strip()
            current["registered_on"] = registered_on.isoformat()
            detail = f"{current['diary_number']} {current['registered_on']}"
        new_version = version + 1
        db.execute(
            "INSERT INTO inbox_cases (submission_id, version, diary_number, registered_on) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (submission_id) DO UPDATE SET version = excluded.version,"
            " diary_number = excluded.diary_number, registered_on = excluded.registered_on",
            [submission_id, new_version, current["diary_number"], current["registered_on"]],
        )
        if action == "not_spam":
            release_held(db, submission_id)  # as `flask submissions release`: the notification is queued
            released = True
        elif to_status and to_status != status:
            db.execute(
                "UPDATE submissions SET status = ?, status_changed_at = ? WHERE id = ?",
                [to_status, now_iso(), submission_id],
            )
        db["inbox_history"].insert(
            {
                "submission_id": submission_id,
                "version": new_version,
                "at": now_iso(),
                "actor": actor,
                "action": action,
                "from_status": status,
                "to_status": to_status or status,
                "detail": detail,
            }
        )
    if released:
        outbox.notify_senders()  # after the commit, so this process's sender finds the mail
    return case(db, submission_id)


def change_many(db: Database, ticked: dict[str, int], action: str, *, actor: str) -> dict[str, Exception | None]:
    """A bulk action on ticked rows ({reference: version seen}), each on its own: one
    changed meanwhile is left alone and reported, the others go ahead."""
    outcome = {}
    for reference, version in ticked.items():
        try:
            change(db, reference, action, actor=actor, version=version)
            outcome[reference] = None
        except (Conflict, NotAllowed, NotFound) as problem:
            outcome[reference] = problem
    return outcome
