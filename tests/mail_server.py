"""A real SMTP server for the tests: aiosmtpd's Controller on 127.0.0.1, recording what it accepts."""

import email
import socket
import threading
import time
from email import policy
from email.message import EmailMessage
from functools import cached_property

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Received:
    def __init__(self, envelope):
        self.at = time.time()  # when the server accepted it
        self.sender = envelope.mail_from
        self.recipients = list(envelope.rcpt_tos)
        self.options = list(envelope.mail_options)
        self.raw = envelope.original_content or envelope.content

    @cached_property
    def mail(self) -> EmailMessage:
        # Parsed when first read, not while the server answers (make bench counts its rate).
        return email.message_from_bytes(self.raw, policy=policy.default)

    @property
    def text(self) -> str:
        return self.mail.get_content().replace("\r\n", "\n")

    def __getitem__(self, header):
        return self.mail[header]


class Recorder:
    """Answers DATA with the next of `answers` (250 when none are left) and keeps what it accepted.

    `hold`, when set to a threading.Event, makes DATA wait until it is set: the
    server has the whole mail but has not answered yet. `holding` is set when a DATA waits.
    """

    def __init__(self):
        self.accepted: list[Received] = []
        self.answers: list[str] = []
        self.hold: threading.Event | None = None
        self.holding = threading.Event()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        hold = self.hold
        if hold is None:
            return self.answer(envelope)
        self.holding.set()
        # The wait and the acceptance run in a thread: aiosmtpd cancels this coroutine when the
        # client goes away, but a mail the server has whole is accepted once released, as a
        # real server that queued it before its client died (the duplicate of RFC 1047).
        return await server.loop.run_in_executor(None, self.answer, envelope, hold)

    def answer(self, envelope, hold: threading.Event | None = None) -> str:
        if hold is not None:
            hold.wait()
        with self.lock:
            answer = self.answers.pop(0) if self.answers else "250 OK"
            if answer.startswith("250"):
                self.accepted.append(Received(envelope))
        return answer

    def wait_for(self, count: int, seconds: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + seconds
        while len(self.accepted) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.accepted)


class Authenticator:
    """Accepts exactly one user name and password."""

    def __init__(self, username: str, password: str):
        self.username, self.password = username.encode(), password.encode()
        self.attempts = 0

    def __call__(self, server, session, envelope, mechanism, auth_data):
        self.attempts += 1
        ok = auth_data.login == self.username and auth_data.password == self.password
        return AuthResult(success=ok, handled=False)


class SMTPServer:
    """Start with `with SMTPServer(**aiosmtpd_options) as server:`; `server.port`, `server.recorder`."""

    def __init__(self, port: int | None = None, **options):
        self.recorder = Recorder()
        self.port = port or free_port()
        self.options = options
        self.controller: Controller | None = None

    def start(self) -> "SMTPServer":
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, **self.options)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            if self.recorder.hold is not None:
                self.recorder.hold.set()
            self.controller.stop()
            self.controller = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
