"""Visitors sending the contact form at the same time, and the check that the database
holds exactly what they were told: every acknowledged message once, byte for byte."""

import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass, field

from .client import Browser, form_fields

# Text a real visitor may write; none of it may be altered on the way to the database.
SAMPLES = [
    "Hej! Åsa från Göteborg undrar hur vänortssamarbetet med Bergen går till.",
    "Tack för informationen 👍🏽 🇸🇪 👩🏽‍💻",
    "مرحبا، أود أن أسأل عن الشراكة مع غوتنبرغ",
    "Combining marks: e\u0301 A\u030a n\u0303",
    "Quotes \"' <b>not markup</b> & '); DROP TABLE submissions;--",
    "Tab\tseparated\tcolumns",
]
# Seconds to wait for an answer before the request counts as timed out.
TIMEOUT = 30.0


def message_for(run: str, client: int, n: int) -> str:
    """A unique message of varying length (up to about 3000 characters)."""
    filler = "lorem ipsum åäö " * ((client * 37 + n * 101) % 190)
    return f"{run} k{client:02d} n{n:04d}\n{SAMPLES[(client + n) % len(SAMPLES)]}\n{filler}".strip()


@dataclass
class Sent:
    """One submission as its visitor saw it."""

    client: int
    n: int
    lang: str
    message: str
    email: str
    reference: str | None = None
    # "acknowledged", "timeout", "connection" (no answer: refused or cut), or "status NNN".
    outcome: str = "not sent"


@dataclass
class Tally:
    """Every answer any visitor got, and every request that got none, counted under a lock."""

    statuses: Counter = field(default_factory=Counter)
    # ("submit", "timeout"), ("page", "connection"), ...
    no_answer: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    database_locked: int = 0
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def request(self, what: str, send):
        """Make one request: (response, None), or (None, "timeout" / "connection") when no answer came."""
        try:
            response = send()
        except TimeoutError:
            failure = "timeout"
        except OSError:  # refused, reset, closed without answering
            failure = "connection"
        else:
            with self.lock:
                self.statuses[response.status] += 1
                if response.status >= 500:
                    self.server_errors.append(f"{what}: {response.status}")
                if b"database is locked" in response.body:
                    self.database_locked += 1
            return response, None
        with self.lock:
            self.no_answer[what, failure] += 1
        return None, failure

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + sum(self.no_answer.values())

    def unanswered(self, kind: str) -> int:
        return sum(n for (_, k), n in self.no_answer.items() if k == kind)


class Visitor(threading.Thread):
    """One browser sending the form again and again: page, submit, confirmation page.

    Every other submission goes the htmx way; every tenth is sent twice (a double
    click), and both answers must carry the same reference.
    """

    def __init__(self, url: str, run: str, client: int, tally: Tally, count: int | None, stop: threading.Event):
        super().__init__(daemon=True)
        self.browser = Browser(url, lang=("sv", "en")[client % 2], timeout=TIMEOUT)
        self.run_id, self.client, self.tally, self.count, self.stop = run, client, tally, count, stop
        self.sent: list[Sent] = []

    def run(self) -> None:
        n = 0
        while not self.stop.is_set() and (self.count is None or n < self.count):
            self.send(n)
            n += 1

    def send(self, n: int) -> None:
        email = f"k{self.client}.n{n}@example.se" if n % 2 else ""
        sent = Sent(self.client, n, self.browser.lang, message_for(self.run_id, self.client, n), email)
        htmx = n % 2 == 1
        page, _ = self.tally.request("page", lambda: self.browser.get(f"/{sent.lang}/"))
        if page is None:
            return
        if page.status != 200:
            self.tally.problem(f"the page answered {page.status}")
            return
        fields = {**form_fields(page), "email": sent.email, "message": sent.message}
        self.sent.append(sent)
        response, failure = self.tally.request("submit", lambda: self.browser.post_form(fields, htmx=htmx))
        if response is None:
            sent.outcome = failure
            return
        sent.reference = response.reference()
        if sent.reference is None:
            sent.outcome = f"status {response.status}"
            return
        sent.outcome = "acknowledged"
        if n % 10 == 3:
            again, _ = self.tally.request("resend", lambda: self.browser.post_form(fields, htmx=htmx))
            if again is not None and again.reference() != sent.reference:
                self.tally.problem(f"a resend of {sent.reference} answered {again.status} {again.reference()}")
        if response.status == 303:
            thanks, _ = self.tally.request("thanks", lambda: self.browser.get(response.header("Location")))
            if thanks is not None and (thanks.status != 200 or sent.reference not in thanks.text):
                self.tally.problem(f"the confirmation page for {sent.reference} answered {thanks.status}")


def run_visitors(url: str, run: str, clients: int, count: int | None, stop: threading.Event, tally: Tally, first_client: int = 0):
    visitors = [Visitor(url, run, first_client + c, tally, count, stop) for c in range(clients)]
    for v in visitors:
        v.start()
    return visitors


@dataclass
class Stored:
    """What the database holds, compared with what the visitors were told."""

    rows: int = 0
    unacknowledged: int = 0
    integrity: str = ""
    failures: list[str] = field(default_factory=list)


def compare(database, sent: list[Sent], tolerated: tuple[str, ...]) -> Stored:
    """Every acknowledged submission stored once and unchanged; any other row belongs to
    a submission whose visitor got no answer of a tolerated kind (timeout, cut connection)."""
    result = Stored()
    conn = sqlite3.connect(database)
    try:
        result.integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        rows = conn.execute("SELECT reference, message, email, locale, status FROM submissions").fetchall()
    except sqlite3.DatabaseError as exc:
        result.integrity = f"unreadable: {exc}"
        result.failures.append(f"the database cannot be read: {exc}")
        return result
    finally:
        conn.close()
    result.rows = len(rows)
    if result.integrity != "ok":
        result.failures.append(f"integrity_check: {result.integrity}")
    by_message = {s.message: s for s in sent}
    for message, times in Counter(r[1] for r in rows).items():
        if times > 1:
            result.failures.append(f"stored {times} times: {message[:40]!r}")
    stored_references = set()
    for reference, message, email, locale, status in rows:
        stored_references.add(reference)
        s = by_message.get(message)
        if s is None:
            result.failures.append(f"{reference} holds a message nobody sent (or an altered one): {message[:40]!r}")
        elif s.reference is None:
            if s.outcome in tolerated:
                result.unacknowledged += 1
            else:
                result.failures.append(f"{reference} is stored but its visitor was told {s.outcome}")
        elif (reference, email, locale, status) != (s.reference, s.email or None, s.lang, "new"):
            result.failures.append(f"{reference} differs from what was acknowledged as {s.reference}")
    for s in sent:
        if s.reference and s.reference not in stored_references:
            result.failures.append(f"{s.reference} was acknowledged but is not stored")
        if s.reference is None and s.outcome not in tolerated:
            result.failures.append(f"client {s.client} submission {s.n} was not acknowledged: {s.outcome}")
    return result

