"""One page of the staff list and the keys of its neighbours, both ways (keyset, never OFFSET).

`after` goes on past an id in the list's order, `before` comes back to the page before an
id: the page of the other order after it, turned round. Each costs what the first page costs.
"""

from dataclasses import dataclass

from sqlite_utils import Database

from . import listing
from .listing import Filter


@dataclass
class Window:
    rows: list[dict]
    next_after: int | None  # the next page goes on after this id; None: this is the last
    previous_before: int | None  # the previous page ends before this id; None: this is the first
    first: bool  # the list's own first page (no `after` or `before` in its link)


def window(db: Database, f: Filter, *, after: int | None = None, before: int | None = None, newest_first: bool = True) -> Window:
    if before is not None:
        back = listing.page(db, f, after=before, newest_first=not newest_first)
        if back.next_after is not None:  # more beyond: a page in the middle
            rows = back.rows[::-1]
            return Window(rows, rows[-1]["id"], rows[0]["id"], False)
        after = None  # back at the start: the first page itself, whole, with what came in meanwhile
    found = listing.page(db, f, after=after, newest_first=newest_first)
    rows = found.rows
    previous = rows[0]["id"] if after is not None and rows else None
    return Window(rows, found.next_after, previous, after is None)
