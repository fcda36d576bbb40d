"""One message in the staff area: its text exactly as stored and never as HTML, its facts, mail,
hold and history; each action a plain form with the version read, a change made meanwhile
refused with what it was; roles, the access log, 404 and 422."""

import html as htmllib
import json
import re
from datetime import datetime

import pytest
from flask import Flask

from tests.helpers import hidden_value, make_app, textarea, translate
from tests.staff_helpers import post, sign_in, staff_log
from webapp import settings
from webapp.contact import submissions
from webapp.content import STOCKHOLM
from webapp.db import connect
from webapp.retention import holds

TEXT = 'Hej <script>alert("x")</script> & <b>fet</b>\nSe https://phish.example/login\n\nمرحبا بالعالم\n' + "å" * 300


def store(db, message=TEXT, *, email="visitor@example.org", status="new", n=[0]):
    n[0] += 1
    return submissions.store(db, locale="fi", email=email, message=message, form_key=f"m{n[0]:031d}", status=status)


def sv(text, **variables):
    return translate("sv", text, **variables)


def act(client, reference, action, page=None, **fields):
    """Send one of the page's forms, with the version the page showed."""
    page = page if page is not None else client.get(f"/staff/messages/{reference}").text
    return post(client, f"/staff/messages/{reference}/{action}", page, version=hidden_value(page, "version"), **fields)


def test_the_text_is_shown_exactly_as_stored_and_never_as_html(app, db, registrar):
    reference = store(db)
    page = registrar.get(f"/staff/messages/{reference}")
    assert page.status_code == 200
    shown = re.search(r'<div class="staff-message" dir="auto">(.*?)</div>', page.text, re.S)
    assert htmllib.unescape(shown.group(1)) == submissions.get(db, reference)["message"]
    assert "<script>" not in page.text and "&lt;script&gt;" in page.text
    assert 'href="https://phish.example' not in page.text  # a link in a message is text
    assert '<a href="mailto:visitor@example.org"><bdi>visitor@example.org</bdi></a>' in page.text
    received = submissions.get(db, reference)["created_at"]
    local = datetime.fromisoformat(received).astimezone(STOCKHOLM).strftime("%H:%M")
    assert f'<time datetime="{received}">' in page.text and local in page.text
    assert "<dd>finska</dd>" in page.text  # the page's language, in the staff area's
    assert sv("Nothing has been done with the message yet.") in page.text
    assert sv("Notification to the office") in page.text and sv("Receipt to the sender") in page.text
    (viewed,) = [e for e in staff_log(app) if e["action"] == "message_viewed"]
    assert viewed["references"] == [reference] and viewed["actor_name"] == "rut@goteborg.se"
    assert TEXT[:20] not in json.dumps(staff_log(app))  # the log never holds the text


def test_no_address_given(db, registrar):
    page = registrar.get(f"/staff/messages/{store(db, 'Hej', email='')}").text
    assert sv("No address given") in page and "mailto:" not in page


def test_an_unknown_reference_is_a_staff_page_with_404(app, registrar):
    response = registrar.get("/staff/messages/GBG-ZZZZ-ZZZZ")
    assert response.status_code == 404
    assert sv("No such message") in response.text and sv("Staff area") in response.text
    assert "message_viewed" not in [e["action"] for e in staff_log(app)]
    page = registrar.get("/staff/").text
    assert post(registrar, "/staff/messages/GBG-ZZZZ-ZZZZ/closed", page, version="0").status_code == 404
    assert post(registrar, "/staff/messages/GBG-ZZZZ-ZZZZ/delete", page, version="0").status_code == 404


