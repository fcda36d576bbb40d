"""The inbox's list: filters, full-text search and keyset pages (never OFFSET).

Messages are kept in order of arrival by their id (store() inserts them as they come), so
"newest first" is `id DESC`, a page goes on after the last id it showed, and page 2 000
costs what page 1 costs.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlite_utils import Database

from ..content import STOCKHOLM

PAGE_SIZE = 50
COUNT_CAP = 1000
REFERENCE = re.compile(r"GBG-[0-9A-Z]{4}-[0-9A-Z]{4}", re.IGNORECASE)
# Letters and digits as FTS5's unicode61 tokenizer splits them; everything else separates words.
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Filter:
    status: str | None = None
    received_from: date | None = None
    received_to: date | None = None  # inclusive: the whole day in Gothenburg
    locale: str | None = None
    q: str = ""


@dataclass
class Page:
    rows: list[dict]
    next_after: int | None  # the id to go on after; None on the last page
    newest_first: bool = True
    filter: Filter = field(default_factory=Filter)


def fts_query(q: str) -> str | None:
    """The words of `q`, each a quoted prefix ("vänort"* finds vänortssamarbetet), all required.

    Quoting every word means nothing typed is FTS5 syntax: a stray quote, AND or a lone
    * are plain text. A single letter is a word of its own (as a prefix it would be
    half the dictionary). None when `q` holds no word at all.
    """
    words = WORD.findall(q)
    return " ".join(f'"{w}"' + ("*" if len(w) > 1 else "") for w in words) or None


def address_in(q: str) -> str | None:
    """The address a search is for ("@" and no space): it finds what that address sent, exactly."""
    q = q.strip()
    return q if "@" in q and " " not in q else None


def _day_start_utc(day: date) -> str:
    local = datetime.combine(day, time(), STOCKHOLM)
    return local.astimezone(timezone.utc).isoformat(timespec="seconds")


def _where(f: Filter) -> tuple[list[str], list, str]:
    """The conditions on `submissions s`, their parameters and the FROM clause."""
    where, params, source = [], [], "submissions s"
    if f.status:
        where.append("s.status = ?")
        params.append(f.status)
    if f.received_from:
        where.append("s.created_at >= ?")
        params.append(_day_start_utc(f.received_from))
    if f.received_to:
        where.append("s.created_at < ?")
        params.append(_day_start_utc(f.received_to + timedelta(days=1)))
    if f.locale:
        where.append("s.locale = ?")
        params.append(f.locale)
    q = f.q.strip()
    if REFERENCE.fullmatch(q):
        where.append("s.reference = ?")
        params.append(q.upper())
    elif address_in(q):
        where.append("s.email = ? COLLATE NOCASE")
        params.append(q)
    elif (match := fts_query(q)) is not None:
        # Driven by the index: FTS5 hands out its rowids in order, so a common word stops at a page.
        source = "submissions_fts JOIN submissions s ON s.id = submissions_fts.rowid"
        where.append("submissions_fts MATCH ?")
        params.append(match)
    return where, params, source


def count(db: Database, f: Filter) -> int:
    """How many rows the filter has, counted up to COUNT_CAP (COUNT_CAP + 1 means more):
    counting every hit of a common word would cost more than showing its page."""
    where, params, source = _where(f)
    return db.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {source} WHERE {' AND '.join(where) or '1'} LIMIT {COUNT_CAP + 1})", params
    ).fetchone()[0]


def page(db: Database, f: Filter, *, after: int | None = None, newest_first: bool = True) -> Page:
    """Up to PAGE_SIZE rows of the filter after the id `after`, in order of arrival."""
    where, params, source = _where(f)
    key = "submissions_fts.rowid" if source.startswith("submissions_fts") else "s.id"
    if after is not None:
        where.append(f"{key} {'<' if newest_first else '>'} ?")
        params.append(after)
    cursor = db.execute(
        f"SELECT s.* FROM {source} WHERE {' AND '.join(where) or '1'}"
        f" ORDER BY {key} {'DESC' if newest_first else 'ASC'} LIMIT {PAGE_SIZE + 1}",
        params,
    )
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, r)) for r in cursor.fetchall()]
    next_after = rows[PAGE_SIZE - 1]["id"] if len(rows) > PAGE_SIZE else None
    return Page(rows[:PAGE_SIZE], next_after, newest_first, f)


def every(db: Database, f: Filter):
    """All rows of the filter, newest first, a page at a time (for exports)."""
    after = None
    while True:
        found = page(db, f, after=after)
        yield from found.rows
        if found.next_after is None:
            return
        after = found.next_after
