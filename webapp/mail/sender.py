"""Delivering the outbox: a sender thread in every process that serves the site, and `flask mail send`.

Each gunicorn worker runs one thread (started by wsgi.py). Senders share the
work through the outbox's leases, so two never send one row at the same time,
and a row whose sender was killed is taken again when its lease runs out.
The lease is renewed after every mail and lasts three SMTP timeouts: the
connection is opened before anything is claimed, so one mail's exchange is
all a lease has to cover.
"""

import atexit
import os
import threading
import time
import uuid

from . import kinds, outbox
from ..db import connect
from ..i18n import published
from .transport import PermanentFailure, TemporaryFailure, open_transport

BATCH = 50
# How often an idle sender looks for mail queued by other processes; mail this
# process queues wakes it at once.
POLL_SECONDS = 1.0
SCHEDULED_CHECK_SECONDS = 60.0
# Features' scheduled work, each `task(app, db, now)`, registered by their init_app (the
# retention rules' daily deletion and weekly warning): run where the digest is queued.
TASKS = "mail_sender_tasks"


class Sender:
    def __init__(self, app):
        self.app = app
        self.config = app.config
        self.log = app.logger
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.next_scheduled_check = 0.0

    @property
    def lease_seconds(self) -> float:
        return 3 * float(self.config["MAIL_TIMEOUT"])

    def renewal(self) -> float:
        """Until when the claims still held are extended after each mail."""
        return time.time() + self.lease_seconds

    # --- one pass ---------------------------------------------------------

    def connect(self):
        db = connect(self.config["DATABASE"], self.config["DATABASE_TIMEOUT"])
        # A sender's updates need not wait for the disk: WAL with NORMAL survives a crash of
        # the process, and what a power cut could lose is a "sent" mark, so the mail goes
        # again with the same Message-ID (at least once). The submission's own transaction,
        # the visitor's, stays FULL.
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def run_scheduled(self, now: float | None = None) -> None:
        """Queue the day's spam digest when it is due and run the features' scheduled tasks
        (looked at once a minute at most; `now` for tests that move the clock)."""
        now = time.time() if now is None else now
        if now < self.next_scheduled_check:
            return
        self.next_scheduled_check = now + SCHEDULED_CHECK_SECONDS
        db = self.connect()
        try:
            outbox.queue_digest(db, now, int(self.config["MAIL_DIGEST_HOUR"]))
            for task in self.app.extensions.get(TASKS, ()):
                task(self.app, db, now)
        finally:
            db.close()

    def send_due(self) -> int:
        """Send everything due now; returns how many mails were tried."""
        with self.app.app_context():
            db = self.connect()
            try:
                return self._send_due(db)
            finally:
                db.close()

    def _send_due(self, db) -> int:
        tried = 0
        while not self.stopping.is_set() and outbox.has_due(db, time.time()):
            owner = uuid.uuid4().hex
            try:
                transport = open_transport(self.config)
            except TemporaryFailure as exc:
                self._postpone_all(db, owner, exc)
                break
            try:
                while not self.stopping.is_set():
                    batch = outbox.claim(db, owner, time.time(), self.lease_seconds, BATCH)
                    if not batch:
                        break
                    count, lost = self._deliver(db, transport, owner, batch)
                    tried += count
                    if lost:
                        break
            finally:
                transport.close()
                outbox.release(db, owner)  # claimed but not tried: due again at once
        return tried

    def _deliver(self, db, transport, owner: str, batch: list[dict]) -> tuple[int, bool]:
        """Send a claimed batch over one connection; returns (mails tried, connection lost)."""
        tried = 0
        for row in batch:
            if self.stopping.is_set():
                break
            tried += 1
            kind = kinds.KINDS[row["kind"]]
            if kind.switch and not self.config[kind.switch]:
                outbox.mark_skipped(db, row["id"], owner, f"{kind.name} mail is switched off (WEBAPP_{kind.switch})", self.renewal())
                continue
            try:
                msg, envelope, name = kinds.build(row, transport.smtputf8)
                transport.send(msg, envelope, name)
            except PermanentFailure as exc:
                self._failed(db, owner, row, str(exc), self.renewal())
            except TemporaryFailure as exc:
                self._temporary(db, owner, row, str(exc), self.renewal())
                if exc.connection_lost:
                    return tried, True
            else:
                outbox.mark_sent(db, row["id"], owner, time.time(), self.renewal())
        return tried, False

    def _failed(self, db, owner: str, row: dict, error: str, renew: float) -> None:
        outbox.mark_failed(db, row["id"], owner, error, renew)
        what = f"mail {row['id']} ({row['kind']} for {row['reference'] or 'the office'})"
        if not kinds.KINDS[row["kind"]].office_needs_it:  # e.g. a receipt: the office still has the message
            self.log.warning("%s failed: %s", what, error)
        else:
            self.log.error("%s to the office failed: %s. Fix the cause, then `flask mail retry --failed`.", what, error)

    def _give_up(self, db, owner: str, row: dict, error: str, renew: float | None = None) -> bool:
        """Fail a mail that has been retried for WEBAPP_MAIL_GIVE_UP_HOURS; True if it was."""
        if time.time() < outbox.give_up_at(row["queued_at"], float(self.config["MAIL_GIVE_UP_HOURS"])):
            return False
        self._failed(db, owner, row, f"gave up after {row['attempts']} attempts: {error}", renew)
        return True

    def next_try(self, row: dict) -> float:
        return time.time() + outbox.backoff(row["attempts"], float(self.config["MAIL_RETRY_MAX_SECONDS"]))

    def _temporary(self, db, owner: str, row: dict, error: str, renew: float) -> None:
        if not self._give_up(db, owner, row, error, renew):
            outbox.retry_later(db, row["id"], owner, self.next_try(row), error, renew)

    def _postpone_all(self, db, owner: str, exc: TemporaryFailure) -> None:
        """The server cannot be reached: every due mail waits for its next try."""
        rows = outbox.claim(db, owner, time.time(), self.lease_seconds, 10_000)
        waiting = [row for row in rows if not self._give_up(db, owner, row, str(exc))]
        outbox.postpone(db, owner, [(row["id"], self.next_try(row)) for row in waiting], str(exc))
        self.log.warning("mail server unavailable, %d mail(s) wait: %s", len(rows), exc)

    # --- the thread -------------------------------------------------------

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.run_scheduled()
                self.send_due()
            except Exception:  # never let the thread die; the next pass tries again
                self.log.exception("the mail sender failed; trying again")
            outbox.wait_for_mail(POLL_SECONDS)

    def start(self) -> "Sender":
        self.thread = threading.Thread(target=self.run, name="mail-sender", daemon=True)
        self.thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Let the mail in progress finish, then stop (the rest stays queued)."""
        self.stopping.set()
        outbox.notify_senders()
        if self.thread is not None:
            self.thread.join(timeout if timeout is not None else self.lease_seconds)


def config_problems(app) -> list[str]:
    """Mail settings the site must not start with (the password is never shown)."""
    config, problems = app.config, []
    if config["MAIL_SERVER"]:
        for name in ("MAIL_OFFICE", "MAIL_DEFAULT_SENDER"):
            if "@" not in (config[name] or ""):
                problems.append(f"WEBAPP_MAIL_SERVER is set but WEBAPP_{name} is not an address: set it.")
    if not (str(config["MAIL_USERNAME"]) + str(config["MAIL_PASSWORD"])).isascii():
        problems.append("WEBAPP_MAIL_USERNAME or WEBAPP_MAIL_PASSWORD is not ASCII, which SMTP AUTH (smtplib) cannot send.")
    if config["MAIL_USE_TLS"] and config["MAIL_USE_SSL"]:
        problems.append("WEBAPP_MAIL_USE_TLS and WEBAPP_MAIL_USE_SSL are both true: choose STARTTLS or implicit TLS.")
    if config["MAIL_CA_FILE"] and not os.access(config["MAIL_CA_FILE"], os.R_OK):
        problems.append(f"WEBAPP_MAIL_CA_FILE {config['MAIL_CA_FILE']} cannot be read.")
    if config["MAIL_OFFICE_LANGUAGE"] not in published(app):
        problems.append(f"WEBAPP_MAIL_OFFICE_LANGUAGE must be one of {', '.join(published(app))}.")
    return problems


def start(app) -> Sender:
    """Start this process's sender thread; it stops at exit, after the mail in progress."""
    if not app.config["MAIL_SERVER"] and not (app.debug or app.testing):
        app.logger.warning(
            "WEBAPP_MAIL_SERVER is not set: mail is written to %s instead of being sent", app.config["MAIL_FILE_DIR"]
        )
    sender = Sender(app).start()
    atexit.register(sender.stop)
    return sender


def init_app(app) -> None:
    # `flask run --debug` (make dev) serves from the reloader's child process: send from there.
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") == "true":
        start(app)
