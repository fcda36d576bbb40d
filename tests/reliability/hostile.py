"""Hostile input: malformed and malicious requests, each with the status class it must get.

For every case: no 5xx, no payload reflected unescaped, no file from outside static/.
Afterwards the database holds exactly the rows of the valid cases, stored as the
README documents (line breaks as LF, white space around removed, nothing else changed).
"""

import json
import secrets
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlencode

from .client import Browser, Response, encode_request, exchange
from .report import Result, table
from .server import Server

ROOT = Path(__file__).resolve().parents[2]
URLENCODED = ("Content-Type", "application/x-www-form-urlencoded")
MB10 = 10 * 1024 * 1024

XSS = '<script>alert("gbg")</script>'
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
SQL = "'); DROP TABLE submissions;--"
ASTRAL = "\U0001d11e"  # MUSICAL SYMBOL G CLEF, outside the Basic Multilingual Plane
# What must never be served: source, the database, system files.
SECRETS = [b"def create_app", b"SQLite format 3", b"root:x:0:0", b"[build-system]", b"startup.check(app)"]


@dataclass
class Case:
    name: str
    expect: str  # a class ("4xx") or an exact status ("413")
    send: Callable[["Context"], Response]
    reflect: str | None = None  # must not come back unescaped, in the body or a header
    stores: tuple[str, str | None, str] | None = None  # (message, email, status) this case adds

    def accepts(self, status: int) -> bool:
        return str(status) == self.expect or (self.expect.endswith("xx") and str(status)[0] == self.expect[0])


@dataclass
class Context:
    url: str
    timeout: float = 30.0

    def browser(self, lang: str = "sv") -> Browser:
        return Browser(self.url, lang, timeout=self.timeout)


# --- ways to send -------------------------------------------------------------------------------------


def form(lang="sv", htmx=False, path=None, headers=(), **values) -> Callable:
    """A fresh visitor's submit: the page's key, then `values` (None leaves a field out)."""

    def send(ctx):
        browser = ctx.browser(lang)
        fields = {**browser.open_form(), "email": "", "message": ""}
        for name, value in values.items():
            if value is None:
                fields.pop(name, None)
            else:
                fields[name] = value
        return browser.post_form(fields, htmx=htmx, path=path, headers=headers)

    return send


def form_with_raw(tail: bytes) -> Callable:
    """A fresh visitor's submit whose last bytes are written by hand, as no browser would."""

    def send(ctx):
        browser = ctx.browser()
        fields = {**browser.open_form(), "email": ""}
        return browser.request("POST", "/sv/contact", [URLENCODED], urlencode(fields).encode() + b"&" + tail)

    return send


def body_as(content_type: str, encode: Callable[[dict], bytes]) -> Callable:
    """A valid form's fields, sent in another body format."""

    def send(ctx):
        browser = ctx.browser()
        fields = {**browser.open_form(), "email": "", "message": "Hej från ett skript"}
        return browser.request("POST", "/sv/contact", [("Content-Type", content_type)], encode(fields))

    return send


