"""Entry point for gunicorn: `gunicorn wsgi:app`."""

from webapp import create_app, startup

app = create_app()
# Refuse to serve (gunicorn stops with the reason) rather than fail visitors later.
startup.check(app)
