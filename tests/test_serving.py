"""Production serving: gunicorn.conf.py, as `make run` uses it."""

import json
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import brotli
import pytest

from webapp import ROOT
from webapp.db import migrate

CONF = ROOT / "gunicorn.conf.py"


def load_conf(monkeypatch, **env) -> dict:
    for name in ("WEBAPP_BIND", "WEBAPP_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_defaults_listen_on_loopback_with_workers_from_the_cores(monkeypatch):
    conf = load_conf(monkeypatch)
    assert conf["bind"] == "127.0.0.1:5000"
    assert conf["workers"] == 2 * len(os.sched_getaffinity(0)) + 1
    assert 0 < conf["graceful_timeout"] <= conf["timeout"]
    assert conf["accesslog"] is None  # the site logs each request itself, once


def test_bind_and_workers_from_the_environment(monkeypatch):
    conf = load_conf(monkeypatch, WEBAPP_BIND="0.0.0.0:8080", WEBAPP_WORKERS="3")
    assert conf["bind"] == "0.0.0.0:8080"
    assert conf["workers"] == 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture
def gunicorn(tmp_path, assets_dir):
    """The app under gunicorn with the production settings, on a free port."""
    port = free_port()
    instance = tmp_path / "instance"
    migrate(instance / "webapp.sqlite3")
    env = {
        **os.environ,
        "WEBAPP_BIND": f"127.0.0.1:{port}",
        "WEBAPP_WORKERS": "2",
        "WEBAPP_INSTANCE_PATH": str(instance),
        "WEBAPP_ASSETS_DIR": str(assets_dir),
    }
    out, err = tmp_path / "access.log", tmp_path / "error.log"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(CONF), "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if get(f"{url}/healthz")[0] == 200:
                break
        except OSError:
            pass
        assert process.poll() is None and time.monotonic() < deadline, err.read_text()
        time.sleep(0.1)
    yield url, process, err
    if process.poll() is None:
        process.kill()
        process.wait()


def test_gunicorn_serves_the_site_and_logs_each_request_once_as_json(gunicorn):
    url, process, request_log = gunicorn
    status, headers, body = get(f"{url}/sv/?q=secret%22x\\", **{"Accept-Encoding": "br", "User-Agent": "Agent/1.0"})
    assert status == 200 and headers["Content-Encoding"] == "br"
    request_id = headers["X-Request-ID"]
    html = brotli.decompress(body).decode()
    css = html.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    status, headers, _ = get(url + css, **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip" and "immutable" in headers["Cache-Control"]
    status, _, _ = get(url + '/sv/"quoted"\\path')
    assert status == 404

    # SIGTERM: workers finish and the master exits cleanly within the graceful timeout.
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0

    # Gunicorn's own lines (which name the listening address) share stderr with the request log.
    lines = [line for line in request_log.read_text().splitlines() if line.startswith("{")]
    log = "\n".join(lines)
    records = [json.loads(line) for line in lines]
    assert all(r["event"] == "request" for r in records)
    page = [r for r in records if r["path"] == "/sv/"]
    assert len(page) == 1, "one line per request"
    assert page[0]["method"] == "GET" and page[0]["status"] == 200 and page[0]["request_id"] == request_id
    assert page[0]["duration_ms"] >= 0
    assert any(r["path"] == '/sv/"quoted"\\path' and r["status"] == 404 for r in records)
    # Nothing that identifies or quotes the visitor.
    for private in ("127.0.0.1", "Agent/1.0", "secret"):
        assert private not in log
