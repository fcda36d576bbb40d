"""The office's weekly warning: by reference only, exactly what the next WEBAPP_RETENTION_WARN_DAYS delete."""

import json
import time
from datetime import date

import pytest
from babel.dates import format_date

from tests.helpers import make_app, ntranslate, rows, translate
from tests.mail_helpers import make_due, mail_config, send
from tests.test_retention import DECISION, SPAM_RULE, at, logged, message
from webapp.db import connect
from webapp.mail import sender as mail_sender
from webapp.retention import holds, schedule

CLOSED_RULE = {"name": "closed-5", "applies_to": "closed", "keep_days": 5, "counted_from": "state_changed", "decision": DECISION}
MONDAY = (2027, 3, 22)  # the week before summer time starts


@pytest.fixture
def ruled(tmp_path, assets_dir, smtp):
    return make_app(tmp_path, ASSETS_DIR=str(assets_dir), RETENTION_RULES=[SPAM_RULE, CLOSED_RULE], **mail_config(smtp.port))


def warnings(app) -> list[dict]:
    return [json.loads(row["data"]) for row in rows(app, "outbox") if row["kind"] == schedule.WARNING]


def test_the_warning_lists_exactly_what_the_next_14_days_delete(ruled):
    db = connect(ruled.config["DATABASE"])
    # Spam is due 30 days after it arrived: received 15..26 February is due 17..28 March
    # (the 28th after the change to summer time); held or in a state without a rule is never.
    spam = {day: message(db, at(2027, 2, day, 23, 30)) for day in range(15, 27)}
    closed = message(db, at(2026, 1, 1), status="closed", changed=at(2027, 3, 30, 9))  # due 4 April: day 13
    late = message(db, at(2027, 3, 1, 0, 30), status="closed", changed=at(2027, 4, 1))  # due 6 April: day 15
    held = message(db, at(2027, 2, 20, 8))
    holds.hold(db, held, "Överklagande", "registrator")
    kept = message(db, at(2026, 1, 1), status="new", text="Hej")

    schedule.tick(ruled, db, at(*MONDAY, 0, 5))  # the day's deletion, before the warning's hour
    assert warnings(ruled) == []
    gone_before = set(logged(db))
    assert gone_before == {spam[day] for day in range(15, 21)}  # due on or before 22 March
    schedule.tick(ruled, db, at(*MONDAY, 8))
    [warning] = warnings(ruled)
    assert warning["day"] == "2027-03-22" and warning["until"] == "2027-04-05"

    for day in range(23, 32):
        schedule.tick(ruled, db, at(2027, 3, day, 0, 5))
    for day in range(1, 6):
        schedule.tick(ruled, db, at(2027, 4, day, 0, 5))
    deleted_in_14_days = [ref for ref in logged(db) if ref not in gone_before]
    assert [due["reference"] for due in warning["due"]] == deleted_in_14_days
    assert set(deleted_in_14_days) == {*(spam[day] for day in range(21, 27)), closed}
    assert warning["due"][-1] == {"reference": closed, "day": "2027-04-04", "rule": "closed-5"}
    assert {late, held, kept} <= {row["reference"] for row in rows(ruled)}
    assert len(warnings(ruled)) == 2  # and the next Monday's (30 March), only once that week
    db.close()


def test_once_a_week_from_the_digest_hour_and_after_downtime(ruled):
    db = connect(ruled.config["DATABASE"])
    message(db, at(2027, 2, 28))  # spam, due 30 March
    hour, days_ahead = ruled.config["MAIL_DIGEST_HOUR"], ruled.config["RETENTION_WARN_DAYS"]
    queue = lambda *when: schedule.queue_warning(db, schedule.retention_rules.of(ruled), at(*when), hour, days_ahead)  # noqa: E731
    assert not queue(*MONDAY, hour - 1, 59)
    assert queue(*MONDAY, hour)
    assert not queue(2027, 3, 24, 12)  # the same week
    assert queue(2027, 3, 29, hour)  # the next week's
    schedule.run_deletion(db, schedule.retention_rules.of(ruled), at(2027, 3, 30, 0, 5))
    assert not queue(2027, 4, 5, hour)  # nothing is due by 19 April: no mail
    assert [w["day"] for w in warnings(ruled)] == ["2027-03-22", "2027-03-29"]
    db.close()


def test_the_site_down_on_monday_warns_on_tuesday(ruled):
    db = connect(ruled.config["DATABASE"])
    message(db, at(2027, 2, 28))
    schedule.tick(ruled, db, at(2027, 3, 23, 3))
    assert len(warnings(ruled)) == 1
    db.close()


def test_the_warning_mail(ruled, smtp):
    db = connect(ruled.config["DATABASE"])
    first = message(db, at(2027, 2, 25), text="Köp billiga klockor", email="bot@example.org")
    second = message(db, at(2027, 2, 26), text="Casino")
    schedule.tick(ruled, db, at(*MONDAY, 9))
    db.close()
    make_due(ruled)  # queued "in 2027"
    send(ruled)
    (mail,) = smtp.recorder.wait_for(1)
    lang = ruled.config["MAIL_OFFICE_LANGUAGE"]
    assert mail.recipients == ["registrator@example.se"] and mail["Auto-Submitted"] == "auto-generated"
    assert mail["Subject"] == ntranslate(
        lang,
        "%(num)s message to be deleted soon: International relations",
        "%(num)s messages to be deleted soon: International relations",
        2,
        num=2,
    )
    text = mail.text
    for ref, day in ((first, date(2027, 3, 27)), (second, date(2027, 3, 28))):
        line = translate(lang, "%(reference)s: deleted on %(date)s, rule: %(rule)s") % {
            "reference": ref,
            "date": format_date(day, "long", locale=lang),
            "rule": "spam-30",
        }
        assert line in text
    assert f"flask retention hold {first} --reason" in text
    assert translate(lang, "The content of the messages is never included in this summary.") in text
    assert "klockor" not in text and "Casino" not in text and "bot@example.org" not in text


def test_the_sender_thread_deletes_and_warns(tmp_path, assets_dir, smtp):
    """The real loop: today's deletion first (what is due now goes), then the warning (what is due soon)."""
    app = make_app(tmp_path, ASSETS_DIR=str(assets_dir), RETENTION_RULES=[CLOSED_RULE], MAIL_DIGEST_HOUR=0, **mail_config(smtp.port))
    db = connect(app.config["DATABASE"])
    now = time.time()
    overdue = message(db, now - 40 * 86400, status="closed", changed=now - 10 * 86400)
    soon = message(db, now - 40 * 86400, status="closed", changed=now - 2 * 86400, text="Tack")
    sender = mail_sender.Sender(app).start()
    try:
        (mail,) = smtp.recorder.wait_for(1)
    finally:
        sender.stop(10)
    assert soon in mail.text and overdue not in mail.text
    assert logged(db) == [overdue]
    db.close()
