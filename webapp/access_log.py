"""Gunicorn's access log as JSON lines: one object per request, whatever the URL holds.

Like the site's own request log (request_log.py) it records no address, user
agent, referrer or query string: nothing that identifies or quotes a visitor.
It also covers what never reaches Flask's hooks: static files, which WhiteNoise
serves. The request id ties a line to the site's log line for the same request.
"""

import json
import os
import time

from gunicorn.glogging import Logger


class JsonAccessLogger(Logger):
    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        headers = {name.lower(): value for name, value in resp.headers}
        record = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "event": "access",
            "request_id": headers.get("x-request-id"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 3),
            "pid": os.getpid(),
        }
        try:
            # json.dumps escapes whatever a crafted path holds: one request, one line.
            self.access_log.info(json.dumps(record, ensure_ascii=False))
        except Exception:
            self.exception("could not write the access log")
