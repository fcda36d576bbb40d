"""Production serving: gunicorn.conf.py, as `make run` uses it."""

import json
import os
import runpy
import urllib.error
import urllib.request

import brotli
import pytest

from tests.live_server import LiveServer
from webapp import ROOT

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
    with LiveServer(tmp_path, env={"WEBAPP_ASSETS_DIR": str(assets_dir)}) as server:
        yield server


@pytest.mark.slow
def test_gunicorn_serves_the_site_and_logs_each_request_once_as_json(gunicorn):
    url = gunicorn.url
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
    gunicorn.terminate()
    assert gunicorn.wait(30) == 0

    # Every line on stderr is JSON from one formatter: gunicorn's own (one names the listening
    # address), the site's warnings, and the request log, whose lines alone carry "event".
    log = gunicorn.log.read_text()
    entries = [json.loads(line) for line in log.splitlines()]
    assert all({"level", "logger", "message", "time"} <= entry.keys() for entry in entries)
    assert any(entry["logger"] == "gunicorn.error" for entry in entries)
    records = [entry for entry in entries if entry.get("event") == "request"]
    assert {r["logger"] for r in records} == {"webapp.requests"}
    page = [r for r in records if r["path"] == "/sv/"]
    assert len(page) == 1, "one line per request"
    assert page[0]["method"] == "GET" and page[0]["status"] == 200 and page[0]["request_id"] == request_id
    assert page[0]["duration_ms"] >= 0
    assert any(r["path"] == '/sv/"quoted"\\path' and r["status"] == 404 for r in records)
    # Nothing that identifies or quotes the visitor (the address only in gunicorn's listening line).
    for private in ("Agent/1.0", "secret"):
        assert private not in log
    assert [line for line in log.splitlines() if "127.0.0.1" in line and "Listening at: " not in line] == []


def test_no_access_log_record_is_built_without_an_access_log(monkeypatch):
    """gunicorn builds a request's access-log record whenever a logging config is set, then drops
    it without an access log; gunicorn.conf.py's Logger builds none (a record needs the response:
    built from None, it fails)."""
    from gunicorn import glogging
    from gunicorn.config import Config

    conf = load_conf(monkeypatch)
    cfg = Config()
    cfg.set("logconfig_json", conf["logconfig_json"])
    conf["logger_class"](cfg).access(None, None, None, None)
    with pytest.raises(AttributeError):
        glogging.Logger(cfg).access(None, None, None, None)


@pytest.mark.slow
def test_an_access_log_asked_for_is_written(tmp_path, assets_dir):
    access = tmp_path / "access.log"
    env = {"WEBAPP_ASSETS_DIR": str(assets_dir), "GUNICORN_CMD_ARGS": f"--access-logfile {access}"}
    with LiveServer(tmp_path, env=env) as server:
        assert get(f"{server.url}/sv/")[0] == 200
    assert '"GET /sv/ HTTP/1.1" 200' in access.read_text()