def test_register_note_answer_close_reopen_each_in_the_history(app, db, registrar):
    reference = store(db)
    page = registrar.get(f"/staff/messages/{reference}").text
    assert hidden_value(page, "version") == "0"
    assert 'value="' + datetime.now(STOCKHOLM).date().isoformat() + '"' in page  # registered today by default
    done = act(registrar, reference, "register", page, diary_number=" SLK-2026-17 ", registered_on="2026-12-02")
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/staff/messages/{reference}?done=register")
    page = registrar.get(done.headers["Location"]).text
    assert sv("The message is registered.") in re.search(r'role="status">(.*?)</div>', page, re.S).group(1)
    assert "SLK-2026-17" in page and sv("registered") in page

    note = "Ringde upp avsändaren.\n<i>Återkommer</i> på måndag."
    assert act(registrar, reference, "note", note=note.replace("\n", "\r\n")).status_code == 303
    assert act(registrar, reference, "answered").status_code == 303
    assert act(registrar, reference, "closed").status_code == 303
    page = registrar.get(f"/staff/messages/{reference}?done=closed").text
    assert sv("The message is closed.") in page
    assert f"/staff/messages/{reference}/answered" not in page and f"/staff/messages/{reference}/reopen" in page
    assert act(registrar, reference, "reopen", page).status_code == 303
    page = registrar.get(f"/staff/messages/{reference}").text
    history = page[page.index('id="history-title"') :]
    for change in ("Registered", "Internal note", "Marked as answered", "Closed", "Reopened"):
        assert sv(change) in history
    assert htmllib.escape(note, quote=False) in history and "<i>" not in history  # the note as written, as text
    assert history.count("rut@goteborg.se") == 5
    changed = [e for e in staff_log(app) if e["action"] == "message_changed"]
    assert [e["details"]["action"] for e in changed] == ["register", "note", "answered", "closed", "reopen"]
    assert all(e["references"] == [reference] for e in changed)
    assert changed[0]["details"]["diary_number"] == "SLK-2026-17"
    assert "Ringde" not in json.dumps(changed)  # a note is not copied into the log
    assert hidden_value(page, "version") == "5"


def test_only_the_actions_the_state_allows_are_shown(db, registrar):
    spam = store(db, "Köp billigt", status="spam")
    page = registrar.get(f"/staff/messages/{spam}").text
    forms = set(re.findall(rf'action="/staff/messages/{spam}/(\w+)"', page))
    assert forms == {"not_spam", "note"}
    assert sv("This message was held back as probable spam: the office has not been sent it. If it is a real message, choose “Not spam”.") in page
    new = store(db, "Hej")
    assert set(re.findall(rf'action="/staff/messages/{new}/(\w+)"', registrar.get(f"/staff/messages/{new}").text)) == {
        "register", "answered", "closed", "spam", "note"
    }


def test_not_spam_queues_the_notification(app, db, registrar):
    reference = store(db, "Ett riktigt meddelande", status="spam")
    submission_id = submissions.get(db, reference)["id"]
    assert db.execute("SELECT count(*) FROM outbox WHERE submission_id = ?", [submission_id]).fetchone()[0] == 0
    response = act(registrar, reference, "not_spam")
    assert response.status_code == 303
    assert submissions.get(db, reference)["status"] == "new"
    kinds = [row[0] for row in db.execute("SELECT kind FROM outbox WHERE submission_id = ?", [submission_id])]
    assert kinds == ["notification"]  # no receipt: a spammer's address is nobody's to write to
    page = registrar.get(response.headers["Location"]).text
    assert sv("The message is marked as not spam. Its notification to the office is on its way.") in page
    assert sv("Notification to the office") in page
    assert sv("Marked as not spam") in page[page.index('id="history-title"') :]


def test_marking_spam(db, registrar):
    reference = store(db, "Köp billigt")
    assert act(registrar, reference, "spam").status_code == 303
    assert submissions.get(db, reference)["status"] == "spam"


