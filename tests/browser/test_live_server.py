"""The browser fixtures themselves: a real server, a real Chromium, and watchers that catch problems."""

import urllib.request

import pytest

from tests.helpers import LANGUAGES

from . import live


def test_live_server_is_gunicorn_with_its_own_database(live_server, submissions):
    with urllib.request.urlopen(f"{live_server.url}/{LANGUAGES[0]}/") as response:
        assert response.status == 200
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert "gunicorn" in response.headers["Server"]
    assert live_server.database.exists()
    assert isinstance(submissions(), list)  # the migrated table, readable as staff would read it


def test_page_loads_in_chromium(page):
    response = page.goto("/en/")
    assert response.status == 200
    assert page.title() == "International relations – City of Gothenburg"


def test_csp_violations_are_caught(page, browser_log):
    page.goto("/en/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.inlineRan = true";
          document.body.append(script);
        }"""
    )
    browser_log.wait_for_reports(page)
    assert not page.evaluate("() => window.inlineRan === true")
    assert [v["directive"] for v in browser_log.csp_violations] == ["script-src-elem"]
    # Chromium reports it on the console too.
    assert any("Content Security Policy" in e for e in browser_log.errors)
    browser_log.csp_violations.clear()
    browser_log.allow("Content Security Policy")


def test_console_errors_are_caught(page, browser_log):
    page.goto("/en/")
    page.evaluate("() => console.error('something broke')")
    assert browser_log.unexpected() == ["console error: something broke ()"]
    browser_log.allow("something broke")


def test_a_missing_browser_fails_loudly(monkeypatch):
    monkeypatch.setattr(live, "CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(live.BrowserMissing, match="install Debian's chromium"):
        live.chromium_path()
