"""The contact form's rate limit: counted in an SQLite file every worker shares, checked only where it limits."""

import multiprocessing
import re
import socket
import sqlite3
import sys
import threading
import time
import urllib.parse

import pytest
from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from tests.helpers import Visitor, make_app, rows, translate
from tests.live_server import LiveServer
from webapp import extensions
from webapp.web.rate_limit_storage import SQLiteStorage


def test_default_storage_is_a_file_beside_the_database(app):
    database = app.config["DATABASE"]
    assert app.config["RATELIMIT_STORAGE_URI"] == "sqlite:///" + database.replace("test.sqlite3", "ratelimit.sqlite3")
    assert isinstance(extensions.limiter.storage, SQLiteStorage)


@pytest.mark.parametrize("uri, kind", [("memory://", MemoryStorage), ("sqlite:////tmp/x/limits.sqlite3", SQLiteStorage)])
def test_storage_is_chosen_by_its_uri(tmp_path, uri, kind):
    make_app(tmp_path, RATELIMIT_STORAGE_URI=uri)
    assert type(extensions.limiter.storage) is kind


def test_sqlite_uri_paths_are_relative_or_absolute():
    assert SQLiteStorage("sqlite:///limits.sqlite3").path == "limits.sqlite3"
    assert SQLiteStorage("sqlite:////var/lib/webapp/limits.sqlite3").path == "/var/lib/webapp/limits.sqlite3"
    with pytest.raises(ValueError):
        SQLiteStorage("sqlite://")


