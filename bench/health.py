"""/healthz and `flask mail status` over an outbox of a million sent mails (`make bench`;
`BENCH_ONLY=health make bench` alone).

Seeds 1 000 000 sent rows and 100 waiting ones (one transaction) and times, warm, in one process:
the outbox query /healthz makes (`outbox.queued`, target: well under a millisecond), the whole of
/healthz through Flask's test client (its write-lock probe included), `flask check`'s mail alarms
(`outbox.alarms`), and what `flask mail status` reads (`outbox.status`, every state counted).
"""

import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from webapp import create_app  # noqa: E402
from webapp.db import connect, immediate, migrate  # noqa: E402
from webapp.mail import outbox  # noqa: E402

SENT = 1_000_000
QUEUED = 100
REPEATS = 200
TARGET_QUEUED_MS = 1.0


def seed(path: Path) -> float:
    """SENT sent notifications over the past years and QUEUED waiting ones; returns the seconds it took."""
    start = time.perf_counter()
    db = connect(path)
    now = time.time()
    rows = (
        ("notification", "sent" if i < SENT else "queued", f"{i:016x}", outbox.utc_iso(now - (SENT + QUEUED - i) * 60), now, now)
        for i in range(SENT + QUEUED)
    )
    with immediate(db):
        db.conn.executemany(
            "INSERT INTO outbox (kind, status, token, created_at, queued_at, due_at) VALUES (?, ?, ?, ?, ?, ?)", rows
        )
    db.execute("ANALYZE")
    db.close()
    return time.perf_counter() - start


def timed(call, repeats: int = REPEATS) -> dict:
    call()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        call()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"median_ms": round(statistics.median(times), 3), "p99_ms": round(times[int(len(times) * 0.99) - 1], 3)}


def run() -> dict:
    with tempfile.TemporaryDirectory(dir=ROOT / "build") as work:  # on the disk of a real instance
        path = Path(work) / "health.sqlite3"
        migrate(path)
        seconds = seed(path)
        db = connect(path)
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE": str(path), "MAIL_FILE_DIR": work})
        app.logger.setLevel(logging.WARNING)
        logging.getLogger("webapp.requests").setLevel(logging.WARNING)  # no request line per probe
        client = app.test_client()
        try:
            assert client.get("/healthz").json["mail_queued"] == QUEUED
            timings = {
                "outbox.queued": timed(lambda: outbox.queued(db, time.time())),
                "GET /healthz": timed(lambda: client.get("/healthz")),
                "flask check's mail alarms": timed(lambda: outbox.alarms(db, time.time())),
                # Counts every row by state: a command a person runs, not a probe.
                "outbox.status": timed(lambda: outbox.status(db, time.time()), 20),
            }
        finally:
            db.close()
    return {
        "sent": SENT,
        "queued": QUEUED,
        "seed_seconds": round(seconds, 1),
        "timings": timings,
        "target_queued_ms": TARGET_QUEUED_MS,
        "within_target": timings["outbox.queued"]["p99_ms"] < TARGET_QUEUED_MS,
    }


def table(results: dict) -> str:
    lines = [f"health: {results['sent']} sent and {results['queued']} queued mails seeded in {results['seed_seconds']} s"]
    for name, t in results["timings"].items():
        lines.append(f"  {name:<26} median {t['median_ms']:8.3f} ms  p99 {t['p99_ms']:8.3f} ms")
    lines.append(f"  (target: outbox.queued under {results['target_queued_ms']} ms)")
    return "\n".join(lines)


if __name__ == "__main__":
    (ROOT / "build").mkdir(exist_ok=True)
    print(table(run()))
