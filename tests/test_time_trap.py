"""The time trap: a form sent within MAIL_SPAM_MIN_SECONDS of being served is held back as spam;
a stamp is bound to its form, verifies under the previous key during a rotation, and one that does
not verify, or is older than a day, asks the visitor to send again rather than making them spam."""

import time

import pytest

from tests.helpers import Visitor, hidden_value, make_app, rows, textarea, translate
from tests.mail_helpers import outbox_rows
from webapp.contact import time_trap
from webapp.contact.forms import new_form_key


@pytest.fixture
def app(tmp_path, assets_dir):
    return make_app(tmp_path, ASSETS_DIR=str(assets_dir), MAIL_SPAM_MIN_SECONDS=3)


SEND_AGAIN = "Your message has not been sent yet, because the page had been open for a long time. Your text is still here: send it again."
DAY = 24 * 3600


def served_ago(app, seconds, visitor):
    """The stamp of `visitor`'s form as if its page had been served `seconds` ago."""
    with app.app_context():
        return time_trap.stamp(hidden_value(visitor.page, "form_key"), time.time() - seconds)


def another_key(tmp_path, assets_dir, app, **config):
    """The site over the same database with another secret key: after a rotation, or another host."""
    (tmp_path / "other").mkdir()
    return make_app(
        tmp_path / "other", ASSETS_DIR=str(assets_dir), MAIL_SPAM_MIN_SECONDS=3, DATABASE=app.config["DATABASE"],
        SECRET_KEY="another-secret-key-that-is-long-enough-too", **config,
    )


def test_sent_at_once_is_spam_answered_like_a_success(app):
    response = Visitor(app.test_client()).submit(message="Hej", email="visitor@example.org")
    assert response.status_code == 303
    assert rows(app)[0]["status"] == "spam"
    assert outbox_rows(app) == []


def test_sent_after_the_minimum_is_a_message(app):
    visitor = Visitor(app.test_client())
    response = visitor.submit(message="Hej", served=served_ago(app, 3.5, visitor))
    assert response.status_code == 303
    assert rows(app)[0]["status"] == "new"
    assert [r["kind"] for r in outbox_rows(app)] == ["notification"]


@pytest.mark.parametrize("served", ["", "not-signed", "MTIzNA.forged"])
def test_a_missing_or_forged_time_asks_to_send_again(app, served):
    """Nothing says when the page was served: not spam, not a message yet (a script learns to
    send the stamp; a visitor whose stamp was lost sends again and is through)."""
    visitor = Visitor(app.test_client())
    response = visitor.submit(message="Hej", served=served)
    assert response.status_code == 422 and rows(app) == []
    again = visitor.submit(message="Hej", served=hidden_value(response.text, "served"))
    assert again.status_code == 303 and rows(app)[0]["status"] == "new"


@pytest.mark.parametrize("now", [1_800_000_000.006, 1_800_000_000.004, 1_800_000_000.0])
def test_a_new_stamp_passes_a_send_at_the_same_instant(app, monkeypatch, now):
    """restamp() gives a form whose stamp failed the minimum's age: a send at once passes, even when
    the clock's hundredth is rounded (a time ending in .006 rounded up once made it spam)."""
    monkeypatch.setattr(time_trap.time, "time", lambda: now)
    with app.app_context():
        restamped = time_trap.restamp("not-signed", "key")
        assert time_trap.judge(restamped, "key") == time_trap.PASSED


@pytest.mark.parametrize("htmx", [False, True])
def test_the_time_is_kept_through_re_renders(app, htmx):
    """A quick fix after a validation error is never spam: the first render's time stays."""
    visitor = Visitor(app.test_client())
    first = served_ago(app, 60, visitor)
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
            assert abs(time.time() - time_trap.serializer().loads(stamp)[0]) < 60


def test_zero_switches_the_trap_off(tmp_path, assets_dir):
    app = make_app(tmp_path, ASSETS_DIR=str(assets_dir), MAIL_SPAM_MIN_SECONDS=0)
    Visitor(app.test_client()).submit(message="Hej", served="")
    assert rows(app)[0]["status"] == "new"


def test_during_a_rotation_the_previous_key_still_verifies(app, tmp_path, assets_dir):
    """WEBAPP_SECRET_KEY_FALLBACKS: a page served before the new key took over is a message."""
    visitor = Visitor(app.test_client())
    served = served_ago(app, 60, visitor)
    rotated = another_key(tmp_path, assets_dir, app, SECRET_KEY_FALLBACKS=[app.config["SECRET_KEY"]])
    visitor.client = rotated.test_client()
    # A mistake first: the re-render signs the page's time with the new key, keeping it.
    fix = visitor.submit(message="", served=served)
    assert fix.status_code == 422
    with app.app_context():
        old_time = time_trap.serializer().loads(served)[0]
    with rotated.app_context():
        assert time_trap.serializer().loads(hidden_value(fix.text, "served"))[0] == old_time
    rotated.config["SECRET_KEY_FALLBACKS"] = []  # the rotation is over: the re-signed stamp still verifies
    assert visitor.submit(message="Hej", served=hidden_value(fix.text, "served")).status_code == 303
    assert rows(app)[0]["status"] == "new"


