"""The staff inbox over 100 000 submissions (`make bench`; `BENCH_ONLY=inbox make bench` alone).

Seeds a year and more of messages (one transaction, the search index kept by its
triggers as in production) and times, warm, the first page of the list, page 2 000, a search
for a common word, a search for an address and one message with its history: the inbox's
queries in one process, then the pages over HTTP as a registrar signed in gets them
(bench/inbox_http.py). Each p99 should stay within 50 ms.
"""

import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import inbox_http  # noqa: E402
from bench.inbox_http import summary  # noqa: E402
from webapp.contact import submissions  # noqa: E402
from webapp.db import connect, immediate, migrate  # noqa: E402
from webapp.inbox import cases, listing  # noqa: E402
from webapp.inbox.listing import Filter  # noqa: E402

SUBMISSIONS = 100_000
UNHANDLED = 300  # the newest, not yet registered (about a day and a half)
REPEATS = 200
TARGET_P99_MS = 50
WORDS = (
    "hej vänort samarbete Göteborg stadsledningskontoret besök delegation år möte fråga "
    "Nelson Mandela Bay Åbo Bergen Krakow Shanghai partnerskap utbyte skola kultur "
    "hello partnership visit question meeting student exchange hyvää päivää kysymys"
).split()


def seed(path: Path, count: int = SUBMISSIONS, unhandled: int = UNHANDLED) -> float:
    """`count` messages, a few minutes apart, ending now; returns the seconds it took.

    As in an office's year: all but the newest `unhandled` were registered and closed (their
    case and history rows, every tenth with a note), one in 50 is spam.
    """
    rng = random.Random(20)
    start = time.perf_counter()
    db = connect(path)
    first = datetime.now(timezone.utc) - timedelta(minutes=7 * count)
    with immediate(db):
        for i in range(count):
            at = (first + timedelta(minutes=7 * i)).isoformat(timespec="seconds")
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 80)))
            handled = i % 50 and i < count - unhandled
            cursor = db.execute(
                "INSERT INTO submissions (reference, created_at, status_changed_at, locale, email, message, status, idempotency_key)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [submissions.new_reference(), at, at, rng.choice("sv sv sv en fi".split()),
                 f"person{i % 20000}@example.se" if i % 3 else None, text,
                 "spam" if i % 50 == 0 else "closed" if handled else "new", f"{i:064x}"],
            )
            if handled:
                handle(db, cursor.lastrowid, at, f"KS {at[:4]}-{i:05}", note=i % 10 == 1)
    db.close()
    return time.perf_counter() - start


def handle(db, submission_id: int, at: str, diary_number: str, note: bool) -> None:
    """A registrar's work on one message, as cases.change() writes it: registered, noted, closed."""
    steps = [("register", "new", "registered", f"{diary_number} {at[:10]}")]
    if note:
        steps.append(("note", "registered", "registered", "Svar skickat av handläggaren, ärendet avslutat."))
    steps.append(("closed", "registered", "closed", None))
    db.execute("INSERT INTO inbox_cases (submission_id, version, diary_number, registered_on) VALUES (?, ?, ?, ?)",
               [submission_id, len(steps), diary_number, at[:10]])
    db.conn.executemany(
        "INSERT INTO inbox_history (submission_id, version, at, actor, action, from_status, to_status, detail)"
        " VALUES (?, ?, ?, 'Rut Registrator', ?, ?, ?, ?)",
        [(submission_id, version, at, *step) for version, step in enumerate(steps, 1)],
    )


def p99_ms(call) -> dict:
    call()
    times = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        call()
        times.append((time.perf_counter() - t) * 1000)
    return summary(times)


def some_reference(db) -> str:
    """The message both parts open: a handled one with a note, so its page has a history to show."""
    return db.execute(
        "SELECT reference FROM submissions s JOIN inbox_history h ON h.submission_id = s.id AND h.action = 'note'"
        " ORDER BY s.id DESC LIMIT 1 OFFSET 50"
    ).fetchone()[0]


def queries(db, reference: str) -> dict:
    after = None
    for _ in range(1999):  # walk to page 2 000 once, as a registrar paging would
        after = listing.page(db, Filter(), after=after).next_after

    def listed(f, after=None):
        return lambda: (listing.page(db, f, after=after), listing.count(db, f))

    def message():
        row = submissions.get(db, reference)
        cases.case(db, row["id"]), cases.history(db, row["id"])

    return {
        "first page": p99_ms(listed(Filter())),
        "page 2 000": p99_ms(listed(Filter(), after)),
        "common word": p99_ms(listed(Filter(q="vänort"))),
        "address": p99_ms(listed(Filter(q="person17@example.se"))),
        "message": p99_ms(message),
    }


def run() -> dict:
    with tempfile.TemporaryDirectory(dir=ROOT / "build") as work:  # on the disk of a real instance
        instance = Path(work) / "instance"
        path = instance / "webapp.sqlite3"
        migrate(path)
        seconds = seed(path)
        db = connect(path)
        try:
            reference = some_reference(db)
            timings = queries(db, reference)
        finally:
            db.close()
        http = inbox_http.measure(instance, Path(work) / "gunicorn.log", reference)
    every = [*timings.values(), *http["pages"].values()]
    return {
        "submissions": SUBMISSIONS,
        "seed_seconds": round(seconds, 1),
        "queries": timings,
        "http": http,
        "target_p99_ms": TARGET_P99_MS,
        "within_target": all(t["p99_ms"] <= TARGET_P99_MS for t in every),
    }


def table(results: dict) -> str:
    http = results["http"]
    start, end = (f"{load[0]:.2f}" for load in http["loadavg"])
    lines = [f"inbox: {results['submissions']} submissions seeded in {results['seed_seconds']} s", "  queries in one process:"]
    for name, t in results["queries"].items():
        lines.append(f"    {name:<12} median {t['median_ms']:6.2f} ms  p99 {t['p99_ms']:6.2f} ms (target {TARGET_P99_MS})")
    lines.append(
        f"  over HTTP, signed in as a registrar, {http['workers']} gunicorn worker, {http['repeats']} requests each"
        f" after {http['warmup']} (load average {start} at the start, {end} at the end):"
    )
    for name, t in http["pages"].items():
        lines.append(f"    {name:<12} median {t['median_ms']:6.2f} ms  p99 {t['p99_ms']:6.2f} ms (target {TARGET_P99_MS})  {t['path']}")
    missed = [f"{name} ({where})" for where, timings in (("in one process", results["queries"]), ("over HTTP", http["pages"]))
              for name, t in timings.items() if t["p99_ms"] > TARGET_P99_MS]
    lines.append(f"  target p99 at most {TARGET_P99_MS} ms: " + (f"MISSED by {', '.join(missed)}" if missed else "met"))
    return "\n".join(lines)


if __name__ == "__main__":
    (ROOT / "build").mkdir(exist_ok=True)
    print(table(run()))
