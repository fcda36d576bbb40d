"""Handing a built mail over: to an SMTP server with smtplib, or as an .eml file when no server is set.

Every failure is either temporary (retry later) or permanent (the mail failed).
No error text ever contains the password: smtplib's errors carry only the server's answers.
"""

import functools
import os
import re
import smtplib
import ssl
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path


@dataclass
class Envelope:
    sender: str
    recipients: list[str]
    # An address with a non-ASCII local part: only with the server's SMTPUTF8 (RFC 6531).
    smtputf8: bool = False


class DeliveryFailure(Exception):
    """`connection_lost`: the connection cannot take the next mail."""

    def __init__(self, message: str, connection_lost: bool = False):
        super().__init__(message)
        self.connection_lost = connection_lost


class TemporaryFailure(DeliveryFailure):
    """Try again later."""


class PermanentFailure(DeliveryFailure):
    """Trying again would get the same answer."""


def serialise(msg: EmailMessage, envelope: Envelope) -> bytes:
    return msg.as_bytes(policy=policy.SMTPUTF8 if envelope.smtputf8 else policy.SMTP)


class FileTransport:
    """One .eml file per mail (Django's file backend's convention), written whole or not at all."""

    smtputf8 = True

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def send(self, msg: EmailMessage, envelope: Envelope, name: str) -> None:
        path = self.folder / f"{time.strftime('%Y%m%dT%H%M%S')}-{name}.eml"
        partial = path.with_name(f".{path.name}.partial")
        try:
            partial.write_bytes(serialise(msg, envelope))
            os.replace(partial, path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise TemporaryFailure(f"cannot write {path}: {exc.strerror}", connection_lost=True) from None

    def close(self) -> None:
        pass


def answer(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {text}"


# An address in an error, with its angle brackets: servers echo the one they refuse, mostly the visitor's.
ADDRESS = re.compile(r"<?[^\s<>()\[\]\"',;:=]+@[^\s<>()\[\]\"',;:=]+>?")
ERROR_MAX = 300


def kept(error: str) -> str:
    """An error as the outbox and the log keep it: the server's codes and reason, on one line,
    every address in it replaced (README "Mail", and the privacy page, say so)."""
    text = ADDRESS.sub("<address>", " ".join(error.split()))
    return text if len(text) <= ERROR_MAX else text[: ERROR_MAX - 1] + "…"


def by_code(code: int, message: str, connection_lost: bool = False) -> DeliveryFailure:
    kind = PermanentFailure if 500 <= code < 600 else TemporaryFailure
    return kind(message, connection_lost)


def tls_context(ca_file: str) -> ssl.SSLContext:
    """The verifying context, made once per process and CA file: loading the system's
    certificates costs 10-20 ms of CPU, which every connection of a sender paid before."""
    mtime = os.stat(ca_file).st_mtime_ns if ca_file else None  # a replaced CA file is read again
    return _tls_context(ca_file, mtime)


@functools.lru_cache(maxsize=4)
def _tls_context(ca_file: str, mtime: int | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


class SMTPTransport:
    """One connection, reused for every mail of a batch. Certificates are always verified."""

    def __init__(self, config):
        timeout = float(config["MAIL_TIMEOUT"])
        host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
        try:
            if config["MAIL_USE_SSL"]:
                self.smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls_context(config["MAIL_CA_FILE"]))
            else:
                self.smtp = smtplib.SMTP(host, port, timeout=timeout)
                if config["MAIL_USE_TLS"]:
                    self.smtp.starttls(context=tls_context(config["MAIL_CA_FILE"]))
            self.smtp.ehlo_or_helo_if_needed()
            if config["MAIL_USERNAME"]:
                self.smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except smtplib.SMTPResponseException as exc:
            self._abandon()
            # A refused login or STARTTLS is the configuration's fault, not the mail's: keep it queued.
            raise TemporaryFailure(f"{host}:{port} answered {answer(exc)}", connection_lost=True) from None
        except (smtplib.SMTPException, OSError) as exc:
            self._abandon()
            raise TemporaryFailure(f"cannot reach {host}:{port}: {type(exc).__name__}: {exc}", connection_lost=True) from None
        except UnicodeEncodeError:  # smtplib's AUTH takes ASCII only (flask check says so too)
            self._abandon()
            raise TemporaryFailure("the user name or password is not ASCII, which smtplib cannot send", connection_lost=True) from None

    def _abandon(self) -> None:
        smtp = getattr(self, "smtp", None)
        if smtp is not None:
            smtp.close()

    @property
    def smtputf8(self) -> bool:
        return self.smtp.has_extn("smtputf8")

    def send(self, msg: EmailMessage, envelope: Envelope, name: str) -> None:
        options = ["SMTPUTF8", "BODY=8BITMIME"] if envelope.smtputf8 else []
        try:
            refused = self.smtp.sendmail(envelope.sender, envelope.recipients, serialise(msg, envelope), mail_options=options)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise by_code(code, f"recipient refused: {code} {text.decode('utf-8', 'replace')}") from None
        except smtplib.SMTPServerDisconnected as exc:
            raise TemporaryFailure(f"connection lost: {exc}", connection_lost=True) from None
        except smtplib.SMTPResponseException as exc:
            # 421 closes the connection; any other answer leaves it usable (smtplib sent RSET).
            raise by_code(exc.smtp_code, answer(exc), connection_lost=exc.smtp_code == 421) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise PermanentFailure(str(exc)) from None
        except OSError as exc:  # a timeout, a reset connection
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}", connection_lost=True) from None
        if refused:  # only with several recipients, which we never have; do not let one pass silently
            raise TemporaryFailure(f"some recipients refused: {sorted(refused)}")

    def close(self) -> None:
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()


def open_transport(config):
    """The SMTP transport when WEBAPP_MAIL_SERVER is set, otherwise the file transport."""
    if config["MAIL_SERVER"]:
        return SMTPTransport(config)
    return FileTransport(config["MAIL_FILE_DIR"])
