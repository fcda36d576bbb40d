"""make bench's inbox part (bench/inbox.py, bench/inbox_http.py) does what it says: it seeds the
messages it claims, and it signs in with a real one-time link against the site under gunicorn
(no timing asserted here: the figures are make bench's)."""

import html
import sqlite3

import pytest

from bench import inbox, inbox_http
from tests.helpers import translate
from webapp.db import migrate


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench-inbox") / "instance"
    migrate(folder / "webapp.sqlite3")
    inbox.seed(folder / "webapp.sqlite3", 120, unhandled=20)
    return folder


def test_seeded_messages_are_stored_handled_and_found_by_the_search_index(instance):
    db = sqlite3.connect(instance / "webapp.sqlite3")
    try:
        assert db.execute("SELECT count(*), count(DISTINCT reference), count(email) FROM submissions").fetchone() == (120, 120, 80)
        states = dict(db.execute("SELECT status, count(*) FROM submissions GROUP BY status").fetchall())
        assert states == {"spam": 3, "new": 19, "closed": 98}  # every 50th spam; the newest 20 not handled
        # Each closed message has its case at the version its history reached, as cases.change() leaves them.
        assert db.execute(
            "SELECT count(*) FROM submissions s JOIN inbox_cases c ON c.submission_id = s.id"
            " WHERE c.version = (SELECT max(version) FROM inbox_history h WHERE h.submission_id = s.id) AND s.status = 'closed'"
        ).fetchone()[0] == 98
        with_word = db.execute("SELECT count(*) FROM submissions WHERE message LIKE '%vänort%'").fetchone()[0]
        found = db.execute("SELECT count(*) FROM submissions_fts WHERE submissions_fts MATCH '\"vänort\"'").fetchone()[0]
    finally:
        db.close()
    assert 0 < with_word == found


@pytest.mark.slow
def test_the_bench_signs_in_as_a_registrar_with_a_one_time_link(instance, tmp_path):
    with inbox_http.server(instance, tmp_path / "gunicorn.log") as site:
        path = site.sign_in_link(inbox_http.EMAIL, "registrar")
        client = inbox_http.sign_in(site.url, path)
        page = html.unescape(inbox_http.get(client, site.url + "/staff/").text)
        role = translate("sv", "registrar")
        assert translate("sv", "Signed in as %(name)s, %(role)s", name=inbox_http.EMAIL, role=role) in page
        with pytest.raises(RuntimeError, match="sign-in with the link failed"):
            inbox_http.sign_in(site.url, path)  # used once already
        signed_out = inbox_http.requests.get(site.url + "/staff/", allow_redirects=False, timeout=10)
        assert signed_out.status_code == 302
