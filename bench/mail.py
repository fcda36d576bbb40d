"""The mail part of `make bench`, against a local aiosmtpd (tests/mail_server.py) that records
when it accepted each mail:

- the time from a visitor's acknowledgement (the POST's response) to the SMTP server's acceptance
  of the office's notification, for a visitor sending the form now and then while wrk sends it
  as fast as it can (matched by the reference in the subject); and, for every submission wrk
  sent too, the time from queueing the notification (just before the commit) to its acceptance;
- the rate at which a backlog of queued notifications drains into the SMTP server.
"""

import os
import sqlite3
import statistics
import threading
import time
import uuid

from tests.mail_server import Recorder
from tests.reliability.client import Browser
from tests.reliability.mail import kind, outbox_states, reference
from webapp.contact import submissions
from webapp.db import connect

# Seconds between the probing visitor's submissions.
PROBE_INTERVAL = 0.05


class Probe:
    """A visitor who sends the form every PROBE_INTERVAL seconds while inside `with probe:`,
    noting when each acknowledgement arrived and with which reference."""

    def __init__(self, url: str, form):
        self.browser = Browser(url)
        self.form = form  # () -> (form key, stamp) of a page served more than the time trap's minimum ago
        self.acknowledged: dict[str, float] = {}
        self.failures = 0
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def run(self) -> None:
        while not self.stopping.is_set():
            key, served = self.form()
            fields = {"served": served, "form_key": key, "email": "", "message": f"Benchmark probe {key}"}
            try:
                response = self.browser.post_form(fields)
            except OSError:  # no answer in time: counted, as an answer without a reference is
                response = None
            now = time.time()
            if response is not None and (ref := response.reference()) is not None:
                self.acknowledged[ref] = now
            else:
                self.failures += 1
            self.stopping.wait(PROBE_INTERVAL)

    def __enter__(self) -> "Probe":
        self.stopping.clear()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.thread.join()


def percentiles(values: list[float]) -> dict:
    ms = sorted(v * 1000 for v in values)
    if not ms:  # nothing arrived: the table says nan and the target is missed
        return dict.fromkeys(("p50_ms", "p99_ms", "max_ms"), float("nan")) | {"count": 0}
    return {
        "count": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p99_ms": round(statistics.quantiles(ms, n=100, method="inclusive")[98], 1),
        "max_ms": round(ms[-1], 1),
    }


def notifications_at(recorder: Recorder) -> dict[str, float]:
    """When the office's notification for each reference was first accepted."""
    first = {}
    for mail in list(recorder.accepted):
        if kind(mail) == "notification":
            first.setdefault(reference(mail), mail.at)
    return first


def notification_latency(probe: Probe, recorder: Recorder, seconds: float = 120.0) -> dict:
    """Acknowledgement to acceptance for the probe's submissions, once all arrived (or `seconds` passed)."""
    deadline = time.monotonic() + seconds
    while (missing := probe.acknowledged.keys() - notifications_at(recorder).keys()) and time.monotonic() < deadline:
        time.sleep(0.5)
    accepted = notifications_at(recorder)
    result = percentiles([accepted[ref] - at for ref, at in probe.acknowledged.items() if ref in accepted])
    result.update(missing=len(missing), refused=probe.failures)
    return result


def queued_latency(database, recorder: Recorder, seconds: float = 120.0) -> dict:
    """Queueing to acceptance for every notification in the database, once nothing is queued."""
    deadline = time.monotonic() + seconds
    while outbox_states(database)["queued"] and time.monotonic() < deadline:
        time.sleep(0.5)
    conn = sqlite3.connect(database)
    try:
        queued = dict(conn.execute(
            "SELECT s.reference, o.queued_at FROM outbox o JOIN submissions s ON s.id = o.submission_id"
            " WHERE o.kind = 'notification'"
        ))
    finally:
        conn.close()
    accepted = notifications_at(recorder)
    result = percentiles([accepted[ref] - at for ref, at in queued.items() if ref in accepted])
    result["missing"] = len(queued.keys() - accepted.keys())
    return result


def fill_outbox(database, count: int) -> None:
    """`count` stored submissions without an address: as many queued notifications."""
    db = connect(database)
    db.execute("PRAGMA synchronous=OFF")  # filling, not measuring: no fsync per row
    try:
        for n in range(count):
            submissions.store(db, locale="sv", email="", message=f"Benchmark backlog {n}", form_key=uuid.uuid4().hex)
    finally:
        db.close()


def drain_rate(recorder: Recorder, count: int, started: float, seconds: float = 300.0) -> dict:
    """Wait until `count` mails were accepted; the rate from the first acceptance to the last."""
    deadline = time.monotonic() + seconds
    while len(recorder.accepted) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    times = sorted(mail.at for mail in recorder.accepted)
    result = {"mails": len(times), "per_s": None, "seconds": None, "seconds_from_start": None}
    if len(times) > 1:
        result.update(
            per_s=round((len(times) - 1) / (times[-1] - times[0]), 1),
            seconds=round(times[-1] - times[0], 2),
            seconds_from_start=round(times[-1] - started, 2),
        )
    result["loadavg"] = os.getloadavg()[0]  # the machine's other work slows the drain
    return result
