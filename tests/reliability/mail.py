"""The office's mail in the load and crash scenarios: the site sends to a real SMTP server
(aiosmtpd on 127.0.0.1, tests/mail_server.py), and afterwards every acknowledged submission's
notification has arrived there, every outbox row was accepted, and a repeat carries the same Message-ID."""

import sqlite3
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from tests.mail_server import Received, Recorder

from .client import REFERENCE

OFFICE = "registrator@example.se"
# Seconds per SMTP operation; a sender's lease lasts three of them (webapp/mail/sender.py),
# so mail held by a killed worker is taken again within seconds of the restart.
MAIL_TIMEOUT = 2


def smtp_env(smtp_port: int) -> dict[str, str]:
    """The site's settings for sending to an SMTP server on 127.0.0.1, in plain SMTP (also `make bench`'s)."""
    return {
        "WEBAPP_MAIL_SERVER": "127.0.0.1",
        "WEBAPP_MAIL_PORT": str(smtp_port),
        "WEBAPP_MAIL_USE_TLS": "false",
        "WEBAPP_MAIL_OFFICE": OFFICE,
        "WEBAPP_MAIL_DEFAULT_SENDER": "noreply@example.se",
        "WEBAPP_PUBLIC_URL": "https://internationella.example",
        # The public URL's host is the only one trusted otherwise; the visitors here ask for
        # the loopback address the server listens on.
        "WEBAPP_TRUSTED_HOSTS": "127.0.0.1",
    }


def site_env(smtp_port: int) -> dict[str, str]:
    """As smtp_env, for the scenarios: short leases, and no time trap."""
    return {
        **smtp_env(smtp_port),
        "WEBAPP_MAIL_TIMEOUT": str(MAIL_TIMEOUT),
        # The visitors send the form the moment they get it: no time trap.
        "WEBAPP_MAIL_SPAM_MIN_SECONDS": "0",
    }


def kill_while_sending(server, recorder: Recorder, seconds: float = 15.0) -> tuple[list[int], bool]:
    """kill -9 the master and every worker while the SMTP server holds a DATA command: it has the
    whole mail but has not answered, so no sender can have marked it sent. Then the server accepts
    what it held, as a real one may after its client died, and the outbox still has it queued.

    Returns the killed process ids, and whether a DATA command was held when the kill came.
    """
    recorder.hold = threading.Event()  # a new one each time; the last one stays set
    recorder.holding.clear()
    held = recorder.holding.wait(seconds)
    killed = server.kill9()
    recorder.hold.set()
    return killed, held


def outbox_states(database) -> Counter:
    conn = sqlite3.connect(database)
    try:
        return Counter(dict(conn.execute("SELECT status, count(*) FROM outbox GROUP BY status")))
    finally:
        conn.close()


def stored_references(database) -> set[str]:
    conn = sqlite3.connect(database)
    try:
        return {row[0] for row in conn.execute("SELECT reference FROM submissions")}
    finally:
        conn.close()


def reference(mail: Received) -> str | None:
    """The submission's reference, from the subject."""
    found = REFERENCE.search(mail["Subject"] or "")
    return found.group(0) if found else None


def kind(mail: Received) -> str:
    return "notification" if mail.recipients == [OFFICE] else "receipt"


@dataclass
class Delivery:
    accepted: int = 0  # mails the SMTP server accepted, repeats included
    repeats: int = 0  # accepted again with a Message-ID already seen
    seconds: float = 0.0  # from `started` until nothing was queued any more
    failures: list[str] = field(default_factory=list)


def check_delivery(recorder: Recorder, database, acknowledged: set[str], seconds: float = 60.0,
                   started: float | None = None) -> Delivery:
    """Wait until the outbox has nothing queued (at most `seconds` from `started`, a time.monotonic(),
    by default now), then compare what the SMTP server accepted with the outbox and with the
    references the visitors were given."""
    started = time.monotonic() if started is None else started
    while outbox_states(database)["queued"] and time.monotonic() - started < seconds:
        time.sleep(0.2)
    result = Delivery(seconds=round(time.monotonic() - started, 1))
    states = outbox_states(database)
    mails = list(recorder.accepted)
    result.accepted = len(mails)
    ids = Counter(m["Message-ID"] for m in mails)
    result.repeats = len(mails) - len(ids)

    # One Message-ID per mail of a submission, however often it was accepted.
    by_mail = defaultdict(set)
    for m in mails:
        by_mail[reference(m), kind(m)].add(m["Message-ID"])
    for (ref, what), message_ids in by_mail.items():
        if len(message_ids) > 1:
            result.failures.append(f"the {what} for {ref} arrived with {len(message_ids)} different Message-IDs")
    notified = {ref for ref, what in by_mail if what == "notification"}

    if states["queued"]:
        result.failures.append(f"{states['queued']} mails still queued after {seconds:.0f} s")
    if states["failed"] or states["skipped"]:
        result.failures.append(f"outbox rows failed: {states['failed']}, skipped: {states['skipped']}")
    if len(ids) != states["sent"]:
        result.failures.append(f"{len(ids)} different Message-IDs accepted for {states['sent']} rows sent")
    for ref in sorted(acknowledged - notified)[:10]:
        result.failures.append(f"{ref} was acknowledged but its notification never arrived")
    for ref in sorted(notified - stored_references(database))[:10]:
        result.failures.append(f"a notification arrived for {ref}, which is not stored")
    return result
