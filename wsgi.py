"""Entry point for gunicorn: `gunicorn wsgi:app`."""

import os

from webapp import create_app, startup

app = create_app()
# Under gunicorn: refuse to serve, with the reason in the log, rather than fail visitors
# later. The flask command imports this module too when FLASK_APP is unset, and must
# still work there: `flask init-db` is how a failed check gets fixed.
if not os.environ.get("FLASK_RUN_FROM_CLI"):
    startup.check(app)
    # Every worker sends the outbox's mail: gunicorn.conf.py starts its sender after the fork.
