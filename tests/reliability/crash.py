"""Crash: kill -9 gunicorn's master and workers during load, start again on the same
database, and find every acknowledged message there, unchanged, in a sound database."""

import secrets
import threading
import time

from .client import Browser
from .report import Result
from .server import Server
from .traffic import Tally, compare, run_visitors

# Visitors whose request was cut by the kill got no answer: their message may or may not be stored.
TOLERATED = ("timeout", "connection")


def load_until(server: Server, run_id: str, clients: int, acknowledged: int, first_client: int, seconds: float = 120.0):
    """Visitors sending until `acknowledged` submissions were confirmed; then kill -9 everything at once."""
    tally, stop = Tally(), threading.Event()
    visitors = run_visitors(server.url, run_id, clients, None, stop, tally, first_client)
    deadline = time.monotonic() + seconds
    while sum(1 for v in visitors for s in v.sent if s.reference) < acknowledged and time.monotonic() < deadline:
        time.sleep(0.005)
    killed = server.kill9()
    stop.set()
    for visitor in visitors:
        visitor.join()
    return [s for v in visitors for s in v.sent], tally, killed


def run(folder, rounds: int = 3, clients: int = 8, acknowledged_per_round: int = 150, workers: int = 4) -> Result:
    result = Result("crash")
    run_id = "C" + secrets.token_hex(3)
    started = time.monotonic()
    server = Server(folder, workers=workers)
    sent, in_flight, processes = [], 0, 0
    for round_no in range(1, rounds + 2):
        server.start()  # waits until /healthz answers 200 on the database the last round left
        stored = compare(server.database, sent, TOLERATED)
        result.failures += [f"after round {round_no - 1}: {f}" for f in stored.failures]
        if round_no > rounds:
            break
        round_sent, tally, killed = load_until(server, run_id, clients, acknowledged_per_round, first_client=100 * round_no)
        sent += round_sent
        processes += len(killed)
        in_flight += sum(1 for s in round_sent if s.outcome in TOLERATED)
        result.failures += [f"round {round_no}: {f}" for f in tally.problems + tally.server_errors]
        if tally.database_locked:
            result.failures.append(f'round {round_no}: {tally.database_locked} answers said "database is locked"')
    # The restarted site shows a visitor's confirmation page for references from every round.
    browser = Browser(server.url)
    for s in [s for s in sent if s.reference][::max(1, len(sent) // 20)]:
        page = browser.get(f"/{s.lang}/contact/thanks/{s.reference}")
        if page.status != 200 or s.reference not in page.text:
            result.failures.append(f"after the last restart, /thanks/{s.reference} answered {page.status}")
    server.stop()
    result.seconds = time.monotonic() - started
    result.figures = {
        "rounds": rounds,
        "processes killed": processes,
        "acknowledged": sum(1 for s in sent if s.reference),
        "rows": stored.rows,
        "cut by the kill": in_flight,
        "of those stored": stored.unacknowledged,
        "integrity": stored.integrity,
    }
    return result
