"""Gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app` (what `make run` does).

Any setting can still be changed on the command line or in GUNICORN_CMD_ARGS.
"""

import os

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

# No gunicorn access log: the site writes one JSON line per request itself
# (webapp/web/request_log.py, with the request id), so a request is logged once.
# Static files, which WhiteNoise serves before Flask, are in the reverse proxy's log.
# Gunicorn's own messages and the site's request log go to stderr.
accesslog = None
errorlog = "-"

# Gunicorn's control socket has one default path per user, so a second server
# on the machine (a test, the benchmark) would take it over; we do not use it.
control_socket_disable = True
