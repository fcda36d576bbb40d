"""The JSON request log: one line per request, a request id, and nothing a visitor wrote."""

import json
import logging

import pytest

from tests.helpers import Visitor


class Lines(logging.Handler):
    """Each line as the site's one formatter writes it."""

    def __init__(self):
        super().__init__()
        self.lines = []
        self.setFormatter(logging.getLogger("webapp.requests").handlers[0].formatter)

    def emit(self, record):
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def log():
    handler = Lines()
    logger = logging.getLogger("webapp.requests")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def test_one_line_per_request_with_the_fields_an_operator_needs(client, log):
    response = client.get("/en/privacy")
    [line] = log
    assert set(line) == {"time", "level", "logger", "message", "event", "request_id", "method", "path", "status", "duration_ms"}
    assert line["method"] == "GET" and line["path"] == "/en/privacy" and line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["request_id"] == response.headers["X-Request-ID"]


@pytest.mark.parametrize("path, status", [("/xx/", 404), ("/en/contact", 405), ("/", 303), ("/static/site.css", 200)])
def test_every_response_is_logged_including_errors(client, log, path, status):
    response = client.get(path)
    assert [(l["path"], l["status"]) for l in log] == [(path, status)]
    assert log[0]["request_id"] == response.headers["X-Request-ID"]


def test_request_ids_are_unique(client, log):
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(5)}
    assert len(ids) == 5


def test_a_safe_incoming_request_id_is_kept(client, log):
    response = client.get("/healthz", headers={"X-Request-ID": "nginx-4f2a.9:1"})
    assert response.headers["X-Request-ID"] == "nginx-4f2a.9:1"
    assert log[0]["request_id"] == "nginx-4f2a.9:1"


@pytest.mark.parametrize("incoming", ["<script>alert(1)</script>", "a" * 65, "", "-starts-with-dash", "two words", 'x"}{"status":1'])
def test_an_unsafe_incoming_request_id_is_replaced(client, log, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response.headers["X-Request-ID"] != incoming
    assert len(response.headers["X-Request-ID"]) == 32
    assert log[0]["request_id"] == response.headers["X-Request-ID"]


@pytest.mark.parametrize("htmx", [False, True])
def test_message_text_and_email_never_reach_the_log(client, log, htmx):
    visitor = Visitor(client, "sv")
    visitor.submit(htmx=htmx, message="Hemlig fråga om Bergen", email="anna.secret@example.se")
    visitor.submit(htmx=htmx, message="x" * 5001, email="not-an-address-secret")
    raw = json.dumps(log)
    assert [l["status"] for l in log] == [200, 200 if htmx else 303, 422]
    for secret in ("Hemlig", "Bergen", "anna.secret", "example.se", "not-an-address"):
        assert secret not in raw


def test_the_query_string_is_not_logged(client, log):
    client.get("/en/?email=anna@example.se")
    assert log[0]["path"] == "/en/" and "anna" not in json.dumps(log)
