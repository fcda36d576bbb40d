"""The time trap: a form sent within MAIL_SPAM_MIN_SECONDS of being served is held back as spam."""

import time

import pytest

from tests.helpers import Visitor, hidden_value, make_app, rows
from tests.mail_helpers import outbox_rows
from webapp.contact import time_trap


@pytest.fixture
def app(tmp_path, assets_dir):
    return make_app(tmp_path, ASSETS_DIR=str(assets_dir), MAIL_SPAM_MIN_SECONDS=3)


def served_ago(app, seconds):
    with app.app_context():
        return time_trap.stamp(time.time() - seconds)


def test_sent_at_once_is_spam_answered_like_a_success(app):
    response = Visitor(app.test_client()).submit(message="Hej", email="visitor@example.org")
    assert response.status_code == 303
    assert rows(app)[0]["status"] == "spam"
    assert outbox_rows(app) == []


def test_sent_after_the_minimum_is_a_message(app):
    response = Visitor(app.test_client()).submit(message="Hej", served=served_ago(app, 3.5))
    assert response.status_code == 303
    assert rows(app)[0]["status"] == "new"
    assert [r["kind"] for r in outbox_rows(app)] == ["notification"]


@pytest.mark.parametrize("served", ["", "not-signed", "MTIzNA.forged"])
def test_a_missing_or_forged_time_is_spam(app, served):
    Visitor(app.test_client()).submit(message="Hej", served=served)
    assert rows(app)[0]["status"] == "spam"


@pytest.mark.parametrize("htmx", [False, True])
def test_the_time_is_kept_through_re_renders(app, htmx):
    """A quick fix after a validation error is never spam: the first render's time stays."""
    visitor = Visitor(app.test_client())
    first = served_ago(app, 60)
    again = visitor.submit(htmx=htmx, message="", served=first)
    assert again.status_code == 422
    assert hidden_value(again.text, "served") == first
    fixed = visitor.submit(htmx=htmx, message="Nu med text", served=hidden_value(again.text, "served"))
    assert fixed.status_code in (200, 303)
    assert rows(app)[0]["status"] == "new"


def test_every_page_view_gets_its_own_signed_time(app):
    """The front page is cached (webapp/pages.py): its time must still be this view's."""
    client = app.test_client()
    stamps = [hidden_value(client.get("/sv/").text, "served") for _ in range(2)]
    with app.app_context():
        for stamp in stamps:
            assert abs(time.time() - time_trap.serializer().loads(stamp)) < 60


def test_zero_switches_the_trap_off(tmp_path, assets_dir):
    app = make_app(tmp_path, ASSETS_DIR=str(assets_dir), MAIL_SPAM_MIN_SECONDS=0)
    Visitor(app.test_client()).submit(message="Hej", served="")
    assert rows(app)[0]["status"] == "new"
