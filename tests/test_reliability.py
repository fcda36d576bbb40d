"""The reliability suite at a small size; `make reliability` runs it in full.

The scenario tests start real gunicorn servers (tests/reliability/); the rest check
that the suite's own checks do catch what they are there to catch.
"""

import smtplib
import sqlite3
from email.message import EmailMessage

import pytest

from tests.mail_server import SMTPServer
from tests.reliability import crash, hostile, load
from tests.reliability.__main__ import QUICK
from tests.reliability.client import Response
from tests.reliability.mail import OFFICE, check_delivery
from tests.reliability.report import Result, summary
from tests.reliability.traffic import Sent, compare
from webapp.contact import submissions
from webapp.db import connect, migrate


@pytest.mark.slow
def test_load_stores_every_acknowledged_message_once_and_sends_its_mail_once(tmp_path):
    result = load.run(tmp_path, QUICK["clients"], QUICK["per_client"], QUICK["workers"])
    assert result.failures == []
    sent = QUICK["clients"] * QUICK["per_client"]
    assert result.figures["acknowledged"] == result.figures["rows"] == sent
    assert result.figures["5xx"] == 0 and result.figures["integrity"] == "ok"
    # A notification for each, a receipt for every other one (those with an address).
    assert result.figures["mails accepted"] == sent + QUICK["clients"] * (QUICK["per_client"] // 2)
    assert result.figures["mails sent twice"] == 0


@pytest.mark.slow
def test_kill_9_rounds_lose_no_acknowledged_message_nor_its_notification(tmp_path):
    result = crash.run(tmp_path, QUICK["rounds"], QUICK["clients"] // 2, QUICK["per_round"], QUICK["workers"])
    assert result.failures == []
    assert result.figures["processes killed"] == QUICK["rounds"] * (1 + QUICK["workers"])
    assert result.figures["acknowledged"] >= QUICK["rounds"] * QUICK["per_round"]
    assert result.figures["integrity"] == "ok"
    # Every kill came during an SMTP exchange, and the mail held then was sent again.
    assert result.figures["mail held at a kill"] == QUICK["rounds"]
    assert result.figures["mails repeated (same Message-ID)"] >= QUICK["rounds"]


@pytest.mark.slow
def test_hostile_input_gets_4xx_and_stores_only_valid_text(tmp_path):
    result = hostile.run(tmp_path, show_cases=False)
    assert result.failures == []
    assert result.figures["cases"] >= 50 and result.figures["5xx"] == 0
    assert result.figures["rows"] == result.figures["valid stored"]


# --- the checks themselves ---------------------------------------------------------------------------


def database_with(tmp_path, *messages):
    path = tmp_path / "db.sqlite3"
    migrate(path)
    db = connect(path)
    references = [submissions.store(db, locale="sv", email="", message=m, form_key=str(i)) for i, m in enumerate(messages)]
    db.close()
    return path, references


def test_compare_accepts_what_was_acknowledged(tmp_path):
    path, [ref] = database_with(tmp_path, "Hej")
    assert compare(path, [Sent(0, 0, "sv", "Hej", "", ref, "acknowledged")], ()).failures == []


def test_compare_finds_a_lost_acknowledged_message(tmp_path):
    path, _ = database_with(tmp_path)
    [failure] = compare(path, [Sent(0, 0, "sv", "Hej", "", "GBG-AAAA-AAAA", "acknowledged")], ()).failures
    assert "acknowledged but is not stored" in failure


def test_compare_finds_an_altered_message(tmp_path):
    path, [ref] = database_with(tmp_path, "Hej\n")  # stored as sent by store() itself, unnormalised
    failures = compare(path, [Sent(0, 0, "sv", "Hej", "", ref, "acknowledged")], ()).failures
    assert any("nobody sent (or an altered one)" in f for f in failures)


def test_compare_finds_a_duplicate(tmp_path):
    path, [first, _] = database_with(tmp_path, "Hej", "Hej")
    failures = compare(path, [Sent(0, 0, "sv", "Hej", "", first, "acknowledged")], ()).failures
    assert any("stored 2 times" in f for f in failures)


def test_compare_tolerates_rows_of_requests_that_got_no_answer_only(tmp_path):
    path, _ = database_with(tmp_path, "Hej")
    timed_out = compare(path, [Sent(0, 0, "sv", "Hej", "", None, "timeout")], ("timeout",))
    assert timed_out.failures == [] and timed_out.unacknowledged == 1
    refused = compare(path, [Sent(0, 0, "sv", "Hej", "", None, "status 422")], ("timeout",))
    assert any("its visitor was told status 422" in f for f in refused.failures)


def test_compare_reports_a_damaged_database(tmp_path):
    path, _ = database_with(tmp_path, *[f"message {i}" for i in range(200)])
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA writable_schema=ON")
    # Point the reference index at a page of the table: the index no longer matches.
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name='submissions'").fetchone()[0]
    conn.execute("UPDATE sqlite_master SET rootpage=? WHERE name='idx_submissions_reference'", [root])
    conn.commit()
    conn.close()
    damaged = compare(path, [], ())
    assert damaged.integrity != "ok" and damaged.failures


def test_delivery_check_finds_a_missing_notification_and_a_second_message_id(tmp_path):
    path, [first, second] = database_with(tmp_path, "Hej", "Hallå")
    with SMTPServer() as smtp, smtplib.SMTP("127.0.0.1", smtp.port) as client:
        for message_id in ("<a@example.se>", "<b@example.se>"):
            mail = EmailMessage()
            mail["Subject"], mail["Message-ID"] = f"Meddelande: {first}", message_id
            mail.set_content("Hej")
            client.send_message(mail, "noreply@example.se", [OFFICE])
        smtp.recorder.wait_for(2)
        failures = check_delivery(smtp.recorder, path, {first, second}, seconds=0).failures
    assert f"the notification for {first} arrived with 2 different Message-IDs" in failures
    assert f"{second} was acknowledged but its notification never arrived" in failures
    assert "2 mails still queued after 0 s" in failures


def fake_case(body: bytes, status=422, reflect=None, expect="4xx"):
    return hostile.Case("fake", expect, lambda ctx: Response(status, [("Location", "/sv/")], body), reflect=reflect)


def test_hostile_checks_catch_reflection_leaks_and_server_errors():
    ctx = hostile.Context("http://127.0.0.1:1")
    assert hostile.check_case(fake_case(b"&lt;script&gt;", reflect="<script>"), ctx)[1] == []
    assert "unescaped" in hostile.check_case(fake_case(b"<script>", reflect="<script>"), ctx)[1][0]
    assert "outside static/" in hostile.check_case(fake_case(b"root:x:0:0:root:/root"), ctx)[1][0]
    assert "server error 500" in hostile.check_case(fake_case(b"", status=500), ctx)[1][0]
    assert "expected 4xx, got 200" in hostile.check_case(fake_case(b"", status=200), ctx)[1][0]
    assert hostile.check_case(fake_case(b"", status=413, expect="413"), ctx)[1] == []


def test_the_summary_table_shows_every_scenario_and_its_failures():
    text = summary([Result("load", 1.5, {"rows": 60}), Result("crash", 2.0, {"rounds": 3}, ["lost GBG-AAAA-AAAA"])])
    rows = [[cell.strip() for cell in line.split("|")] for line in text.splitlines()[2:4]]
    assert rows == [["load", "ok", "1.5", "rows", "60"], ["crash", "FAILED (1)", "2.0", "rounds", "3"]]
    assert text.endswith("crash: lost GBG-AAAA-AAAA")
