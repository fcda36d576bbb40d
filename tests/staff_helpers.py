"""Signing in to the staff area in tests: with a one-time link (as `flask staff link` prints it),
and a clock the tests move instead of sleeping."""

import json
import re
import time

from tests.helpers import BROWSER, hidden_value


class Clock:
    """The staff area's clock (test_config STAFF_CLOCK), starting at the real time."""

    def __init__(self):
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def move(self, seconds: float) -> None:
        self.now += seconds


def link_path(app, email: str, role: str) -> str:
    result = app.test_cli_runner().invoke(args=["staff", "link", email, "--role", role])
    assert result.exit_code == 0, result.output
    return re.search(r"/staff/auth/link/[\w-]+", result.output).group(0)


def csrf(html: str) -> str:
    return hidden_value(html, "csrf_token")


def post(client, path: str, page_html: str, **data):
    """POST a staff form as a browser does: the token from the page it was on, from this site."""
    return client.post(path, data={"csrf_token": csrf(page_html), **data}, headers=BROWSER)


def sign_in(client, app, email="rut@goteborg.se", role="registrar"):
    """Sign `client` in with a fresh link; returns the landing page's response."""
    path = link_path(app, email, role)
    response = post(client, path, client.get(path).text)
    assert response.status_code == 302, response.text
    return client.get(response.headers["Location"])


def staff_log(app) -> list[dict]:
    result = app.test_cli_runner().invoke(args=["staff", "log", "--json"])
    return [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]


def staff_cookie(client) -> str | None:
    cookie = client.get_cookie("staff", path="/")
    return cookie.value if cookie else None