def test_the_second_of_two_people_is_told_what_changed_and_nothing_is_overwritten(app, db, registrar):
    reference = store(db)
    other = app.test_client()
    sign_in(other, app, "bo@goteborg.se", "registrar")
    mine = registrar.get(f"/staff/messages/{reference}").text
    theirs = other.get(f"/staff/messages/{reference}").text
    assert act(other, reference, "register", theirs, diary_number="SLK-2026-1", registered_on="2026-12-01").status_code == 303

    note = "Min anteckning, som inte får försvinna"
    late = act(registrar, reference, "note", mine, note=note)
    assert late.status_code == 409
    assert sv("Someone else changed the message meanwhile") in late.text
    conflict = late.text[late.text.index('id="conflict-title"') : late.text.index('id="about-title"')]
    assert "bo@goteborg.se" in conflict and sv("Registered") in conflict
    assert textarea(late.text, "note") == note  # what they typed is kept
    assert hidden_value(late.text, "version") == "1"  # sent again, it applies to what they now see
    assert "SLK-2026-1" in late.text
    row = submissions.get(db, reference)
    history = list(db["inbox_history"].rows_where("submission_id = ?", [row["id"]]))
    assert [(h["actor"], h["action"]) for h in history] == [("bo@goteborg.se", "register")]

    late_register = act(registrar, reference, "register", mine, diary_number="SLK-2026-99", registered_on="2026-12-03")
    assert late_register.status_code == 409 and 'value="SLK-2026-99"' in late_register.text
    assert act(registrar, reference, "note", late.text, note=note).status_code == 303


@pytest.mark.parametrize(
    "fields, says",
    [
        ({"diary_number": "  ", "registered_on": "2026-12-03"}, "Enter the diary number"),
        ({"diary_number": "SLK-2026-1", "registered_on": "3/12/2026"}, "Enter the date as year-month-day, for example 2026-03-12"),
        ({"diary_number": "SLK-2026-1", "registered_on": ""}, "Enter the date registered"),
    ],
)
def test_a_registration_that_cannot_be_saved_says_why(app, db, registrar, fields, says):
    reference = store(db)
    response = act(registrar, reference, "register", **fields)
    assert response.status_code == 422
    assert 'class="error-summary"' in response.text and sv(says) in response.text
    field = "diary_number" if "diary" in says else "registered_on"
    assert re.search(rf'aria-describedby="{field}-error"[^>]*aria-invalid="true"[^>]*id="{field}"', response.text)
    assert submissions.get(db, reference)["status"] == "new"
    assert "message_changed" not in [e["action"] for e in staff_log(app)]


def test_a_note_must_be_written_and_not_too_long(db, registrar):
    reference = store(db)
    empty = act(registrar, reference, "note", note="   ")
    assert empty.status_code == 422 and sv("Write the note") in empty.text
    long = act(registrar, reference, "note", note="x" * 2001)
    assert long.status_code == 422 and sv("Write at most %(num)d characters", num=2000) in long.text
    assert textarea(long.text, "note") == "x" * 2001


def test_the_office_pattern_for_diary_numbers(tmp_path, assets_dir):
    app = make_app(tmp_path, ASSETS_DIR=str(assets_dir), STAFF_DIARY_PATTERN=r"SLK-\d{4}-\d+")
    database = connect(app.config["DATABASE"])
    reference = store(database)
    client = app.test_client()
    sign_in(client, app)
    page = client.get(f"/staff/messages/{reference}").text
    assert sv("In the office's form: %(pattern)s", pattern=r"SLK-\d{4}-\d+") in htmllib.unescape(page)
    wrong = act(client, reference, "register", page, diary_number="2026/17", registered_on="2026-12-03")
    assert wrong.status_code == 422
    assert sv("The diary number does not have the office's form: %(pattern)s", pattern=r"SLK-\d{4}-\d+") in htmllib.unescape(wrong.text)
    assert act(client, reference, "register", page, diary_number="SLK-2026-17", registered_on="2026-12-03").status_code == 303
    database.close()


def test_a_reader_reads_but_changes_nothing(app, db):
    reference = store(db)
    reader = app.test_client()
    sign_in(reader, app, "lisa@goteborg.se", "reader")
    page = reader.get(f"/staff/messages/{reference}")
    assert page.status_code == 200 and f"/staff/messages/{reference}/" not in page.text
    refused = post(reader, f"/staff/messages/{reference}/closed", page.text, version="0")
    assert refused.status_code == 403
    assert submissions.get(db, reference)["status"] == "new"
    (logged,) = [e for e in staff_log(app) if e["action"] == "refused"]
    assert logged["details"] == {"needs": "registrar", "method": "POST", "path": f"/staff/messages/{reference}/closed"}


