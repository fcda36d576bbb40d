"""Crash: kill -9 gunicorn's master and workers during load, while the SMTP server holds a
DATA command, start again on the same database, and find every acknowledged message there,
unchanged, in a sound database, and its notification at the SMTP server (a repeat, of the mail
held at a kill, with the same Message-ID)."""

import secrets
import threading
import time

from tests.mail_server import SMTPServer

from .client import Browser
from .mail import check_delivery, kill_while_sending, site_env
from .report import Result
from .server import Server
from .traffic import Tally, compare, run_visitors

# Visitors whose request was cut by the kill got no answer: their message may or may not be stored.
TOLERATED = ("timeout", "connection")


def load_until(server: Server, smtp: SMTPServer, run_id: str, clients: int, acknowledged: int, first_client: int, seconds: float = 120.0):
    """Visitors sending until `acknowledged` submissions were confirmed; then kill -9 everything at once,
    during an SMTP exchange."""
    tally, stop = Tally(), threading.Event()
    visitors = run_visitors(server.url, run_id, clients, None, stop, tally, first_client)
    deadline = time.monotonic() + seconds
    while sum(1 for v in visitors for s in v.sent if s.reference) < acknowledged and time.monotonic() < deadline:
        time.sleep(0.005)
    killed, held = kill_while_sending(server, smtp.recorder)
    stop.set()
    for visitor in visitors:
        visitor.join()
    return [s for v in visitors for s in v.sent], tally, killed, held


def run(folder, rounds: int = 3, clients: int = 8, acknowledged_per_round: int = 150, workers: int = 4) -> Result:
    result = Result("crash")
    run_id = "C" + secrets.token_hex(3)
    started = time.monotonic()
    with SMTPServer() as smtp:
        server = Server(folder, workers=workers, env=site_env(smtp.port))
        sent, in_flight, processes, held = [], 0, 0, 0
        for round_no in range(1, rounds + 2):
            restarted = time.monotonic()  # the workers' senders start with them
            server.start()  # waits until /healthz answers 200 on the database the last round left
            stored = compare(server.database, sent, TOLERATED)
            result.failures += [f"after round {round_no - 1}: {f}" for f in stored.failures]
            if round_no > rounds:
                break
            round_sent, tally, killed, round_held = load_until(
                server, smtp, run_id, clients, acknowledged_per_round, first_client=100 * round_no
            )
            sent += round_sent
            processes += len(killed)
            held += round_held
            if not round_held:
                result.failures.append(f"round {round_no}: no mail was being sent when the kill came")
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
        delivery = check_delivery(smtp.recorder, server.database, {s.reference for s in sent if s.reference}, started=restarted)
        result.failures += delivery.failures
        # Each mail held at a kill is sent again; at most one mail per killed worker can be.
        if not held <= delivery.repeats <= rounds * workers:
            result.failures.append(f"{delivery.repeats} mails repeated after {held} held at a kill by {rounds * workers} workers")
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
        "mails accepted": delivery.accepted,
        "mail held at a kill": held,
        "mails repeated (same Message-ID)": delivery.repeats,
        "outbox empty after restart, s": delivery.seconds,
    }
    return result
