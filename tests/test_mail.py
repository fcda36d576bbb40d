"""Mail through the outbox, delivered to a real SMTP server (aiosmtpd on 127.0.0.1).

Expected texts come from the catalogs (tests.helpers.translate), in every language.
"""

import email
import json
import logging
import threading
import time
from datetime import datetime
from email import policy
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.dates import format_datetime

from tests.helpers import Visitor, make_app, rows, translate
from tests.mail_helpers import OFFICE, SENDER, make_due, mail_config, outbox_rows, send, submit
from tests.mail_server import SMTPServer, free_port
from webapp.mail import messages, sender as mail_sender, outbox
from webapp.contact import submissions
from webapp.db import connect
from webapp.i18n.bidi import isolated
from tests.helpers import LANGUAGES

MESSAGE = "Hej!\nJag undrar över partnerstäderna.\u2028Rad två 🌍\n\n  indrag och tabb\t."


def stockholm(iso, lang):
    return format_datetime(datetime.fromisoformat(iso), "full", tzinfo=ZoneInfo("Europe/Stockholm"), locale=lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_notification_and_receipt(mail_app, smtp, lang):
    ref = submit(mail_app, lang, email="visitor@example.org", message=MESSAGE)
    assert [(r["kind"], r["status"]) for r in outbox_rows(mail_app)] == [("notification", "queued"), ("receipt", "queued")]
    assert send(mail_app) == 2
    notification, receipt = smtp.recorder.wait_for(2)
    row = rows(mail_app)[0]

    office = mail_app.config["MAIL_OFFICE_LANGUAGE"]
    assert notification.recipients == [OFFICE] and notification.sender == "noreply@example.se"
    assert notification["Subject"] == translate(office, "Message via goteborg.se, International relations: %(reference)s") % {"reference": ref}
    assert notification["Reply-To"] == "visitor@example.org"
    assert notification["From"] == SENDER and notification["To"] == OFFICE
    assert notification["Auto-Submitted"] is None
    body = notification.text
    assert translate(office, "Reference: %(reference)s") % {"reference": ref} in body
    assert translate(office, "Received: %(time)s") % {"time": stockholm(row["created_at"], office)} in body
    language = Locale.parse(lang).get_display_name(office)
    assert translate(office, "Language of the page: %(language)s") % {"language": language} in body
    assert translate(office, "The sender's e-mail address: %(address)s") % {"address": "visitor@example.org"} in body
    link = f"https://internationella.example/staff/messages/{ref}"
    assert translate(office, "Handle it in the staff area: %(link)s") % {"link": link} in body
    # The message exactly as stored, U+2028 and all, at the end of the body.
    assert body.endswith("\n" + row["message"] + "\n") and row["message"] == MESSAGE.strip()

    assert receipt.recipients == ["visitor@example.org"]
    assert receipt["Subject"] == translate(lang, "We have received your message: %(reference)s") % {"reference": ref}
    assert receipt["Auto-Submitted"] == "auto-generated"
    assert receipt["Content-Language"] == lang
    assert receipt["Reply-To"] is None
    text = receipt.text
    for expected in (
        translate(lang, "Your reference number is %(reference)s.") % {"reference": isolated(ref, lang)},
        translate(lang, "Your message to the City of Gothenburg’s City Executive Office arrived on %(time)s.") % {"time": stockholm(row["created_at"], lang)},
        translate(lang, "We will reply to this e-mail address. Quote the reference number if you contact us about this matter."),
        translate(lang, "For urgent matters, call Gothenburg’s contact centre on %(phone)s.") % {"phone": isolated("031-365 00 00", lang)},
        translate(lang, "This is an automatic message. If you did not write to us, you can ignore it."),
    ):
        assert expected in text
    # Not a word of the visitor's text: nobody has checked that the address is theirs.
    for line in MESSAGE.replace("\u2028", "\n").split("\n"):
        if line.strip():
            assert line.strip() not in text

    for mail in (notification, receipt):
        assert mail["Message-ID"].startswith(f"<{ref}.") and mail["Message-ID"].endswith("@example.se>")
        assert mail["Date"].datetime == datetime.fromisoformat(row["created_at"])
        assert not mail.mail.defects
    assert notification["Message-ID"] != receipt["Message-ID"]
    assert [r["status"] for r in outbox_rows(mail_app)] == ["sent", "sent"]


def test_office_language_is_configurable(tmp_path, assets_dir, smtp):
    app = make_app(tmp_path, ASSETS_DIR=str(assets_dir), **mail_config(smtp.port, MAIL_OFFICE_LANGUAGE="fi"))
    ref = submit(app, "sv", message="Hej")
    send(app)
    (notification,) = smtp.recorder.wait_for(1)
    assert notification["Subject"] == translate("fi", "Message via goteborg.se, International relations: %(reference)s") % {"reference": ref}
    assert translate("fi", "The sender gave no e-mail address.") in notification.text
    assert notification["Reply-To"] is None


def test_nothing_for_spam(mail_app, smtp):
    submit(mail_app, message="Cheap watches", email="bot@example.org", website="http://spam.example")
    assert rows(mail_app)[0]["status"] == "spam"
    assert outbox_rows(mail_app) == []
    assert send(mail_app) == 0


def test_a_resend_queues_nothing(mail_app, smtp):
    visitor = Visitor(mail_app.test_client())
    first = visitor.submit(message="Två klick", email="visitor@example.org")
    second = visitor.submit(message="Två klick", email="visitor@example.org")
    assert first.headers["Location"] == second.headers["Location"]
    assert len(outbox_rows(mail_app)) == 2


def test_a_submission_not_committed_queues_nothing(mail_app):
    db = connect(mail_app.config["DATABASE"])
    db.execute("CREATE TRIGGER refuse BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    db.conn.commit()
    response = Visitor(mail_app.test_client()).submit(message="Hej")
    assert response.status_code == 503
    assert rows(mail_app) == [] and outbox_rows(mail_app) == []


def test_a_repeat_carries_the_same_message_id(mail_app, smtp):
    """A sender killed between the server's acceptance and the outbox update sends again, identically."""
    submit(mail_app, message="Hej")
    send(mail_app)
    db = connect(mail_app.config["DATABASE"])
    db.execute("UPDATE outbox SET status = 'queued', sent_at = NULL")  # the update that never happened
    db.conn.commit()
    db.close()
    send(mail_app)
    first, repeat = smtp.recorder.wait_for(2)
    assert first["Message-ID"] == repeat["Message-ID"] and first["Date"] == repeat["Date"]
    assert first.raw == repeat.raw


def test_451_is_retried(mail_app, smtp):
    smtp.recorder.answers = ["451 4.3.0 try again later"]
    submit(mail_app, message="Hej")
    send(mail_app)
    (row,) = outbox_rows(mail_app)
    assert row["status"] == "queued" and row["attempts"] == 1 and "451" in row["last_error"]
    assert row["due_at"] > time.time()
    assert send(mail_app) == 0  # not due yet
    make_due(mail_app)
    send(mail_app)
    assert len(smtp.recorder.wait_for(1)) == 1
    assert outbox_rows(mail_app)[0]["status"] == "sent"


def test_550_fails_at_once_and_alarms(mail_app, smtp, caplog):
    smtp.recorder.answers = ["550 5.7.1 refused"]
    submit(mail_app, message="Hej", email="visitor@example.org")
    with caplog.at_level(logging.WARNING):
        send(mail_app)
    notification, receipt = outbox_rows(mail_app)
    assert notification["status"] == "failed" and "550" in notification["last_error"]
    assert receipt["status"] == "sent"  # the receipt does not depend on the notification
    assert any(r.levelno == logging.ERROR and "to the office failed" in r.getMessage() for r in caplog.records)
    runner = mail_app.test_cli_runner()
    status = json.loads(runner.invoke(args=["mail", "status", "--json"]).stdout)
    assert status["failed"] == 1 and status["sent"] == 1 and status["queued"] == 0
    check = runner.invoke(args=["check"])
    assert check.exit_code == 1 and "to the office failed" in check.output
    retried = runner.invoke(args=["mail", "retry", "--failed"])
    assert "Queued 1 mail(s) again" in retried.output
    send(mail_app)
    assert [r["status"] for r in outbox_rows(mail_app)] == ["sent", "sent"]
    assert runner.invoke(args=["check"]).exit_code == 0


def test_failed_receipt_is_no_alarm(mail_app, smtp, caplog):
    smtp.recorder.answers = ["250 OK", "550 5.1.1 no such user"]
    submit(mail_app, message="Hej", email="nobody@example.org")
    with caplog.at_level(logging.WARNING):
        send(mail_app)
    assert [r["status"] for r in outbox_rows(mail_app)] == ["sent", "failed"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert mail_app.test_cli_runner().invoke(args=["check"]).exit_code == 0


def test_server_down_then_up(tmp_path, assets_dir, caplog):
    port = free_port()
    app = make_app(tmp_path, ASSETS_DIR=str(assets_dir), **mail_config(port))
    submit(app, message="Hej", email="visitor@example.org")
    with caplog.at_level(logging.WARNING):
        send(app)
    assert [r["status"] for r in outbox_rows(app)] == ["queued", "queued"]
    assert all("cannot reach" in r["last_error"] for r in outbox_rows(app))
    assert any("mail server unavailable" in r.getMessage() for r in caplog.records)
    health = app.test_client().get("/healthz")
    assert health.status_code == 200 and health.json["mail_queued"] == 2
    assert health.json["mail_oldest_queued_seconds"] >= 0
    with SMTPServer(port=port) as server:
        make_due(app)
        send(app)
        assert len(server.recorder.wait_for(2)) == 2
    assert [r["status"] for r in outbox_rows(app)] == ["sent", "sent"]


def test_backoff_is_capped():
    assert [outbox.backoff(n, 300) for n in (1, 2, 3, 9, 10, 50)] == [1, 2, 4, 256, 300, 300]


def test_gives_up_after_the_configured_hours(tmp_path, assets_dir):
    app = make_app(tmp_path, ASSETS_DIR=str(assets_dir), **mail_config(free_port(), MAIL_GIVE_UP_HOURS=72))
    submit(app, message="Hej")
    db = connect(app.config["DATABASE"])
    db.execute("UPDATE outbox SET queued_at = ?", [time.time() - 72 * 3600 - 1])
    db.conn.commit()
    db.close()
    send(app)
    (row,) = outbox_rows(app)
    assert row["status"] == "failed" and row["last_error"].startswith("gave up after 1 attempts")


def test_leases(mail_app):
    """Two senders never hold one row; a dead sender's row is taken again when its lease ends."""
    submit(mail_app, message="Hej")
    db = connect(mail_app.config["DATABASE"])
    now = time.time()
    (taken,) = outbox.claim(db, "a", now, 30, 10)
    assert outbox.claim(db, "b", now + 29, 30, 10) == []
    (again,) = outbox.claim(db, "b", now + 30, 30, 10)  # "a" died
    assert again["id"] == taken["id"] and again["attempts"] == 2
    assert not outbox.mark_sent(db, taken["id"], "a", now)  # "a" came back too late: "b" holds it
    assert outbox.mark_sent(db, taken["id"], "b", now)
    db.close()


def test_receipt_cap(mail_app, smtp):
    for n in range(outbox.RECEIPTS_PER_DAY + 1):
        submit(mail_app, message=f"Fråga {n}", email="Visitor@example.org" if n % 2 else "visitor@example.org")
    receipts = [r for r in outbox_rows(mail_app) if r["kind"] == "receipt"]
    assert [r["status"] for r in receipts] == ["queued"] * outbox.RECEIPTS_PER_DAY + ["skipped"]
    assert "24 hours" in receipts[-1]["last_error"]
    send(mail_app)
    assert len(smtp.recorder.wait_for(2 * outbox.RECEIPTS_PER_DAY + 1)) == 2 * outbox.RECEIPTS_PER_DAY + 1
    status = json.loads(mail_app.test_cli_runner().invoke(args=["mail", "status", "--json"]).stdout)
    assert status["skipped"] == 1 and status["sent"] == 2 * outbox.RECEIPTS_PER_DAY + 1


def test_receipt_cap_reads_only_counted_receipts(mail_app):
    """The cap's query uses the index that leaves skipped receipts out, and still counts right."""
    for n in range(outbox.RECEIPTS_PER_DAY + 2):
        submit(mail_app, message=f"Fråga {n}", email="visitor@example.org")
    db = connect(mail_app.config["DATABASE"])
    since = time.time() - 3600
    plan = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {outbox.RECEIPTS_TO}", ["key", outbox.utc_iso(since)])]
    assert outbox.receipts_to(db, "Visitor@Example.org", since) == outbox.RECEIPTS_PER_DAY
    db.close()
    assert plan == ["SEARCH outbox USING INDEX outbox_receipts_to (recipient_key=? AND created_at>?)"], plan


def test_receipts_can_be_switched_off(tmp_path, assets_dir, smtp):
    app = make_app(tmp_path, ASSETS_DIR=str(assets_dir), **mail_config(smtp.port, MAIL_RECEIPTS=False))
    submit(app, message="Hej", email="visitor@example.org")
    send(app)
    assert [r["status"] for r in outbox_rows(app)] == ["sent", "skipped"]
    assert [m.recipients for m in smtp.recorder.accepted] == [[OFFICE]]


@pytest.mark.parametrize("offered", [True, False])
def test_internationalised_address(tmp_path, assets_dir, offered):
    with SMTPServer(enable_SMTPUTF8=offered) as server:
        app = make_app(tmp_path, ASSETS_DIR=str(assets_dir), **mail_config(server.port))
        submit(app, "sv", message="Hej", email="åsa@göteborg.se")
        assert rows(app)[0]["email"] == "åsa@göteborg.se"  # stored as typed
        send(app)
        notification, receipt = outbox_rows(app)
        assert notification["status"] == "sent"
        accepted = server.recorder.wait_for(2 if offered else 1)
        office_mail = accepted[0]
        assert translate("sv", "The sender's e-mail address: %(address)s") % {"address": "åsa@göteborg.se"} in office_mail.text
        if offered:
            assert receipt["status"] == "sent"
            assert accepted[1].recipients == ["åsa@xn--gteborg-90a.se"]  # the domain in IDNA
            assert "SMTPUTF8" in accepted[1].options
            assert office_mail["Reply-To"] == "åsa@xn--gteborg-90a.se"
        else:
            # Failed for good, not retried for days; the office has the address in the body.
            assert receipt["status"] == "failed" and "SMTPUTF8" in receipt["last_error"]
            assert office_mail["Reply-To"] is None
            assert "SMTPUTF8" not in office_mail.options
            assert translate("sv", "Reply cannot be used for this address here: copy it into a new message to answer.") in office_mail.text


def test_ascii_local_part_with_international_domain(mail_app, smtp):
    submit(mail_app, message="Hej", email="asa@göteborg.se")
    send(mail_app)
    notification, receipt = smtp.recorder.wait_for(2)
    assert receipt.recipients == ["asa@xn--gteborg-90a.se"] and "SMTPUTF8" not in receipt.options
    assert notification["Reply-To"] == "asa@xn--gteborg-90a.se"


def test_no_header_injection_from_a_stored_address(mail_app, smtp):
    """The form refuses CR and LF in addresses; even if one were stored, no header could be added."""
    db = connect(mail_app.config["DATABASE"])
    submissions.store(db, locale="sv", email="x@example.org\r\nBcc: victim@example.org", message="Hej", form_key="k")
    db.close()
    send(mail_app)
    accepted = smtp.recorder.wait_for(1)
    assert len(accepted) == 1 and accepted[0].recipients == [OFFICE]
    assert accepted[0]["Bcc"] is None and accepted[0]["Reply-To"] is None
    notification, receipt = outbox_rows(mail_app)
    assert notification["status"] == "sent" and receipt["status"] == "failed"


def test_release(mail_app, smtp):
    ref = submit(mail_app, message="Ett riktigt meddelande", email="visitor@example.org", website="x")
    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["submissions", "release", ref.lower()])
    assert result.exit_code == 0, result.output
    assert rows(mail_app)[0]["status"] == "new"
    assert [r["kind"] for r in outbox_rows(mail_app)] == ["notification"]  # no receipt
    send(mail_app)
    (mail,) = smtp.recorder.wait_for(1)
    assert mail.recipients == [OFFICE] and ref in mail["Subject"]
    again = runner.invoke(args=["submissions", "release", ref])
    assert again.exit_code != 0 and len(outbox_rows(mail_app)) == 1


def test_show_and_purge(mail_app, smtp):
    ref = submit(mail_app, message="Hej", email="visitor@example.org")
    send(mail_app)
    runner = mail_app.test_cli_runner()
    shown = runner.invoke(args=["submissions", "show", ref]).output
    assert "notification" in shown and "receipt" in shown and shown.count("sent") >= 2
    assert f"<{ref}." in shown  # the Message-ID, for finding the mail in the registry
    db = connect(mail_app.config["DATABASE"])
    db.execute("UPDATE submissions SET created_at = '2000-01-01T00:00:00+00:00'")
    db.conn.commit()
    db.close()
    assert runner.invoke(args=["submissions", "purge", "--older-than", "30", "--yes", "--decision", "Arkivnämnden 2024-03-12, § 15"]).exit_code == 0
    assert rows(mail_app) == [] and outbox_rows(mail_app) == []


def test_file_transport_writes_mail_a_program_opens(tmp_path, assets_dir):
    folder = tmp_path / "mail"
    app = make_app(tmp_path, ASSETS_DIR=str(assets_dir), MAIL_OFFICE=OFFICE, MAIL_FILE_DIR=str(folder))
    assert app.config["MAIL_SERVER"] == ""
    ref = submit(app, message=MESSAGE, email="åsa@göteborg.se")
    send(app)
    files = sorted(folder.iterdir())
    assert [p.suffix for p in files] == [".eml", ".eml"]
    for path in files:
        with path.open("rb") as f:
            mail = email.message_from_binary_file(f, policy=policy.default)
        assert not mail.defects and ref in mail["Subject"] and mail["Message-ID"]
        assert mail.get_content_type() == "text/plain" and mail.get_content_charset() == "utf-8"
    bodies = [email.message_from_bytes(p.read_bytes(), policy=policy.default).get_content().replace("\r\n", "\n") for p in files]
    assert any(body.endswith(MESSAGE.strip() + "\n") for body in bodies)
    assert not any("/staff/" in body for body in bodies)  # no WEBAPP_PUBLIC_URL: no address to link to
    assert [r["status"] for r in outbox_rows(app)] == ["sent", "sent"]


def test_a_senders_minute_forgets_the_visitors_addresses_kept_in_memory(mail_app, smtp):
    # Kept for the POST and its mails only: retention's deletions must reach the workers' memory.
    caches = [messages.visitor_address, messages.POLICY.header_factory.parsed]
    submit(mail_app, "sv", email="kept.briefly@example.org", message="Hej")
    assert send(mail_app) == 2
    assert all(cache.cache_info().currsize > 0 for cache in caches)
    sender = mail_sender.Sender(mail_app)
    sender.run_scheduled(1_000_000.0)
    assert [cache.cache_info().currsize for cache in caches] == [0, 0]
    messages.visitor_address("again@example.org")
    sender.run_scheduled(1_000_030.0)  # within the minute: not yet
    assert messages.visitor_address.cache_info().currsize == 1
    sender.run_scheduled(1_000_060.0)
    assert messages.visitor_address.cache_info().currsize == 0


def test_sender_thread_starts_and_stops(mail_app, smtp):
    sender = mail_sender.Sender(mail_app).start()
    try:
        submit(mail_app, message="Hej", email="visitor@example.org")
        assert len(smtp.recorder.wait_for(2)) == 2
    finally:
        sender.stop(10)
    assert not sender.thread.is_alive()
    assert [r["status"] for r in outbox_rows(mail_app)] == ["sent", "sent"]


def test_senders_side_by_side_send_each_mail_once(mail_app, smtp):
    """Three senders draining one outbox at once (as three gunicorn workers do): no mail twice."""
    db = connect(mail_app.config["DATABASE"])
    for n in range(120):
        submissions.store(db, locale="sv", email="", message=f"Meddelande {n}", form_key=f"key-{n}")
    db.close()
    senders = [mail_sender.Sender(mail_app) for _ in range(3)]
    threads = [threading.Thread(target=sender.send_due) for sender in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    accepted = smtp.recorder.wait_for(120)
    ids = [mail["Message-ID"] for mail in accepted]
    assert len(ids) == 120 and len(set(ids)) == 120
    assert {r["status"] for r in outbox_rows(mail_app)} == {"sent"}


def test_mail_send_and_retry_by_reference(mail_app, smtp):
    smtp.recorder.answers = ["554 5.7.1 not now"]
    ref = submit(mail_app, message="Hej")
    runner = mail_app.test_cli_runner()
    sent = runner.invoke(args=["mail", "send"])
    assert sent.exit_code == 0 and "failed: 1" in sent.output
    status = runner.invoke(args=["mail", "status"]).output
    assert "failed: 1" in status and "554 5.7.1 not now" in status
    assert runner.invoke(args=["mail", "retry"]).exit_code != 0  # a reference or --failed
    assert "Queued 1 mail(s) again" in runner.invoke(args=["mail", "retry", ref]).output
    assert "queued: 0, failed: 0" in runner.invoke(args=["mail", "send"]).output
    assert len(smtp.recorder.wait_for(1)) == 1