def test_a_form_without_its_token_or_version_is_refused(db, registrar):
    reference = store(db)
    page = registrar.get(f"/staff/messages/{reference}").text
    assert post(registrar, f"/staff/messages/{reference}/closed", page).status_code == 400
    assert post(registrar, f"/staff/messages/{reference}/closed", page, version="x").status_code == 400
    forged = registrar.post(f"/staff/messages/{reference}/closed", data={"version": "0"}, headers={"Sec-Fetch-Site": "same-origin"})
    assert forged.status_code == 400
    assert submissions.get(db, reference)["status"] == "new"


def test_an_action_the_state_does_not_allow_changes_nothing(db, registrar):
    reference = store(db, "Köp", status="spam")
    response = act(registrar, reference, "closed")
    assert response.status_code == 409 and sv("That cannot be done to a message in its present state.") in response.text
    assert submissions.get(db, reference)["status"] == "spam"


def test_the_hold_is_shown_with_who_when_and_why(db, registrar):
    reference = store(db)
    page = registrar.get(f"/staff/messages/{reference}").text
    assert sv("Not held") in page
    holds.hold(db, reference, "Begäran om allmän handling", "ada@goteborg.se")
    page = registrar.get(f"/staff/messages/{reference}").text
    held = re.search(r"<dt>" + re.escape(sv("Retention hold")) + r"</dt>\s*<dd>(.*?)</dd>", page, re.S).group(1)
    assert "ada@goteborg.se" in held and "Begäran om allmän handling" in held


def test_right_to_left_text_is_isolated(db, registrar):
    reference = store(db, "שלום, GBG-1234 עולם", email="")
    page = registrar.get(f"/staff/messages/{reference}").text
    assert '<div class="staff-message" dir="auto">שלום, GBG-1234 עולם</div>' in page


def test_a_version_no_page_sent_is_refused(db, registrar):
    reference = store(db)
    page = registrar.get(f"/staff/messages/{reference}").text
    for version in ("-1", str(2**70)):
        assert post(registrar, f"/staff/messages/{reference}/note", page, version=version, note="Hej").status_code == 400


def test_an_admin_is_shown_where_holds_are_set(app, db):
    reference = store(db)
    admin = app.test_client()
    sign_in(admin, app, "ada@goteborg.se", "admin")
    assert 'href="/staff/retention/#holds-title"' in admin.get(f"/staff/messages/{reference}").text
    reader = app.test_client()
    sign_in(reader, app, "lisa@goteborg.se", "reader")
    assert "/staff/retention/" not in reader.get(f"/staff/messages/{reference}").text


def test_the_diary_pattern_is_kept_as_written_in_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("WEBAPP_STAFF_DIARY_PATTERN", "[1]")  # JSON would make it a list
    app = Flask("settings", instance_path=str(tmp_path))
    settings.configure(app)
    assert app.config["STAFF_DIARY_PATTERN"] == "[1]"


def test_a_registration_overtaken_by_spam_is_shown_not_lost(app, db, registrar):
    reference = store(db)
    mine = registrar.get(f"/staff/messages/{reference}").text
    other = app.test_client()
    sign_in(other, app, "bo@goteborg.se", "registrar")
    assert act(other, reference, "spam").status_code == 303
    late = act(registrar, reference, "register", mine, diary_number="SLK-2026-5", registered_on="2026-12-03")
    assert late.status_code == 409
    conflict = late.text[late.text.index('id="conflict-title"') : late.text.index('id="about-title"')]
    assert sv("Marked as spam") in conflict and "SLK-2026-5" in conflict
    assert f"/staff/messages/{reference}/register" not in late.text  # spam is not registered
