"""Retention in the staff area (admins): the rules, what they delete soon (as `flask retention
preview` says), holds set and lifted there, the deletion log; each look and change logged."""

import json
import time
from datetime import datetime, timedelta

import pytest
from babel.dates import format_datetime

from tests.helpers import make_app, ntranslate, translate
from tests.staff_helpers import post, sign_in, staff_log
from tests.test_retention import DECISION, SPAM_RULE, message
from webapp.content import STOCKHOLM
from webapp.retention import days


@pytest.fixture
def app(tmp_path, assets_dir):
    return make_app(tmp_path, ASSETS_DIR=str(assets_dir), RETENTION_RULES=[SPAM_RULE])


def cli_json(app, *args):
    result = app.test_cli_runner().invoke(args=["retention", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output[result.output.index("[") :])


def test_the_page_and_the_preview_agree_on_what_goes_when(app, db, admin):
    now = time.time()
    soon = message(db, now - 25 * 86400, text="Snart borta")  # 30 days: goes in about 5 days
    later = message(db, now - 5 * 86400, text="Inte än")  # goes in about 25 days: not within 14
    kept = message(db, now - 400 * 86400, status="new", text="Inget regel")  # no rule for new
    page = admin.get("/staff/retention/")
    assert page.status_code == 200
    until = days.today(now) + timedelta(days=14)
    preview = cli_json(app, "preview", "--on", until.isoformat())
    assert [row["reference"] for row in preview] == [soon]
    assert f'data-reference="{soon}"' in page.text
    assert f'data-reference="{later}"' not in page.text and kept not in page.text
    assert DECISION in page.text
    assert staff_log(app)[-1]["action"] == "retention_viewed"


def test_without_rules_the_page_says_nothing_is_deleted(tmp_path, assets_dir):
    app = make_app(tmp_path, ASSETS_DIR=str(assets_dir))
    client = app.test_client()
    sign_in(client, app, "ada@goteborg.se", "admin")
    page = client.get("/staff/retention/")
    assert translate("sv", "There are no retention rules: nothing is deleted automatically. Every message is kept until the rules are set (WEBAPP_RETENTION_RULES).") in page.text


def test_an_admin_holds_a_message_and_the_rules_leave_it(app, db, admin):
    reference = message(db, time.time() - 29 * 86400)
    page = admin.get("/staff/retention/").text
    response = post(admin, "/staff/retention/holds", page, reference=reference.lower() + " ", reason="Begäran om allmän handling, dnr SLK-2026-12")
    assert response.status_code == 302
    page = admin.get("/staff/retention/").text
    assert ntranslate("sv", "%(num)d message held", "%(num)d messages held", 1, num=1) in page
    (held,) = cli_json(app, "holds")
    assert (held["reference"], held["reason"], held["held_by"]) == (reference, "Begäran om allmän handling, dnr SLK-2026-12", "ada@goteborg.se")
    until = (days.today(time.time()) + timedelta(days=14)).isoformat()
    assert cli_json(app, "preview", "--on", until) == []
    hold = [e for e in staff_log(app) if e["action"] == "hold"][-1]
    assert hold["references"] == [reference] and hold["actor_name"] == "ada@goteborg.se"

    response = post(admin, f"/staff/retention/holds/{reference}/lift", page)
    assert response.status_code == 302
    assert cli_json(app, "holds") == []
    assert [e["references"] for e in staff_log(app) if e["action"] == "unhold"] == [[reference]]

    # The message's own page keeps the lifted hold: who set it and who lifted it, when, and why.
    (row,) = db["retention_holds"].rows
    shown = admin.get(f"/staff/messages/{reference}").text
    held, lifted = (format_datetime(datetime.fromisoformat(row[at]), "short", tzinfo=STOCKHOLM, locale="sv") for at in ("held_at", "lifted_at"))
    assert translate("sv", "Held from %(held)s to %(lifted)s by %(person)s, lifted by %(lifter)s. Why: %(reason)s") % {
        "held": held, "lifted": lifted, "person": "<bdi>ada@goteborg.se</bdi>", "lifter": "<bdi>ada@goteborg.se</bdi>",
        "reason": "<bdi>Begäran om allmän handling, dnr SLK-2026-12</bdi>",
    } in shown
    assert translate("sv", "Not held") in shown


@pytest.mark.parametrize(
    "fields, says",
    [
        ({"reference": "GBG-ZZZZ-ZZZZ", "reason": "Överklagande"}, "No message has that reference. Check it against the confirmation or the office's mail."),
        ({"reference": "", "reason": "Överklagande"}, "Enter the message's reference"),
        ({"reference": "GBG-ZZZZ-ZZZZ", "reason": "  "}, "Enter why the message must be kept"),
    ],
)
def test_a_hold_that_cannot_be_set_says_why(app, admin, fields, says):
    response = post(admin, "/staff/retention/holds", admin.get("/staff/retention/").text, **fields)
    assert response.status_code == 422
    assert translate("sv", says) in response.text
    assert 'class="error-summary"' in response.text
    assert "hold" not in [e["action"] for e in staff_log(app)]


def test_holding_twice_and_lifting_what_is_not_held_are_refused(app, db, admin):
    reference = message(db, time.time())
    page = admin.get("/staff/retention/").text
    assert post(admin, "/staff/retention/holds", page, reference=reference, reason="Överklagande").status_code == 302
    again = post(admin, "/staff/retention/holds", page, reference=reference, reason="Igen")
    assert again.status_code == 422 and translate("sv", "That message is already held.") in again.text
    assert post(admin, f"/staff/retention/holds/{reference}/lift", page).status_code == 302
    twice = post(admin, f"/staff/retention/holds/{reference}/lift", page)
    assert twice.status_code == 422 and translate("sv", "That message is not held.") in twice.text


def test_the_deletion_log_is_shown_without_text_or_address(app, db, admin):
    reference = message(db, time.time() - 31 * 86400, text="Hemlig text", email="someone@example.org")
    assert app.test_cli_runner().invoke(args=["retention", "apply"]).exit_code == 0
    page = admin.get("/staff/retention/").text
    assert reference in page and DECISION in page
    assert "Hemlig text" not in page and "someone@example.org" not in page


@pytest.mark.parametrize("role", ["reader", "registrar"])
def test_only_an_admin_sees_or_changes_retention(app, db, role):
    reference = message(db, time.time())
    client = app.test_client()
    landing = sign_in(client, app, "rut@goteborg.se", role).text
    assert client.get("/staff/retention/").status_code == 403
    assert post(client, "/staff/retention/holds", landing, reference=reference, reason="x").status_code == 403
    assert cli_json(app, "holds") == []
