"""Fixtures for tests in a real browser: one live server and one Chromium per session,
a fresh browser context per test, and a watch on the console and the CSP throughout.

Every test using `page` fails if the browser logged an error or a warning, threw an
uncaught exception or reported a CSP violation, unless the test said that was expected.
"""

import re
import sqlite3

import pytest
from playwright.sync_api import sync_playwright

from tests.live_server import LiveServer

from .live import launch_chromium

# Reports every CSP violation to Python, on every page the context opens.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation({
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
    element: event.target instanceof Element ? event.target.outerHTML.slice(0, 120) : String(event.target),
  });
});
"""


def pytest_collection_modifyitems(items):
    for item in items:
        if "/tests/browser/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    with LiveServer(tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)  # raises, so the suite fails, when Chromium is missing
        yield browser
        browser.close()


class BrowserLog:
    """What the browser said while a test ran."""

    def __init__(self):
        self.errors: list[str] = []
        self.csp_violations: list[dict] = []
        self._allowed: list[re.Pattern] = []

    def allow(self, pattern: str) -> None:
        """Accept console errors matching `pattern`, e.g. the one Chromium logs for a 404 page."""
        self._allowed.append(re.compile(pattern))

    def on_console(self, message) -> None:
        # Warnings too: Chromium warns about a header it cannot read (an unknown Permissions-Policy feature).
        if message.type in ("error", "warning"):
            self.errors.append(f"console {message.type}: {message.text} ({message.location.get('url', '')})")

    @staticmethod
    def wait_for_reports(page) -> None:
        """Returns once every CSP violation the page has seen so far has reached Python. A report is
        sent from a task the violation queued; a task queued now runs after it, and the binding's
        calls are answered in order, so the marker call coming back means the reports are in."""
        page.evaluate("() => new Promise((done) => setTimeout(done)).then(() => window.reportCspViolation(null))")

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self._allowed)]


@pytest.fixture
def browser_log():
    return BrowserLog()


def new_context(browser, live_server, browser_log, **options):
    context = browser.new_context(base_url=live_server.url, **options)
    context.on("console", browser_log.on_console)
    context.on("weberror", lambda error: browser_log.errors.append(f"uncaught: {error.error}"))
    context.expose_binding(
        "reportCspViolation", lambda source, v: v is None or browser_log.csp_violations.append(v)
    )  # None: the marker of wait_for_reports
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    return context


@pytest.fixture
def form_errors_expected(browser_log):
    """Chromium logs the 422 of a form sent back with its errors."""
    browser_log.allow(r"status of 422")


@pytest.fixture
def make_context(browser, live_server, browser_log):
    """Open more contexts (another viewport, JavaScript off); all are watched and closed."""
    contexts, scripted = [], []

    def make(**options):
        contexts.append(new_context(browser, live_server, browser_log, **options))
        # Without JavaScript no report is sent, and no timer would ever let wait_for_reports return.
        if options.get("java_script_enabled", True):
            scripted.append(contexts[-1])
        return contexts[-1]

    yield make
    for page in (p for c in scripted for p in c.pages):
        browser_log.wait_for_reports(page)
    for context in contexts:
        context.close()
    assert not browser_log.csp_violations, f"CSP violations: {browser_log.csp_violations}"
    assert not browser_log.unexpected(), "\n".join(browser_log.unexpected())


@pytest.fixture
def context(make_context):
    return make_context()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def submissions(live_server):
    """Read the live server's stored submissions, as city staff would see them."""

    def read() -> list[dict]:
        with sqlite3.connect(live_server.database) as conn:
            conn.row_factory = sqlite3.Row
            return [dict(row) for row in conn.execute("SELECT * FROM submissions ORDER BY id")]

    return read