def multipart(fields: dict) -> bytes:
    parts = [f'--b0undary\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()]
    return ("".join(parts) + "--b0undary--\r\n").encode()


def request(method: str, path: str, headers=(), body: bytes = b"") -> Callable:
    return lambda ctx: ctx.browser().request(method, path, headers, body)


def raw(data: bytes) -> Callable:
    """Bytes on the wire exactly as given (the Host header is filled in)."""

    def send(ctx):
        addr = ctx.browser().addr
        return exchange(addr, data.replace(b"HOST", b"%s:%d" % (addr[0].encode(), addr[1])), ctx.timeout)

    return send


def large_body(chunked: bool = False, send_body: bool = True) -> Callable:
    """10 MB: the server must answer 413 without reading it (bytes_sent tells how much went)."""

    def send(ctx):
        browser = ctx.browser()
        fields = browser.open_form()
        host = "%s:%d" % browser.addr
        framing = ("Transfer-Encoding", "chunked") if chunked else ("Content-Length", str(MB10))
        head = encode_request("POST", "/sv/contact", host, [URLENCODED, framing], content_length=False)
        start = urlencode(fields).encode() + b"&message="
        piece = b"a" * 65536
        if chunked:
            chunks = [b"%x\r\n%s\r\n" % (len(start), start)] + [b"%x\r\n%s\r\n" % (len(piece), piece)] * (MB10 // len(piece))
            chunks.append(b"0\r\n\r\n")
        else:
            chunks = [start] + [piece] * ((MB10 - len(start)) // len(piece))
        return exchange(browser.addr, head, ctx.timeout, body_chunks=chunks if send_body else ())

    return send


def headers_of_size(size: int, count: int = 1) -> Callable:
    return request("GET", "/sv/", [(f"X-Padding-{i}", "a" * size) for i in range(count)])


# --- the cases -----------------------------------------------------------------------------------------

SWEDISH = "Hej! Jag undrar över vänortsavtalet med Åbo – går det att söka bidrag för utbyten? Mvh Åsa Öberg"
EMOJI = "Tack för hjälpen 👍🏽 🇸🇪 👩🏽‍💻 ❤️"
ARABIC = "مرحبا، أود أن أسأل عن الشراكة بين غوتنبرغ وكيب تاون"
COMBINING = "Cafe\u0301 i A\u030angermanland, n\u0303, o\u0308"  # decomposed (NFD): kept as sent


CROSS_SITE = ("Sec-Fetch-Site", "cross-site")


def valid(name, message, stored=None, email="", stored_email=None, status="new", htmx=False, **extra) -> Case:
    """A case the site must accept and store as documented."""
    stored = message if stored is None else stored
    return Case(name, "2xx" if htmx else "3xx", form(message=message, email=email, htmx=htmx, **extra), stores=(stored, stored_email, status))


CASES = [
    # Cross-site request forgery
    Case("form from another site", "4xx", form(message="Hej", headers=[CROSS_SITE])),
    Case("form from a sibling site", "4xx", form(message="Hej", headers=[("Sec-Fetch-Site", "same-site")])),
    Case("Origin of another site, no Fetch Metadata", "4xx", form(message="Hej", headers=[("Origin", "https://evil.example")])),
    Case("Origin null", "4xx", form(message="Hej", headers=[("Origin", "null")])),
    Case("cross-site refusal shows the text escaped", "4xx", form(message=XSS, headers=[CROSS_SITE]), reflect=XSS),
    # The message rules
    Case("empty message", "4xx", form(message="")),
    Case("white space only", "4xx", form(message=" \r\n\t \u00a0\n ")),
    Case("5001 characters", "4xx", form(message="a" * 5001)),
    Case("5001 astral-plane characters", "4xx", form(message=ASTRAL * 5001)),
    Case("NUL byte", "4xx", form(message="Hej\x00då")),
    Case("terminal escape sequence", "4xx", form(message="Hej \x1b[31mröd\x1b[0m")),
    Case("DEL character", "4xx", form(message="Hej\x7f")),
    Case("vertical tab and form feed", "4xx", form(message="a\x0bb\x0cc")),
    # Encodings
    Case("invalid UTF-8 (%FF)", "4xx", form_with_raw(b"message=Hej%FFd%C3%A5")),
    Case("raw Latin-1 bytes", "4xx", form_with_raw(b"message=G\xf6teborg")),
    Case("lone surrogate, UTF-8 encoded", "4xx", form_with_raw(b"message=%ED%A0%80")),
    Case("overlong encoding of /", "4xx", form_with_raw(b"message=%C0%AF")),
    Case("truncated UTF-8 sequence", "4xx", form_with_raw(b"message=%E2%82")),
    Case("invalid UTF-8 in a field name", "4xx", form_with_raw(b"message=Hej&%FF%FE=1")),
    # The e-mail rules
    Case("header injection (CRLF) in e-mail", "4xx", form(email="anna@example.se\r\nBcc: all@example.com", message="Hej")),
    Case("header injection (LF) in e-mail", "4xx", form(email="anna@example.se\nBcc: all@example.com", message="Hej")),
    Case("300-character e-mail", "4xx", form(email="a" * 288 + "@example.se", message="Hej")),
    Case("XSS in e-mail", "4xx", form(email=XSS + "@example.se", message="Hej"), reflect=XSS),
    Case("attribute breakout in e-mail", "4xx", form(email=ATTRIBUTE, message="Hej"), reflect=ATTRIBUTE),
    Case("NUL in e-mail", "4xx", form(email="anna\x00@example.se", message="Hej")),
    # Markup and SQL
    Case("XSS in message, page re-rendered", "4xx", form(email="bad", message=XSS), reflect=XSS),
    Case("XSS in message, htmx fragment", "4xx", form(email="bad", message=XSS, htmx=True), reflect=XSS),
    Case("attribute breakout in message", "4xx", form(email="bad", message=ATTRIBUTE), reflect=ATTRIBUTE),
    valid("XSS in message is stored as text", XSS),
    valid("SQL in message is stored as text", SQL),
    valid("SQL-like but valid e-mail", "Hej från O'Brien", email="o'brien--@example.se", stored_email="o'brien--@example.se"),
    Case("SQL in form_key", "4xx", form(form_key="' OR '1'='1", message="Hej")),
    Case("SQL in a reference URL", "4xx", request("GET", "/sv/contact/thanks/GBG-'%20OR%20'1'='1")),
    Case("XSS in a reference URL", "4xx", request("GET", "/sv/contact/thanks/%3Cscript%3Ealert(1)%3C%2Fscript%3E"), reflect="<script>alert(1)</script>"),
    # Body formats and sizes
    Case("JSON body", "4xx", body_as("application/json", lambda f: json.dumps(f).encode())),
    Case("multipart body", "4xx", body_as("multipart/form-data; boundary=b0undary", multipart)),
    Case("text/plain body", "4xx", body_as("text/plain", lambda f: urlencode(f).encode())),
    Case("form body just over 64 KB", "413", form(message="a" * 66_000)),
    Case("10 MB body", "413", large_body()),
    Case("10 MB announced, no body sent", "413", large_body(send_body=False)),
    Case("10 MB chunked body", "413", large_body(chunked=True)),
    Case("negative Content-Length", "4xx", raw(b"POST /sv/contact HTTP/1.1\r\nHost: HOST\r\nContent-Length: -1\r\n\r\n")),
    Case("two Content-Lengths", "4xx", raw(b"POST /sv/contact HTTP/1.1\r\nHost: HOST\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde")),
    Case("Content-Length with Transfer-Encoding", "4xx", raw(b"POST /sv/contact HTTP/1.1\r\nHost: HOST\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")),
    Case("garbage request line", "4xx", raw(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n")),
    # Methods
    Case("GET on the submit address", "4xx", request("GET", "/sv/contact")),
    Case("PUT on the submit address", "4xx", request("PUT", "/sv/contact", [URLENCODED], b"message=Hej")),
    Case("DELETE on a page", "4xx", request("DELETE", "/sv/")),
    Case("PATCH on /healthz", "4xx", request("PATCH", "/healthz")),
    Case("TRACE", "4xx", request("TRACE", "/sv/")),
    Case("made-up method", "4xx", request("BREW", "/sv/")),
    Case("OPTIONS", "2xx", request("OPTIONS", "/sv/contact")),
    Case("HEAD on a page", "2xx", request("HEAD", "/en/")),
    # Addresses
    Case("unknown language", "4xx", request("GET", "/de/")),
    Case("submit under an unknown language", "4xx", form(path="/de/contact", message="Hej")),
    Case("upper-case language", "4xx", request("GET", "/SV/")),
    Case("markup in the path", "4xx", request("GET", "/%3Cscript%3Ealert(1)%3C/script%3E/"), reflect="<script>alert(1)</script>"),
    Case("NUL in the path", "4xx", request("GET", "/sv%00/")),
    Case("invalid UTF-8 in the path", "4xx", request("GET", "/sv/%FF%FE")),
    Case("invalid UTF-8 in the query string", "2xx", request("GET", "/sv/?q=%FF%FE")),
    Case("request line over 4 KB", "4xx", request("GET", "/sv/" + "a" * 5000)),
    # Files outside static/
    Case("static: %2e%2e", "4xx", request("GET", "/static/%2e%2e/wsgi.py")),
    Case("static: ..%2f", "4xx", request("GET", "/static/..%2fwsgi.py")),
    Case("static: ..%2f to /etc/passwd", "4xx", request("GET", "/static/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd")),
    Case("static: backslashes", "4xx", request("GET", "/static/..%5c..%5cpyproject.toml")),
    Case("static: double encoding", "4xx", request("GET", "/static/%252e%252e/wsgi.py")),
    Case("static: absolute path (slashes merged by a redirect)", "3xx", request("GET", "/static//etc/passwd")),
    Case("static: where that redirect leads", "4xx", request("GET", "/static/etc/passwd")),
    Case("static: raw ../ in the request line", "4xx", request("GET", "/static/../webapp/__init__.py")),
    Case("static: overlong dots", "4xx", request("GET", "/static/%c0%ae%c0%ae/wsgi.py")),
    Case("static: NUL before an extension", "4xx", request("GET", "/static/site.css%00.py")),
    Case("static: the database", "4xx", request("GET", "/static/..%2finstance%2fwebapp.sqlite3")),
    Case("static: a real file (control)", "2xx", request("GET", "/static/site.css")),
    # Headers
    Case("header of 8000 bytes (under gunicorn's limit)", "2xx", headers_of_size(8000)),
    Case("header of 8 KB", "4xx", headers_of_size(8192)),
    Case("header of 64 KB", "4xx", headers_of_size(65536)),
    Case("200 headers", "4xx", headers_of_size(10, count=200)),
    Case("Host header of another site", "3xx", request("GET", "/", [("Host", "evil.example")]), reflect="evil.example"),
    Case("5 KB Accept-Language", "3xx", request("GET", "/", [("Accept-Language", "sv;q=0.9, " * 500)])),
    Case("unsafe X-Request-ID is replaced", "2xx", request("GET", "/healthz", [("X-Request-ID", XSS)]), reflect=XSS),
    # htmx headers
    Case("forged HX-Request on a page", "2xx", request("GET", "/sv/", [("HX-Request", "true")])),
    Case("forged HX-Request from another site", "4xx", form(htmx=True, message="Hej", headers=[CROSS_SITE])),
    Case("HX headers carrying markup", "4xx", form(email="bad", message="Hej", htmx=True, headers=[("HX-Current-URL", XSS), ("HX-Target", ATTRIBUTE)]), reflect=XSS),
    Case("HX-Request with a strange value", "4xx", form(email="bad", message="Hej", headers=[("HX-Request", XSS)]), reflect=XSS),
    # The honeypot: stored as spam, answered like a success
    valid("honeypot filled in", "Köp billiga klockor", website="http://spam.example", status="spam"),
    valid("honeypot filled in, htmx", "Cheap watches", website="http://spam.example", status="spam", htmx=True),
    Case("honeypot with an invalid message", "4xx", form(message="", website="http://spam.example")),
    # The inline check stores nothing
    Case("inline check: 5001 characters", "2xx", form(path="/sv/contact/validate/message", message="a" * 5001, htmx=True)),
    Case("inline check: unknown field", "4xx", form(path="/sv/contact/validate/website", message="Hej", htmx=True)),
    Case("inline check: XSS in e-mail", "2xx", form(path="/sv/contact/validate/email", email=XSS, htmx=True), reflect=XSS),
    Case("confirmation of an unknown reference", "4xx", request("GET", "/sv/contact/thanks/GBG-0000-0000")),
    # Valid but unusual: stored exactly as the README says
    valid("Swedish letters", SWEDISH),
    valid("emoji with skin tone, flag and ZWJ", EMOJI),
    valid("right-to-left Arabic", ARABIC, htmx=True),
    valid("combining marks are not normalised", COMBINING),
    valid("CRLF line breaks become LF", "rad 1\r\nrad 2\r\n\r\nrad 4", "rad 1\nrad 2\n\nrad 4"),
    valid("a lone CR becomes LF", "rad 1\rrad 2", "rad 1\nrad 2"),
    valid("white space around is removed", " \r\n\t Hej \u00a0\n ", "Hej"),
    valid("tabs, no-break and zero-width spaces inside are kept", "a\tb\u00a0c\u200bd\u200de"),
    valid("5000 astral-plane characters", ASTRAL * 5000),
    valid("5000 characters and white space around", "\n  " + "å" * 5000 + "  \n", "å" * 5000),
    valid("internationalised e-mail, as typed", "Hej", email="åsa@göteborg.se", stored_email="åsa@göteborg.se"),
    valid("e-mail with spaces around", "Hej igen", email="  anna@example.se ", stored_email="anna@example.se"),
]


def describe(response: Response) -> str:
    text = str(response.status)
    if response.bytes_sent > 1024 * 1024 or response.seconds > 1:
        text += f" after {response.seconds:.2f} s, {response.bytes_sent / 1024 / 1024:.1f} MB sent"
    return text


def check_case(case: Case, ctx: Context) -> tuple[Response | None, list[str]]:
    """The response (None if none came) and what was wrong with it."""
    try:
        response = case.send(ctx)
    except OSError as exc:
        return None, [f"{case.name}: no answer ({exc})"]
    problems = []
    if response.status >= 500:
        problems.append(f"{case.name}: server error {response.status}")
    elif not case.accepts(response.status):
        problems.append(f"{case.name}: expected {case.expect}, got {response.status}")
    seen = response.body + "".join(f"{k}: {v}\n" for k, v in response.headers).encode("utf-8", "replace")
    if case.reflect and case.reflect.encode() in seen:
        problems.append(f"{case.name}: the payload came back unescaped")
    if leaked := [s.decode() for s in SECRETS if s in response.body]:
        problems.append(f"{case.name}: served something from outside static/ ({', '.join(leaked)})")
    return response, problems


def stored_rows(database) -> Counter:
    conn = sqlite3.connect(database)
    try:
        return Counter(conn.execute("SELECT message, email, status FROM submissions").fetchall())
    finally:
        conn.close()


def burst(folder, workers: int, limit_per_worker: int = 5, attempts: int = 40) -> tuple[str, list[str]]:
    """Many submits from one address against the real rate limit: some 429s, nothing else breaks."""
    env = {"WEBAPP_RATELIMIT_ENABLED": "true", "WEBAPP_CONTACT_RATE_LIMIT": f"{limit_per_worker} per minute"}
    statuses = Counter()
    problems = []
    with Server(folder, workers=workers, env=env) as server:
        ctx = Context(server.url)
        for i in range(attempts):
            text = f"Burst {i} <b>{secrets.token_hex(4)}</b>"
            response = form(message=text)(ctx)
            statuses[response.status] += 1
            if response.status == 429 and "&lt;b&gt;" not in response.text:
                problems.append("a 429 answer did not keep the visitor's text")
    stored = sum(stored_rows(server.database).values())
    if not statuses[429]:
        problems.append(f"{attempts} quick submits never hit the rate limit")
    if set(statuses) - {303, 429}:
        problems.append(f"the burst got {dict(statuses)}")
    if stored != statuses[303]:
        problems.append(f"{stored} rows stored for {statuses[303]} acknowledged submits")
    # The memory store counts per worker process, so the limit applies once per worker.
    if statuses[303] > limit_per_worker * workers:
        problems.append(f"{statuses[303]} submits got through a limit of {limit_per_worker} per worker")
    return ", ".join(f"{n}x {s}" for s, n in sorted(statuses.items())), problems


def run(folder, workers: int = 2, show_cases: bool = True) -> Result:
    result = Result("hostile")
    started = time.monotonic()
    rows, server_errors = [], 0
    with Server(Path(folder) / "cases", workers=workers) as server:
        ctx = Context(server.url)
        for case in CASES:
            response, problems = check_case(case, ctx)
            result.failures += problems
            server_errors += bool(response and response.status >= 500)
            rows.append([case.name, case.expect, describe(response) if response else "no answer", "ok" if not problems else "FAILED"])
    expected = Counter(case.stores for case in CASES if case.stores)
    actual = stored_rows(server.database)
    for row in (actual - expected).elements():
        result.failures.append(f"stored but not expected: {row[0][:50]!r} {row[1]!r} {row[2]}")
    for row in (expected - actual).elements():
        result.failures.append(f"expected but not stored exactly so: {row[0][:50]!r} {row[1]!r} {row[2]}")
    got, problems = burst(Path(folder) / "burst", workers)
    result.failures += problems
    rows.append(["burst of 40 submits, limit 5/min per worker", "429 among 303s", got, "ok" if not problems else "FAILED"])
    result.seconds = time.monotonic() - started
    result.figures = {
        "cases": len(CASES) + 1,
        "valid stored": sum(expected.values()),
        "rows": sum(actual.values()),
        "5xx": server_errors,
    }
    if show_cases:
        print(table(rows, ["hostile case", "expected", "got", "result"]) + "\n")
    return result
