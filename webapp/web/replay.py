"""A page answered without Flask after its first view: the front page (README "A reader's cost").

A view whose response is the same for every GET with the same URL, host and request headers in
`KEY`, but for values it makes anew for each view, offers a `refill` (a function returning the
body with new values). After Flask has answered such a request in full, hooks and all, its status
and headers are kept under that key; the next requests with the same key get those headers, the
refill's body, their own request id and their log line, and no Flask request at all: the
request's contexts, routing, hooks and response object were most of a page view's cost.
"""

import time

from flask import request

from . import request_log

ENVIRON_KEY = "webapp.replay.refill"
# What a replayed response may depend on, as the WSGI environ has it behind ProxyFix: a value
# not in here must not change what a view that offers a refill sends (X-Request-ID is each
# request's own; a GET's Origin and Sec-Fetch-Site are not looked at).
KEY = (
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "wsgi.url_scheme",
    "HTTP_ACCEPT_ENCODING",
    "HTTP_HX_REQUEST",
)
# Bounded: without WEBAPP_PUBLIC_URL the Host header, and the query string, are the client's to choose.
MAX_ENTRIES = 64
VOLATILE = frozenset({"content-length", "x-request-id"})


def offer(refill, encoding: str | None) -> None:
    """Let later requests like this one be answered with this response's headers and `refill()`,
    a body sent with Content-Encoding `encoding` (kept only if no hook changed it)."""
    request.environ[ENVIRON_KEY] = refill, encoding, request.path


class Entry:
    def __init__(self, status: str, headers: list[tuple[str, str]], refill, path: str):
        self.status, self.code = status, int(status.split(" ", 1)[0])
        self.headers = [(name, value) for name, value in headers if name.lower() not in VOLATILE]
        self.refill, self.path = refill, path

    def answer(self, environ: dict, start_response):
        started = time.perf_counter()
        rid = request_log.request_id(environ.get("HTTP_X_REQUEST_ID", ""))
        body = self.refill()
        start_response(self.status, [*self.headers, ("Content-Length", str(len(body))), ("X-Request-ID", rid)])
        request_log.write(rid, "GET", self.path, self.code, started)
        return [body]


class Replay:
    """WSGI middleware around Flask's own wsgi_app (inside ProxyFix, so the key sees the forwarded host)."""

    def __init__(self, app):
        self.app, self.wsgi_app = app, app.wsgi_app
        self.entries: dict[tuple, Entry] = app.extensions.setdefault(__name__, {})

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] != "GET":
            return self.wsgi_app(environ, start_response)
        key = tuple(environ.get(name) for name in KEY)
        entry = self.entries.get(key)
        if entry is not None:
            return entry.answer(environ, start_response)
        sent = []

        def keep(status, headers, exc_info=None):
            sent[:] = status, headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, keep)
        offered = environ.get(ENVIRON_KEY)
        if offered and sent and sent[0].startswith("200 "):
            refill, encoding, path = offered
            if dict((n.lower(), v) for n, v in sent[1]).get("content-encoding") == encoding:
                if len(self.entries) >= MAX_ENTRIES:
                    self.entries.clear()
                self.entries[key] = Entry(*sent, refill, path)
        return body


def init_app(app) -> None:
    # Not under `make dev`: each request there first looks for catalogs saved since the last one.
    if not app.debug:
        app.wsgi_app = Replay(app)
