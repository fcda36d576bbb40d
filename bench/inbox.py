"""The staff inbox over 100 000 submissions (`make bench`; `BENCH_ONLY=inbox make bench` alone).

Seeds a year and more of messages (one transaction, the search index kept by its
triggers as in production) and times the inbox's queries warm, in one process:
the first page, page 2 000, a search for a common word, a search for an address and
one message with its history. Each p99 should stay within 50 ms.
"""

import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from webapp.contact import submissions  # noqa: E402
from webapp.db import connect, immediate, migrate  # noqa: E402
from webapp.inbox import cases, listing  # noqa: E402
from webapp.inbox.listing import Filter  # noqa: E402

SUBMISSIONS = 100_000
REPEATS = 200
TARGET_P99_MS = 50
WORDS = (
    "hej vänort samarbete Göteborg stadsledningskontoret besök delegation år möte fråga "
    "Nelson Mandela Bay Åbo Bergen Krakow Shanghai partnerskap utbyte skola kultur "
    "hello partnership visit question meeting student exchange hyvää päivää kysymys"
).split()


def seed(path: Path, count: int = SUBMISSIONS) -> float:
    """`count` messages, a few minutes apart, ending now; returns the seconds it took."""
    rng = random.Random(20)
    start = time.perf_counter()
    db = connect(path)
    first = datetime.now(timezone.utc) - timedelta(minutes=7 * count)
    with immediate(db):
        for i in range(count):
            at = (first + timedelta(minutes=7 * i)).isoformat(timespec="seconds")
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 80)))
            db.execute(
                "INSERT INTO submissions (reference, created_at, status_changed_at, locale, email, message, status, idempotency_key)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [submissions.new_reference(), at, at, rng.choice("sv sv sv en fi".split()),
                 f"person{i % 20000}@example.se" if i % 3 else None, text,
                 "spam" if i % 50 == 0 else "new", f"{i:064x}"],
            )
    db.close()
    return time.perf_counter() - start


def p99_ms(call) -> dict:
    call()
    times = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        call()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"median_ms": round(statistics.median(times), 2), "p99_ms": round(times[int(len(times) * 0.99) - 1], 2)}


def queries(db) -> dict:
    after = None
    for _ in range(1999):  # walk to page 2 000 once, as a registrar paging would
        after = listing.page(db, Filter(), after=after).next_after
    reference = db.execute("SELECT reference FROM submissions ORDER BY id DESC LIMIT 1 OFFSET 500").fetchone()[0]

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
        path = Path(work) / "inbox.sqlite3"
        migrate(path)
        seconds = seed(path)
        db = connect(path)
        try:
            timings = queries(db)
        finally:
            db.close()
    return {
        "submissions": SUBMISSIONS,
        "seed_seconds": round(seconds, 1),
        "queries": timings,
        "target_p99_ms": TARGET_P99_MS,
        "within_target": all(t["p99_ms"] <= TARGET_P99_MS for t in timings.values()),
    }


def table(results: dict) -> str:
    lines = [f"inbox: {results['submissions']} submissions seeded in {results['seed_seconds']} s"]
    for name, t in results["queries"].items():
        lines.append(f"  {name:<12} median {t['median_ms']:6.2f} ms  p99 {t['p99_ms']:6.2f} ms (target {TARGET_P99_MS})")
    return "\n".join(lines)


if __name__ == "__main__":
    (ROOT / "build").mkdir(exist_ok=True)
    print(table(run()))
