"""Operating the site under gunicorn: a SIGTERM lets requests in progress finish, the
start-up checks stop a server that could not keep its promises, and one JSON line a request."""

import json
import sqlite3
import threading
import time
from urllib.parse import urlencode

import pytest

from tests.reliability.client import Browser, encode_request, exchange
from tests.reliability.load import request_log_lines
from tests.reliability.server import Server

pytestmark = pytest.mark.slow  # gunicorn


def trickle(body: bytes, pieces: int, delay: float):
    """A body arriving slowly, as from a visitor on a poor mobile connection."""
    size = -(-len(body) // pieces)
    for i in range(0, len(body), size):
        time.sleep(delay)
        yield body[i : i + size]


def until(condition, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def slow_submit(browser: Browser, message: str, seconds: float):
    fields = {**browser.open_form(), "email": "", "message": message}
    body = urlencode(fields).encode()
    headers = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Content-Length", str(len(body))),
    ]
    head = encode_request("POST", "/sv/contact", "%s:%d" % browser.addr, headers, content_length=False)
    return lambda: exchange(browser.addr, head, 30, body_chunks=trickle(body, 10, seconds / 10))


def test_sigterm_lets_requests_in_progress_finish(tmp_path):
    answers = {}
    with Server(tmp_path, workers=2) as server:
        uploading, waiting = Browser(server.url), Browser(server.url)
        upload = slow_submit(uploading, "Skickat långsamt", seconds=2.0)
        fields = {**waiting.open_form(), "email": "", "message": "Väntar på databasen"}
        # The second request waits for the write lock another writer (a staff backup, say) holds.
        holder = sqlite3.connect(server.database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        threads = [
            threading.Thread(target=lambda: answers.update(upload=upload())),
            threading.Thread(target=lambda: answers.update(locked=waiting.post_form(fields))),
        ]
        for thread in threads:
            thread.start()
        until(lambda: server.connections_in_hand() == 2)  # each worker has one of them
        server.terminate()
        until(lambda: "Handling signal: term" in server.log.read_text())  # shutting down, both still waiting
        holder.execute("ROLLBACK")
        holder.close()
        for thread in threads:
            thread.join()
        assert server.wait(15) == 0
    assert answers["upload"].status == 303 and answers["upload"].reference()
    assert answers["locked"].status == 303 and answers["locked"].reference()
    conn = sqlite3.connect(server.database)
    stored = dict(conn.execute("SELECT reference, message FROM submissions").fetchall())
    assert stored == {answers["upload"].reference(): "Skickat långsamt", answers["locked"].reference(): "Väntar på databasen"}
    log = server.log.read_text()
    assert "Handling signal: term" in log and "Shutting down: Master" in log


@pytest.mark.parametrize(
    "env, reason",
    [
        ({"WEBAPP_DATABASE": '"{tmp}/unmigrated.sqlite3"'}, "There is no database at {tmp}/unmigrated.sqlite3. Run `flask init-db`."),
        ({"WEBAPP_SECRET_KEY": '"too-short"'}, "WEBAPP_SECRET_KEY is 9 bytes; in production it must be at least 32."),
    ],
)
def test_gunicorn_refuses_to_start_and_says_why(tmp_path, env, reason):
    server = Server(tmp_path, env={k: v.format(tmp=tmp_path) for k, v in env.items()})
    with pytest.raises(RuntimeError) as error:
        server.start()
    assert "gunicorn exited with" in str(error.value) and "Worker failed to boot" in str(error.value)
    assert "The site cannot start:" in str(error.value)
    assert reason.format(tmp=tmp_path) in str(error.value)


def test_one_json_line_per_request_with_the_id_the_visitor_got(tmp_path):
    with Server(tmp_path, workers=2) as server:
        browser = Browser(server.url)
        ids = [browser.get(path).header("X-Request-ID") for path in ("/sv/", "/en/privacy", "/nowhere/")]
        given = browser.get("/healthz", [("X-Request-ID", "proxy-0001")]).header("X-Request-ID")
    mine = [line for line in request_log_lines(server.log) if line["request_id"] in ids + [given]]
    assert [(line["path"], line["status"]) for line in mine] == [("/sv/", 200), ("/en/privacy", 200), ("/nowhere/", 404), ("/healthz", 200)]
    assert given == "proxy-0001"


def test_every_line_gunicorn_and_the_site_write_is_json(tmp_path):
    with Server(tmp_path, workers=2) as server:
        browser = Browser(server.url)
        for path in ("/sv/", "/nowhere/", "/healthz"):
            browser.get(path)
        server.terminate()
        assert server.wait(15) == 0
    lines = server.log.read_text().splitlines()
    entries = [json.loads(line) for line in lines]  # fails on any line that is not JSON
    messages = [entry["message"] for entry in entries if entry["logger"] == "gunicorn.error"]
    assert any(m.startswith("Booting worker") for m in messages) and "Shutting down: Master" in messages
    assert {entry["path"] for entry in entries if entry.get("event") == "request"} >= {"/sv/", "/nowhere/", "/healthz"}


@pytest.mark.parametrize(
    "header, scheme",
    [("X-Forwarded-Proto: https", "https"), ("X-Forwarded-Ssl: on", "http"), ("X-Forwarded-Protocol: ssl", "http")],
)
def test_only_x_forwarded_proto_sets_the_scheme(tmp_path, header, scheme):
    name, value = header.split(": ")
    with Server(tmp_path, workers=1) as server:
        sitemap = Browser(server.url).get("/sitemap.xml", [(name, value)]).text
    assert f"<loc>{scheme}://127.0.0.1:" in sitemap
