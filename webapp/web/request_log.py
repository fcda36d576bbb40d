"""One JSON line per request, and a request id the visitor, the proxy and the logs share.

The line holds what an operator needs to follow a request (method, path,
status, duration, id) and nothing a visitor wrote: no form fields, no query
string, no address, no user agent.
"""

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import g, request

logger = logging.getLogger("webapp.requests")

# An id from the proxy is kept only if it cannot smuggle anything into a log or a header.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


class MessageOnly(logging.Formatter):
    def format(self, record):
        return record.getMessage()


def request_id() -> str:
    incoming = request.headers.get("X-Request-ID", "")
    return incoming if SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


def start_timer() -> None:
    g.request_started = time.perf_counter()
    g.request_id = request_id()


def log_request(response):
    # A 404 for an unknown language is raised before any before_request function ran.
    started = g.get("request_started", time.perf_counter())
    rid = g.get("request_id") or request_id()
    response.headers["X-Request-ID"] = rid
    logger.info(
        json.dumps(
            {
                "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                "event": "request",
                "request_id": rid,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            }
        )
    )
    return response


def init_app(app) -> None:
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(MessageOnly())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        # Not through Flask's handler on "webapp", which would prefix every line.
        logger.propagate = False
    app.before_request(start_timer)
    app.after_request(log_request)
