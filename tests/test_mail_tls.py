"""STARTTLS and implicit TLS with a certificate from a test CA (trustme), and AUTH: the password never shows."""

import base64
import json
import logging
import ssl

import pytest
import trustme

from tests.helpers import make_app
from tests.mail_server import Authenticator, SMTPServer
from tests.mail_helpers import OFFICE, make_due, mail_config, outbox_rows, send, submit

USER, PASSWORD = "webapp", "hemligt-Losen-1234"


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


@pytest.fixture(scope="module")
def server_tls(ca):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture
def ca_file(ca, tmp_path):
    path = tmp_path / "city-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def secrets_in(text: str) -> list[str]:
    """The password in any form an SMTP client might write it."""
    forms = [PASSWORD, base64.b64encode(PASSWORD.encode()).decode(), base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()]
    return [f for f in forms if f in text]


@pytest.fixture
def starttls_server(server_tls):
    authenticator = Authenticator(USER, PASSWORD)
    with SMTPServer(tls_context=server_tls, require_starttls=True, authenticator=authenticator, auth_required=True) as server:
        server.authenticator = authenticator
        yield server


def tls_app(tmp_path, assets_dir, port, **extra):
    config = mail_config(port, MAIL_USE_TLS=True, MAIL_USERNAME=USER, MAIL_PASSWORD=PASSWORD)
    return make_app(tmp_path, ASSETS_DIR=str(assets_dir), **{**config, **extra})


def test_starttls_and_auth_with_the_city_ca(tmp_path, assets_dir, starttls_server, ca_file):
    app = tls_app(tmp_path, assets_dir, starttls_server.port, MAIL_CA_FILE=ca_file)
    submit(app, message="Hej", email="visitor@example.org")
    send(app)
    assert len(starttls_server.recorder.wait_for(2)) == 2
    assert starttls_server.authenticator.attempts == 1  # one connection, one login, two mails
    assert [r["status"] for r in outbox_rows(app)] == ["sent", "sent"]


def test_an_untrusted_certificate_fails_and_is_retried(tmp_path, assets_dir, starttls_server, ca_file, caplog):
    app = tls_app(tmp_path, assets_dir, starttls_server.port)  # no MAIL_CA_FILE: the system store lacks the test CA
    submit(app, message="Hej")
    with caplog.at_level(logging.WARNING):
        send(app)
    (row,) = outbox_rows(app)
    assert row["status"] == "queued" and "CERTIFICATE_VERIFY_FAILED" in row["last_error"]
    assert starttls_server.recorder.accepted == [] and starttls_server.authenticator.attempts == 0
    app.config["MAIL_CA_FILE"] = ca_file  # the operator adds the city's CA
    make_due(app)
    send(app)
    assert len(starttls_server.recorder.wait_for(1)) == 1


def test_the_password_is_never_shown(tmp_path, assets_dir, starttls_server, ca_file, caplog, capfd):
    app = tls_app(tmp_path, assets_dir, starttls_server.port, MAIL_CA_FILE=ca_file)
    app.config["MAIL_PASSWORD"] = PASSWORD + "-wrong"
    submit(app, message="Hej")
    with caplog.at_level(logging.DEBUG):
        send(app)
        (row,) = outbox_rows(app)
        assert row["status"] == "queued" and "535" in row["last_error"]
        runner = app.test_cli_runner()
        outputs = [runner.invoke(args=args).output for args in (["mail", "status"], ["mail", "status", "--json"], ["check"])]
    captured = capfd.readouterr()
    for text in [row["last_error"], caplog.text, captured.out, captured.err, *outputs]:
        assert not secrets_in(text) and not secrets_in(text.replace(PASSWORD + "-wrong", "x"))
        assert "-wrong" not in text


def test_implicit_tls(tmp_path, assets_dir, server_tls, ca_file):
    with SMTPServer(ssl_context=server_tls) as server:
        app = make_app(tmp_path, ASSETS_DIR=str(assets_dir), **mail_config(server.port, MAIL_USE_SSL=True, MAIL_CA_FILE=ca_file))
        submit(app, message="Hej")
        send(app)
        (mail,) = server.recorder.wait_for(1)
    assert mail.recipients == [OFFICE]


def test_check_refuses_a_server_without_office_or_sender(tmp_path, assets_dir):
    app = make_app(tmp_path, ASSETS_DIR=str(assets_dir), MAIL_SERVER="smtp.example.se", MAIL_PASSWORD=PASSWORD)
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    assert "WEBAPP_MAIL_OFFICE" in result.output and "WEBAPP_MAIL_DEFAULT_SENDER" in result.output
    assert not secrets_in(result.output)
    app.config["MAIL_PASSWORD"] = "lösen"
    result = app.test_cli_runner().invoke(args=["check"])
    assert "is not ASCII" in result.output and "lösen" not in result.output
    status = json.loads(app.test_cli_runner().invoke(args=["mail", "status", "--json"]).output)
    assert {"queued", "sent", "failed", "skipped", "oldest_queued_seconds"} <= set(status)


def test_no_plain_text_when_starttls_is_not_offered(tmp_path, assets_dir, smtp):
    """A relay (or someone in between) that drops STARTTLS gets nothing in clear text: the mail waits."""
    app = tls_app(tmp_path, assets_dir, smtp.port)
    submit(app, message="Hej")
    send(app)
    (row,) = outbox_rows(app)
    assert row["status"] == "queued" and "STARTTLS" in row["last_error"]
    assert smtp.recorder.accepted == []
