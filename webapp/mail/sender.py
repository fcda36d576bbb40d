"""Delivering the outbox: a sender thread in every process that serves the site, and `flask mail send`.

Each gunicorn worker runs one thread (started by wsgi.py). Senders share the
work through the outbox's leases, so two never send one row at the same time,
and a row whose sender was killed is taken again when its lease runs out.
The lease is renewed after every mail and lasts three SMTP timeouts: the
connection is opened before anything is claimed, so one mail's exchange is
all a lease has to cover.
"""

import atexit
import ipaddress
import os
import threading
import time
import traceback
import uuid
from email.utils import parseaddr

from email_validator import EmailNotValidError, validate_email

from . import kinds, messages, outbox
from ..db import connect
from ..i18n import published
from .transport import PermanentFailure, TemporaryFailure, kept, open_transport

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
        """Forget the visitors' addresses kept in memory, queue the day's spam digest when it is
        due and run the features' scheduled tasks (once a minute at most; `now` for tests that
        move the clock)."""
        now = time.time() if now is None else now
        if now < self.next_scheduled_check:
            return
        self.next_scheduled_check = now + SCHEDULED_CHECK_SECONDS
        messages.forget_visitors()
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
            # A mail may have outlasted the lease: then another sender holds this row and the
            # rest of the batch, and sending them here too would send each twice.
            if not outbox.hold(db, owner, row["id"], time.time(), self.renewal()):
                self.log.warning("mail %s: this sender's lease ran out, the rest of its batch is left to another", row["id"])
                return tried, False
            tried += 1
            kind = kinds.KINDS.get(row["kind"])
            if kind and kind.switch and not self.config[kind.switch]:
                outbox.mark_skipped(db, row["id"], owner, f"{kind.name} mail is switched off (WEBAPP_{kind.switch})", self.renewal())
                continue
            try:
                msg, envelope, name = kinds.build(row, transport.smtputf8)
                transport.send(msg, envelope, name)
            except PermanentFailure as exc:
                self._failed(db, owner, row, kept(str(exc)), self.renewal())
            except TemporaryFailure as exc:
                self._temporary(db, owner, row, kept(str(exc)), self.renewal())
                if exc.connection_lost:
                    return tried, True
            except Exception as exc:  # noqa: BLE001 - one bad row must never hold back the others
                error = kept(f"{type(exc).__name__}: {exc}")
                # Where it failed, without the exception's own text, which may hold an address.
                where = "".join(traceback.format_tb(exc.__traceback__))
                self.log.error("mail %s (%s) could not be sent; it waits and is tried again: %s\n%s", row["id"], row["kind"], error, where)
                self._temporary(db, owner, row, error, self.renewal())
                return tried, True  # the connection may be half-way through a command: start a new one
            else:
                if not outbox.mark_sent(db, row["id"], owner, time.time(), self.renewal()):
                    self.log.warning("mail %s was sent after this sender's lease ran out: it may arrive twice, with one Message-ID", row["id"])
        return tried, False

    def _failed(self, db, owner: str, row: dict, error: str, renew: float) -> None:
        outbox.mark_failed(db, row["id"], owner, error, renew)
        what = f"mail {row['id']} ({row['kind']} for {row['reference'] or 'the office'})"
        kind = kinds.KINDS.get(row["kind"])
        if kind and not kind.office_needs_it:  # e.g. a receipt: the office still has the message
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
        rows, error = outbox.claim(db, owner, time.time(), self.lease_seconds, 10_000), kept(str(exc))
        waiting = [row for row in rows if not self._give_up(db, owner, row, error)]
        outbox.postpone(db, owner, [(row["id"], self.next_try(row)) for row in waiting], error)
        self.log.warning("mail server unavailable, %d mail(s) wait: %s", len(rows), error)

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


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def address_problem(value: str) -> str | None:
    """Why a configured address ("Name <a@b>" or "a@b") cannot be sent to or from, or None.

    Checked as the sender will use it: email_validator's syntax and IDNA domain, and an ASCII
    local part, since every SMTP server must take it without SMTPUTF8."""
    _display, spec = parseaddr(value)
    try:
        checked = validate_email(spec, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        return str(exc).rstrip(".")
    return None if checked.ascii_email else "its local part is not ASCII"


def config_problems(app) -> list[str]:
    """Mail settings the site must not start with (the password is never shown)."""
    config, problems = app.config, []
    for name in ("MAIL_OFFICE", "MAIL_DEFAULT_SENDER"):
        if config["MAIL_SERVER"] and "@" not in (config[name] or ""):
            problems.append(f"WEBAPP_MAIL_SERVER is set but WEBAPP_{name} is not an address: set it.")
        elif config[name] and (why := address_problem(config[name])):
            problems.append(f"WEBAPP_{name} {config[name]!r} cannot be used: {why}.")
    if config["MAIL_SERVER"] and not str(config["PUBLIC_URL"]).startswith(("https://", "http://")):
        problems.append(
            "WEBAPP_MAIL_SERVER is set but WEBAPP_PUBLIC_URL is not the site's address (https://...): the office's"
            " mail links to each message in the staff area with it. Set it."
        )
    if not config["MAIL_SERVER"] and not config["MAIL_FILE_DIR"]:
        problems.append(
            "Neither WEBAPP_MAIL_SERVER (the SMTP relay for the office's mail) nor WEBAPP_MAIL_FILE_DIR (a folder,"
            " to write the mail to files on purpose) is set: set one."
        )
    if (config["MAIL_USERNAME"] or config["MAIL_PASSWORD"]) and not (config["MAIL_USE_TLS"] or config["MAIL_USE_SSL"]):
        if config["MAIL_SERVER"] and not is_loopback(config["MAIL_SERVER"]):
            problems.append(
                "WEBAPP_MAIL_USERNAME/PASSWORD would be sent unencrypted: set WEBAPP_MAIL_USE_TLS or WEBAPP_MAIL_USE_SSL"
                " (credentials without TLS only to a server on this machine)."
            )
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
