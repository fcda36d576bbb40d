"""Gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app` (what `make run` does).

Any setting can still be changed on the command line or in GUNICORN_CMD_ARGS.
"""

import os
from pathlib import Path

from gunicorn import glogging

# Where to listen. Behind a reverse proxy the default (loopback only) is right.
bind = os.environ.get("WEBAPP_BIND", "127.0.0.1:5000")

# Sync workers, two per usable core plus one (gunicorn's rule of thumb): while
# one worker waits for the disk to confirm a stored message, others render pages.
# sched_getaffinity counts the cores this process may actually run on.
workers = int(os.environ.get("WEBAPP_WORKERS") or 2 * len(os.sched_getaffinity(0)) + 1)
worker_class = "sync"

# A worker stuck this long is killed and replaced.
timeout = 30
# On SIGTERM or a reload, workers get this long to finish the requests they have
# (keep systemd's TimeoutStopSec above it: ops/webapp.service).
graceful_timeout = 30
# The heartbeat file on tmpfs, so a slow disk cannot make a healthy worker look stuck.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# No gunicorn access log: the site writes one line per request itself
# (webapp/web/request_log.py, with the request id), so a request is logged once.
# Static files, which WhiteNoise serves before Flask, are in the reverse proxy's log.
accesslog = None
errorlog = "-"


class Logger(glogging.Logger):
    """gunicorn's logger, building a request's access-log record only when there is an access log:
    with a logging config (logconfig_json below) it builds every one and then drops it, 3 % of a
    stored POST's time (bench/README.md)."""

    def access(self, resp, req, environ, request_time):
        if self.cfg.accesslog:
            super().access(resp, req, environ, request_time)


logger_class = Logger
# Every line on stderr is JSON, gunicorn's own and the site's, from one formatter: a log shipper
# needs one parser. (Read as a file, not imported: the master must not import the site's code,
# or workers started by a reload would run the old version.)
logconfig_json = str(Path(__file__).resolve().parent / "webapp" / "web" / "logging.json")

# X-Forwarded-Proto from nginx on this machine is the only scheme header trusted (the nginx
# sample sets exactly that one); gunicorn's defaults also take X-Forwarded-Ssl and -Protocol.
forwarded_allow_ips = "127.0.0.1,::1"
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# Gunicorn's control socket has one default path per user, so a second server
# on the machine (a test, the benchmark) would take it over; we do not use it.
control_socket_disable = True


def post_worker_init(worker):
    """Every worker sends the outbox's mail, from a thread started here, after the fork and after
    the app is loaded, also with --preload: a thread, or an SQLite connection, must not cross a
    fork (SQLite's "How To Corrupt An SQLite Database File", 2.6)."""
    from webapp.mail import sender
    from webapp.web.public_url import PublicURLFlask

    # `make bench` runs its baseline apps (bench/baseline.py) with this file too: they have no outbox.
    if isinstance(worker.wsgi, PublicURLFlask):
        sender.start(worker.wsgi)
