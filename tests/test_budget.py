"""Budgets: what a first view costs the visitor, and what a page view costs the server."""

import sqlite3

import pytest

from webapp import create_app
from tests.helpers import page_paths, LANGUAGES
from webapp.web.page_weight import breakdown, first_view

MAX_BYTES = 40_000  # 40 KB, headers included, as transferred with compression
MAX_REQUESTS = 5


@pytest.mark.parametrize("lang", LANGUAGES)
def test_first_view_within_budget(client, lang):
    resources = first_view(client, f"/{lang}/")
    table = breakdown(resources)
    print(f"\nFirst view of /{lang}/:\n{table}")
    total = sum(r.bytes for r in resources)
    assert total <= MAX_BYTES, f"{total} bytes is over the {MAX_BYTES} budget:\n{table}"
    assert len(resources) <= MAX_REQUESTS, f"{len(resources)} requests, budget {MAX_REQUESTS}:\n{table}"
    assert resources[0].status == 200
    for r in resources[1:]:
        assert r.status == 200, table
        if r.content_type.startswith("text/") and r.body_bytes > 1024:
            assert r.encoding == "br", table


@pytest.mark.parametrize("lang", LANGUAGES)
def test_first_view_renders_after_one_stylesheet(client, lang):
    resources = first_view(client, f"/{lang}/")
    table = breakdown(resources)
    assert all(r.url.startswith("http://localhost/") for r in resources), f"another host:\n{table}"
    blocking = [r.kind for r in resources[1:] if r.blocking]
    assert blocking == ["stylesheet"], f"render-blocking requests besides one stylesheet:\n{table}"
    scripts = [r for r in resources if r.kind == "script"]
    assert scripts, "the page loads htmx and contact.js"
    assert not any(r.blocking for r in scripts), table


@pytest.fixture
def sql_log(monkeypatch):
    """Every SQLite connection opened and statement run, by anyone, while the test runs."""
    log = []
    real_connect = sqlite3.connect

    def connect(*args, **kwargs):
        log.append(("connect", str(args[0] if args else kwargs.get("database"))))
        conn = real_connect(*args, **kwargs)
        conn.set_trace_callback(lambda sql: log.append(("execute", sql)))
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect)
    return log


def test_sql_log_sees_the_database_work_of_the_health_check(client, sql_log):
    # The counter itself works: the health check and a submission do use the database.
    client.get("/healthz")
    assert ("execute", "BEGIN IMMEDIATE") in sql_log


@pytest.mark.parametrize("path", [f"/{lang}/{page}" for lang in LANGUAGES for page in page_paths()])
def test_page_views_use_no_database(client, sql_log, path):
    for _ in range(2):
        assert client.get(path, headers={"Accept-Encoding": "br"}).status_code == 200
    assert sql_log == []


def test_templates_compiled_once_per_process(app, client, monkeypatch):
    compiled = []
    real_compile = app.jinja_env.compile

    def compile(source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return real_compile(source, name, filename, raw, defer_init)

    monkeypatch.setattr(app.jinja_env, "compile", compile)
    monkeypatch.setattr(app.jinja_env, "bytecode_cache", None)  # as in production, not the tests' shared one
    paths = ("/sv/", "/en/", "/fi/", "/sv/privacy", "/en/privacy", "/sv/no-such-page")
    for path in paths:
        client.get(path)
    assert {"index.html", "base.html", "privacy.html", "error.html"} <= set(compiled)
    compiled.clear()
    for path in paths:
        client.get(path)
    assert compiled == []


def test_production_config_does_not_reload_templates(monkeypatch, tmp_path):
    monkeypatch.setenv("WEBAPP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("WEBAPP_SECRET_KEY", "x")
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = create_app()
    assert not app.debug
    # No stat() of every template on every render.
    assert app.jinja_env.auto_reload is False
