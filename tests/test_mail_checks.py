"""What operators are told about mail: start-up, `flask check`, and its --startup variant."""

import logging
import time

from tests.helpers import make_app
from tests.mail_helpers import mail_config, outbox_rows, send, submit
from tests.mail_server import SMTPServer
from webapp import create_app
from webapp.mail import sender as mail_sender
from webapp.db import connect, migrate


def production_app(tmp_path, **config):
    database = tmp_path / "db" / "webapp.sqlite3"
    migrate(database)
    return create_app({"SECRET_KEY": "k" * 32, "DATABASE": str(database), **config})


def test_production_without_a_server_warns(tmp_path, caplog):
    # Mail to files outside debug is a choice made on purpose (WEBAPP_MAIL_FILE_DIR); still said each time.
    folder = tmp_path / "mail"
    app = production_app(tmp_path, ASSETS_DIR=str(tmp_path / "no-assets"), MAIL_FILE_DIR=str(folder))
    with caplog.at_level(logging.WARNING):
        sender = mail_sender.start(app)
        sender.stop(10)
    warning = f"WEBAPP_MAIL_SERVER is not set: mail is written to {folder} instead of being sent"
    assert any(r.levelno == logging.WARNING and r.getMessage() == warning for r in caplog.records)
    result = app.test_cli_runner().invoke(args=["check"])
    assert f"WEBAPP_MAIL_SERVER is not set, so mail is written to {folder}." in result.output


def test_a_notification_waiting_over_an_hour_is_an_alarm_but_never_stops_the_site(tmp_path, assets_dir):
    with SMTPServer() as server:
        app = make_app(tmp_path, ASSETS_DIR=str(assets_dir), **mail_config(server.port))
    submit(app, message="Hej")  # the server is gone now
    runner = app.test_cli_runner()
    assert runner.invoke(args=["check"]).exit_code == 0
    db = connect(app.config["DATABASE"])
    db.execute("UPDATE outbox SET created_at = ?", [time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 3601))])
    db.conn.commit()
    db.close()
    late = runner.invoke(args=["check"])
    assert late.exit_code == 1 and "more than an hour" in late.output
    assert runner.invoke(args=["check", "--startup"]).exit_code == 0
    send(app)
    assert outbox_rows(app)[0]["status"] == "queued"  # still waiting, not failed


def test_mail_needs_the_sites_address_for_its_links(tmp_path):
    app = make_app(tmp_path, **mail_config(25, PUBLIC_URL=""))
    [problem] = mail_sender.config_problems(app)
    assert "WEBAPP_PUBLIC_URL" in problem