@pytest.mark.parametrize("htmx", [False, True])
def test_a_stamp_that_does_not_verify_is_no_spam_the_visitor_sends_again(app, tmp_path, assets_dir, htmx):
    """A key rotated without a fallback, or a host with another key: the visitor is asked to send
    again, with their text kept and a stamp that verifies, and that send, however quick, is a message."""
    visitor = Visitor(app.test_client())
    served = served_ago(app, 60, visitor)
    visitor.client = another_key(tmp_path, assets_dir, app).test_client()
    response = visitor.submit(htmx=htmx, message="Min text", served=served)
    assert response.status_code == 422 and rows(app) == []
    assert translate("sv", SEND_AGAIN) in response.text
    assert textarea(response.text) == "Min text"
    again = visitor.submit(htmx=htmx, message="Min text", served=hidden_value(response.text, "served"))
    assert again.status_code in (200, 303)
    assert [row["status"] for row in rows(app)] == ["new"]


def test_every_re_render_re_stamps_a_stamp_that_does_not_verify(app, tmp_path, assets_dir):
    """A validation error's re-render (or any other) does not keep a stamp that fails: the fixed send is a message."""
    visitor = Visitor(app.test_client())
    served = served_ago(app, 60, visitor)
    visitor.client = another_key(tmp_path, assets_dir, app).test_client()
    mistake = visitor.submit(message="", served=served)
    assert mistake.status_code == 422
    assert visitor.submit(message="Nu med text", served=hidden_value(mistake.text, "served")).status_code == 303
    assert rows(app)[0]["status"] == "new"


def test_a_stamp_is_bound_to_its_form(app):
    """One signed time posted at once from five fresh sessions, each with its own form key: spam, each time."""
    year_old = served_ago(app, 365 * DAY, Visitor(app.test_client()))
    for _ in range(5):
        assert Visitor(app.test_client()).submit(message="Köp billigt", served=year_old).status_code == 303
    assert [row["status"] for row in rows(app)] == ["spam"] * 5
    assert outbox_rows(app) == []


@pytest.mark.parametrize("htmx", [False, True])
def test_a_page_left_open_for_more_than_a_day_asks_to_send_again(app, htmx):
    visitor = Visitor(app.test_client())
    response = visitor.submit(htmx=htmx, message="Skrev i går", served=served_ago(app, DAY + 60, visitor))
    assert response.status_code == 422 and rows(app) == []
    assert translate("sv", SEND_AGAIN) in response.text
    assert textarea(response.text) == "Skrev i går"
    again = visitor.submit(htmx=htmx, message="Skrev i går", served=hidden_value(response.text, "served"))
    assert again.status_code in (200, 303)
    assert [row["status"] for row in rows(app)] == ["new"]


def test_a_page_open_for_less_than_a_day_is_a_message(app):
    visitor = Visitor(app.test_client())
    assert visitor.submit(message="Skrev i morse", served=served_ago(app, DAY - 60, visitor)).status_code == 303
    assert rows(app)[0]["status"] == "new"


def test_a_stamp_is_what_itsdangerous_signs(app):
    """stamp() signs without itsdangerous' dumps() (too slow for every page view), in its format
    (dumps() would compress a payload that repeats itself; a form key's random digits do not)."""
    with app.app_context():
        for n in range(200):
            key, at = new_form_key(), time.time() + n * 0.37
            assert time_trap.stamp(key, at) == time_trap.serializer().dumps([time_trap.served_time(at), key])
            assert time_trap.stamp(key, at, "another-secret-key-that-is-long-enough-too") != time_trap.stamp(key, at)


@pytest.mark.parametrize("form_key", ["", "k", "0" * 400, "å" * 50])
def test_a_stamp_is_read_as_itsdangerous_reads_it(app, form_key):
    """judge() checks the current key's signature itself (loads() is slow too) and leaves the rest to
    loads(): a compressed payload ("0" * 400 is), another key, a changed byte, a missing signature."""
    at = round(time.time() - 60, 2)
    with app.app_context():
        signed = time_trap.serializer().dumps([at, form_key])
        assert signed.startswith(".") or form_key != "0" * 400  # the compressed case is covered
        assert time_trap.judge(signed, form_key) == time_trap.PASSED
        assert time_trap.judge(signed, form_key + "x") == time_trap.SPAM
        other = time_trap._serializer("another-secret-key-that-is-long-enough-too", ()).dumps([at, form_key])
        payload, _, signature = signed.rpartition(".")
        changed = payload[:-1] + ("B" if payload.endswith("A") else "A")
        for forged in (other, signed[:-1], payload, payload + ".", f"{changed}.{signature}", "", "."):
            assert time_trap.judge(forged, form_key) == time_trap.AGAIN