def test_counts_per_key_within_a_window(tmp_path, monkeypatch):
    storage = storage_from_string(f"sqlite:///{tmp_path / 'limits.sqlite3'}")
    now = [1000.0]
    monkeypatch.setattr("webapp.web.rate_limit_storage.time.time", lambda: now[0])
    assert [storage.incr("a", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.incr("b", 60, amount=5) == 5
    assert storage.get("a") == 3 and storage.get("missing") == 0
    assert storage.get_expiry("a") == 1060.0
    now[0] = 1059.9
    assert storage.incr("a", 60) == 4
    now[0] = 1060.0  # the window has run out: counting starts again, with a new window
    assert storage.get("a") == 0
    assert storage.incr("a", 60) == 1 and storage.get_expiry("a") == 1120.0
    storage.clear("a")
    assert storage.get("a") == 0 and storage.get("b") == 0  # b's window ran out too
    assert storage.check()
    assert storage.reset() == 0


def hit_many(uri, start, results, hits):
    limiter = FixedWindowRateLimiter(storage_from_string(uri))
    limit = parse("25 per minute")
    start.wait()
    results.put([limiter.hit(limit, "127.0.0.1") for _ in range(hits)])


def test_processes_counting_at_once_share_one_limit(tmp_path):
    uri = f"sqlite:///{tmp_path / 'limits.sqlite3'}"
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(6), context.Queue()
    workers = [context.Process(target=hit_many, args=(uri, start, results, 10)) for _ in range(6)]
    for worker in workers:
        worker.start()
    outcomes = [hit for _ in workers for hit in results.get(timeout=60)]
    for worker in workers:
        worker.join()
    assert len(outcomes) == 60
    assert outcomes.count(True) == 25, "60 hits from 6 processes, exactly the limit allowed"


def calls_into_flask_limiter(action) -> set[str]:
    """The names of Flask-Limiter's functions that run while `action` runs."""
    names = set()

    def profile(frame, event, arg):
        if event == "call" and "flask_limiter" in frame.f_code.co_filename:
            names.add(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return names


def test_page_views_do_not_run_the_limiter(client):
    visitor = Visitor(client)
    for path in ("/sv/", "/en/privacy", "/healthz", "/sv/no-such-page"):
        assert "_check_request_limit" not in calls_into_flask_limiter(lambda: client.get(path))
    # The probe sees the check where it does run: on sending the form.
    assert "_check_request_limit" in calls_into_flask_limiter(lambda: visitor.submit(message="Hej"))


def test_an_unusable_counter_file_does_not_stop_the_form(tmp_path, caplog, monkeypatch):
    # Each worker then counts on its own, and says so in the log.
    monkeypatch.setattr(extensions.limiter, "_storage_dead", False)  # put back afterwards: the limiter outlives this app
    app = make_app(tmp_path, RATELIMIT_STORAGE_URI=f"sqlite:///{tmp_path / 'no-such-folder' / 'limits.sqlite3'}", CONTACT_RATE_LIMIT="2 per minute")
    visitor = Visitor(app.test_client())
    assert [visitor.submit(message=f"m{i}").status_code for i in range(3)] == [303, 303, 429]
    assert len(rows(app)) == 2
    assert "falling back to in-memory storage" in caplog.text


def send_forms(url: str, count: int) -> list[int]:
    """`count` sends of the form from one visitor (one address), all at once.

    Each send's last byte waits until every send is connected and a moment more: a sync
    worker reading one then waits for it, so the others go to other workers (a POST is
    quick enough that one worker would otherwise answer them all, one after another)."""
    host, port = urllib.parse.urlsplit(url).netloc.rsplit(":", 1)
    statuses, lock, connected = [], threading.Lock(), threading.Barrier(count)

    def send(i):
        body = urllib.parse.urlencode({"form_key": f"{i:032x}", "email": "", "message": f"Nr {i}"}).encode()
        head = (
            f"POST /sv/contact HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        with socket.create_connection((host, int(port)), timeout=30) as conn:
            conn.sendall(head + body[:-1])
            connected.wait()
            time.sleep(0.3)  # pacing, not a measurement: the idle workers take the waiting sends
            conn.sendall(body[-1:])
            status = int(conn.makefile("rb").readline().split()[1])
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.fixture(params=["default", "memory://"])
def limited_server(request, tmp_path, assets_dir):
    """The site under gunicorn with a low limit, logging which worker answered each request."""
    access = tmp_path / "access.log"
    env = {
        "WEBAPP_ASSETS_DIR": str(assets_dir),
        "WEBAPP_RATELIMIT_ENABLED": "true",
        "WEBAPP_CONTACT_RATE_LIMIT": "5 per minute",
        "GUNICORN_CMD_ARGS": f"--access-logfile {access} --access-logformat '%(p)s %(m)s %(s)s'",
    }
    if request.param != "default":
        env["WEBAPP_RATELIMIT_STORAGE_URI"] = request.param
    with LiveServer(tmp_path, env=env) as server:
        yield request.param, access, server


@pytest.mark.slow
def test_the_limit_counts_across_gunicorn_workers(limited_server):
    storage, access, server = limited_server
    statuses = send_forms(server.url, 16)
    assert set(statuses) <= {303, 429}
    lines = [line.split() for line in access.read_text().splitlines()]
    posts = {}
    for pid, method, _status in lines:
        if method == "POST":
            posts[pid] = posts.get(pid, 0) + 1
    assert len(posts) >= 2, f"the sends should reach several workers: {posts}"
    if storage == "default":
        assert statuses.count(303) == 5
    else:  # what the shared file prevents: each worker allows the limit by itself
        assert statuses.count(303) == sum(min(5, n) for n in posts.values()) > 5


def test_the_counter_file_names_no_address(tmp_path):
    """What ratelimit.sqlite3 keeps: counts under a keyed hash, never the visitor's address."""
    app = make_app(tmp_path, RATELIMIT_STORAGE_URI=f"sqlite:///{tmp_path / 'ratelimit.sqlite3'}")
    client = app.test_client()
    visitor = Visitor(client)
    for address in ("203.0.113.7", "2001:db8::7"):
        client.environ_base["REMOTE_ADDR"] = address
        assert visitor.submit(message="Hej").status_code == 303
    conn = sqlite3.connect(tmp_path / "ratelimit.sqlite3")
    keys = [key for (key,) in conn.execute("SELECT key FROM counters")]
    conn.close()
    assert keys and not [k for k in keys if "203.0.113" in k or "2001:db8" in k or "127.0.0.1" in k]
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.7"}):
        mine = extensions.hashed_address()
    assert any(mine in key for key in keys)
    (tmp_path / "other").mkdir()
    other = make_app(tmp_path / "other", SECRET_KEY="another-secret-key-that-is-long-enough")
    with other.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.7"}):
        assert extensions.hashed_address() != mine  # without the key, no table of all addresses helps


def test_the_confirmation_page_has_a_generous_limit_of_its_own(tmp_path):
    app = make_app(tmp_path, THANKS_RATE_LIMIT="3 per minute")
    client = app.test_client()
    reference = Visitor(client).submit(message="Hej").headers["Location"].rsplit("/", 1)[1]
    assert [client.get(f"/en/contact/thanks/{reference}").status_code for _ in range(3)] == [200, 200, 200]
    assert client.get("/en/contact/thanks/GUESSED").status_code == 429
    refused = client.get(f"/sv/contact/thanks/{reference}")
    assert refused.status_code == 429
    assert translate("sv", "Too many requests") in refused.text
    assert 'name="message"' not in refused.text  # an error page, not the form


def test_the_default_confirmation_limit_lets_a_person_through(client):
    reference = Visitor(client).submit(message="Hej").headers["Location"].rsplit("/", 1)[1]
    assert {client.get(f"/sv/contact/thanks/{reference}").status_code for _ in range(20)} == {200}
