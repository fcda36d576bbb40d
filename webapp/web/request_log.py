"""One JSON line per request, and a request id the visitor, the proxy and the logs share.

The line holds what an operator needs to follow a request (method, path,
status, duration, id) and nothing a visitor wrote: no form fields, no query
string, no address, no user agent.
"""

import json
import logging
import logging.config
import re
import secrets
import time
from pathlib import Path

from flask import g, request

logger = logging.getLogger("webapp.requests")

# An id from the proxy is kept only if it cannot smuggle anything into a log or a header.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


# Every log line as JSON, one formatter: gunicorn.conf.py hands this file to gunicorn (its own
# lines, the app's, this log); outside gunicorn init_app sets up this logger from it.
LOGGING = Path(__file__).with_name("logging.json")


def request_id(incoming: str) -> str:
    """The proxy's id (the X-Request-ID it sent) when it is safe, else a new one."""
    return incoming if SAFE_REQUEST_ID.fullmatch(incoming) else secrets.token_hex(16)


def write(rid: str, method: str, path: str, status: int, started: float) -> None:
    """The request's line; `started` is its time.perf_counter() when it came in."""
    logger.info(
        "request",
        extra={
            "event": "request",
            "request_id": rid,
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )


def start_timer() -> None:
    g.request_started = time.perf_counter()
    g.request_id = request_id(request.headers.get("X-Request-ID", ""))


def log_request(response):
    # A 404 for an unknown language is raised before any before_request function ran.
    started = g.get("request_started", time.perf_counter())
    rid = g.get("request_id") or request_id(request.headers.get("X-Request-ID", ""))
    response.headers["X-Request-ID"] = rid
    write(rid, request.method, request.path, response.status_code, started)
    return response


def init_app(app) -> None:
    if not logger.handlers:  # under gunicorn its logconfig has set it up already
        config = json.loads(LOGGING.read_text())
        config["loggers"] = {logger.name: config["loggers"][logger.name]}
        del config["root"]
        logging.config.dictConfig(config)
    app.before_request(start_timer)
    app.after_request(log_request)
