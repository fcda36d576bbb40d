"""Many visitors at once against gunicorn with several workers: every acknowledged
reference is stored exactly once, and nothing else is."""

import re
import sqlite3
import threading
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.live_server import LiveServer
from tests.helpers import hidden_value

pytestmark = pytest.mark.slow  # gunicorn under load

CLIENTS = 12
EACH = 8


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def visitor(url: str, n: int) -> list[tuple[str, str]]:
    """One browser-like client: fetch the page, then send EACH messages, each from a fresh page."""
    opener = urllib.request.build_opener(NoRedirect)
    acknowledged = []
    for i in range(EACH):
        page = opener.open(f"{url}/sv/", timeout=30).read().decode()
        message = f"Klient {n}, meddelande {i}: åäö 😀 {threading.get_ident()}"
        body = urllib.parse.urlencode(
            {"form_key": hidden_value(page, "form_key"), "email": "", "message": message}
        ).encode()
        try:
            opener.open(f"{url}/sv/contact", data=body, timeout=30)
            raise AssertionError("expected a 303")
        except urllib.error.HTTPError as response:
            assert response.code == 303, response.code
            reference = re.search(r"/thanks/(GBG-[\w-]+)$", response.headers["Location"]).group(1)
        acknowledged.append((reference, message))
    return acknowledged


def test_concurrent_submissions_are_stored_exactly_once(tmp_path):
    with LiveServer(tmp_path, workers=4) as server:
        with ThreadPoolExecutor(CLIENTS) as pool:
            results = [r for batch in pool.map(lambda n: visitor(server.url, n), range(CLIENTS)) for r in batch]
    conn = sqlite3.connect(server.database)
    stored = conn.execute("SELECT reference, message FROM submissions").fetchall()
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert len(results) == CLIENTS * EACH
    assert sorted(stored) == sorted(results)


def test_the_same_form_sent_many_times_at_once_is_stored_once(tmp_path):
    with LiveServer(tmp_path, workers=4) as server:
        opener = urllib.request.build_opener(NoRedirect)
        page = opener.open(f"{server.url}/en/", timeout=30).read().decode()
        body = urllib.parse.urlencode(
            {"form_key": hidden_value(page, "form_key"), "message": "Impatient double click"}
        ).encode()

        def send(_):
            try:
                opener.open(f"{server.url}/en/contact", data=body, timeout=30)
            except urllib.error.HTTPError as response:
                return response.code, response.headers["Location"]

        with ThreadPoolExecutor(8) as pool:
            answers = set(pool.map(send, range(8)))
    assert len(answers) == 1 and next(iter(answers))[0] == 303
    conn = sqlite3.connect(server.database)
    assert conn.execute("SELECT count(*) FROM submissions").fetchone()[0] == 1
    conn.close()
