"""What the mail tests share: the site's mail settings against the test's SMTP server, sending
what is due, and reading the outbox. The fixtures `smtp` and `mail_app` are in conftest.py."""

from tests.helpers import Visitor, rows
from webapp.db import connect
from webapp.mail import sender as mail_sender

OFFICE = "registrator@example.se"
SENDER = "Göteborgs Stad <noreply@example.se>"


def mail_config(port, **extra):
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
        "MAIL_OFFICE": OFFICE,
        "MAIL_DEFAULT_SENDER": SENDER,
        "MAIL_TIMEOUT": 5,
        "PUBLIC_URL": "https://internationella.example/",
        **extra,
    }


def outbox_rows(app):
    return rows(app, "outbox")


def send(app) -> int:
    return mail_sender.Sender(app).send_due()


def make_due(app):
    """As if the retry's wait had passed."""
    db = connect(app.config["DATABASE"])
    db.execute("UPDATE outbox SET due_at = 0 WHERE status = 'queued'")
    db.conn.commit()
    db.close()


def submit(app, lang="sv", **values):
    client = app.test_client()
    response = Visitor(client, lang).submit(**values)
    assert response.status_code == 303, response.text
    return response.headers["Location"].rsplit("/", 1)[1]
