"""Load: many visitors at once; afterwards the database holds exactly what they were told,
and the SMTP server got every mail the outbox holds, each once."""

import json
import secrets
import threading
import time

from tests.mail_server import SMTPServer

from .mail import check_delivery, site_env
from .report import Result
from .server import Server
from .traffic import Tally, compare, run_visitors


def request_log_lines(log_path) -> list[dict]:
    """The site's own request lines (gunicorn's log may hold other JSON, an access log say)."""
    lines = []
    for line in log_path.read_text(errors="replace").splitlines():
        if line.startswith("{") and (entry := json.loads(line)).get("event") == "request":
            lines.append(entry)
    return lines


def run(folder, clients: int = 16, per_client: int = 150, workers: int = 4) -> Result:
    result = Result("load")
    run_id = "L" + secrets.token_hex(3)
    started = time.monotonic()
    tally = Tally()
    with SMTPServer() as smtp, Server(folder, workers=workers, env=site_env(smtp.port)) as server:
        visitors = run_visitors(server.url, run_id, clients, per_client, threading.Event(), tally)
        for visitor in visitors:
            visitor.join()
        result.seconds = time.monotonic() - started
        sent = [s for v in visitors for s in v.sent]
        delivery = check_delivery(smtp.recorder, server.database, {s.reference for s in sent if s.reference})
    stored = compare(server.database, sent, tolerated=("timeout",))
    acknowledged = sum(1 for s in sent if s.reference)

    result.failures += stored.failures + tally.problems + tally.server_errors + delivery.failures
    if delivery.repeats:
        result.failures.append(f"{delivery.repeats} mails were sent twice with no crash")
    if tally.database_locked:
        result.failures.append(f'{tally.database_locked} answers said "database is locked"')
    if lost := tally.unanswered("connection"):
        result.failures.append(f"{lost} requests got no answer (connection refused or cut)")
    if len(sent) != clients * per_client:
        result.failures.append(f"{len(sent)} submissions sent, expected {clients * per_client}")

    logged = [line for line in request_log_lines(server.log) if line["path"] != "/healthz"]
    if len(logged) != sum(tally.statuses.values()):
        result.failures.append(f"{len(logged)} request log lines for {sum(tally.statuses.values())} answered requests")
    if run_id in server.log.read_text(errors="replace"):
        result.failures.append("message text reached the log")

    result.figures = {
        "clients": clients,
        "sent": len(sent),
        "acknowledged": acknowledged,
        "rows": stored.rows,
        "timeouts": tally.unanswered("timeout"),
        "unacknowledged rows": stored.unacknowledged,
        "requests": tally.requests,
        "5xx": len(tally.server_errors),
        "stored per second": round(acknowledged / result.seconds),
        "requests per second": round(tally.requests / result.seconds),
        "integrity": stored.integrity,
        "mails accepted": delivery.accepted,
        "mails sent twice": delivery.repeats,
        "outbox empty after the load, s": delivery.seconds,
    }
    return result
