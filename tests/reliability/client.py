"""HTTP over a plain socket, so a request can be anything, even what no library would send;
and a browser on top of it that fills in the form (the site sets no cookies to keep)."""

import re
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from tests.helpers import hidden_value

REFERENCE = re.compile(r"GBG-[0-9A-Z]{4}-[0-9A-Z]{4}")


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    seconds: float = 0.0
    bytes_sent: int = 0

    def header(self, name: str) -> str | None:
        return next((v for k, v in reversed(self.headers) if k.lower() == name.lower()), None)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def reference(self) -> str | None:
        """The reference the visitor was shown: in the redirect (no JS) or in the htmx fragment."""
        if self.status == 303:
            match = re.search(rf"/contact/thanks/({REFERENCE.pattern})$", self.header("Location") or "")
        elif self.status == 200:
            match = re.search(rf'data-reference="({REFERENCE.pattern})"', self.text)
        else:
            return None
        return match.group(1) if match else None


def address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname, parts.port


def encode_request(method: str, path: str, host: str, headers=(), body: bytes = b"", content_length=True) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Connection: close"]
    if not any(name.lower() == "host" for name, _ in headers):
        lines.append(f"Host: {host}")
    lines += [f"{name}: {value}" for name, value in headers]
    if content_length and (body or method in ("POST", "PUT", "PATCH")):
        lines.append(f"Content-Length: {len(body)}")
    return "\r\n".join(lines).encode("utf-8", "surrogateescape") + b"\r\n\r\n" + body


class Incomplete(ConnectionError):
    """The connection ended before the whole response arrived (a killed server, say)."""


def parse_response(raw: bytes, head_request: bool = False) -> Response:
    head, complete, body = raw.partition(b"\r\n\r\n")
    if not complete:
        raise Incomplete("the response headers were cut off")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    response = Response(int(status_line.split(" ", 2)[1]), [], body)
    response.headers = [tuple(part.strip() for part in line.split(":", 1)) for line in header_lines if ":" in line]
    if "chunked" in (response.header("Transfer-Encoding") or "").lower():
        response.body = dechunk(body)
    elif not head_request and (length := response.header("Content-Length")) is not None and len(body) < int(length):
        raise Incomplete(f"{len(body)} of {length} bytes arrived")
    return response


def dechunk(data: bytes) -> bytes:
    out = bytearray()
    while True:
        size_line, found, data = data.partition(b"\r\n")
        if not found:
            raise Incomplete("a chunked response was cut off")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += data[:size]
        data = data[size + 2 :]


def exchange(addr: tuple[str, int], request: bytes, timeout: float = 30.0, body_chunks=()) -> Response:
    """Send a request (then any further body chunks) and read the answer until the server closes.

    Chunks stop as soon as the server answers or hangs up: a server that refuses a
    large body should do so without reading it, and the count of bytes sent says so.
    Raises TimeoutError or ConnectionError when no answer comes.
    """
    started = time.monotonic()
    sent = 0
    with socket.create_connection(addr, timeout=timeout) as sock:
        sock.sendall(request)
        sent += len(request)
        for chunk in body_chunks:
            sock.settimeout(0)
            try:
                if sock.recv(1, socket.MSG_PEEK):
                    break  # an answer has started
            except BlockingIOError:
                pass
            except ConnectionError:
                break
            finally:
                sock.settimeout(timeout)
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        raw = bytearray()
        while True:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                if raw:
                    break
                raise
            if not data:
                break
            raw += data
    if not raw:
        raise ConnectionError("the server closed the connection without answering")
    response = parse_response(bytes(raw), head_request=request.startswith(b"HEAD "))
    response.seconds = time.monotonic() - started
    response.bytes_sent = sent
    return response


def form_fields(page: Response) -> dict[str, str]:
    """The hidden fields of the contact form on a page, as a browser sends them back."""
    if page.status != 200:
        raise RuntimeError(f"the page answered {page.status}")
    return {name: hidden_value(page.text, name) for name in ("form_key",)}


@dataclass
class Browser:
    """A visitor's browser: the site it talks to and its language. It follows no redirects on its own."""

    url: str
    lang: str = "sv"
    timeout: float = 30.0

    @property
    def addr(self) -> tuple[str, int]:
        return address(self.url)

    def request(self, method: str, path: str, headers=(), body: bytes = b"", **options) -> Response:
        host = "%s:%d" % self.addr
        return exchange(self.addr, encode_request(method, path, host, list(headers), body), self.timeout, **options)

    def get(self, path: str, headers=()) -> Response:
        return self.request("GET", path, headers)

    def open_form(self) -> dict[str, str]:
        """Load the page and return the hidden fields a browser would send back."""
        return form_fields(self.get(f"/{self.lang}/"))

    def post_form(self, fields: dict[str, str], htmx: bool = False, path: str | None = None, headers=()) -> Response:
        headers = [("Content-Type", "application/x-www-form-urlencoded"), *headers]
        if htmx:
            headers.append(("HX-Request", "true"))
        return self.request("POST", path or f"/{self.lang}/contact", headers, urlencode(fields).encode())
