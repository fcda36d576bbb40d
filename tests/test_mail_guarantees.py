"""The outbox's promises where a review broke them: a sender that lost its lease sends nothing
more of its batch, and one row that cannot be sent holds back no other (a real SMTP server)."""

import json
import logging
import threading
import time

import pytest

from tests.helpers import make_app
from tests.mail_helpers import OFFICE, mail_config, outbox_rows, send, submit
from webapp.db import connect, migrations
from webapp.mail import outbox, sender as mail_sender


def test_a_sender_that_lost_its_lease_sends_no_more_of_its_batch(mail_app, smtp):
    for n in range(3):
        submit(mail_app, message=f"Hej {n}")
    smtp.recorder.hold = threading.Event()
    first = threading.Thread(target=send, args=(mail_app,))
    first.start()
    assert smtp.recorder.holding.wait(10)  # the first mail is with the server, not yet answered
    release, smtp.recorder.hold = smtp.recorder.hold, None
    # Meanwhile the first mail outlasted the lease and another sender claimed the batch.
    db = connect(mail_app.config["DATABASE"])
    db.execute("UPDATE outbox SET lease_until = 0")
    db.conn.commit()
    assert len(outbox.claim(db, "another", time.time(), 600, 50)) == 3
    release.set()
    first.join(20)
    assert not first.is_alive()
    time.sleep(0.2)  # nothing more may arrive; the recorder would have it by now
    assert len(smtp.recorder.accepted) == 1
    assert {row["lease_owner"] for row in outbox_rows(mail_app)} == {"another"}
    db.close()


def test_one_row_that_cannot_be_built_holds_back_no_other(mail_app, smtp):
    db = connect(mail_app.config["DATABASE"])
    # A kind this version does not know, as a newer version's row during a rolling deploy.
    db.execute(
        "INSERT INTO outbox (kind, token, created_at, queued_at, due_at) VALUES ('weekly-report', 'x', ?, ?, 0)",
        [outbox.utc_iso(time.time()), time.time()],
    )
    db.conn.commit()
    db.close()
    submit(mail_app, message="Hej")
    send(mail_app)
    odd, notification = outbox_rows(mail_app)
    assert notification["status"] == "sent" and len(smtp.recorder.wait_for(1)) == 1
    assert odd["status"] == "queued" and odd["attempts"] == 1
    assert "KeyError" in odd["last_error"] and odd["due_at"] > time.time()


def test_addresses_that_smtp_cannot_use_stop_the_start(tmp_path, assets_dir, smtp):
    for office in ("registrator@goteborg..se", "växel@goteborg.se"):
        (tmp_path / office).mkdir()
        app = make_app(tmp_path / office, ASSETS_DIR=str(assets_dir), **mail_config(smtp.port, MAIL_OFFICE=office))
        [problem] = mail_sender.config_problems(app)
        assert problem.startswith(f"WEBAPP_MAIL_OFFICE {office!r} cannot be used")


def test_production_without_a_mail_server_does_not_start_by_accident(tmp_path, assets_dir):
    app = make_app(tmp_path, ASSETS_DIR=str(assets_dir), TESTING=False)
    assert any("WEBAPP_MAIL_FILE_DIR" in p for p in mail_sender.config_problems(app))
    on_purpose = make_app(tmp_path, ASSETS_DIR=str(assets_dir), TESTING=False, MAIL_FILE_DIR=str(tmp_path / "mail"))
    assert mail_sender.config_problems(on_purpose) == []


@pytest.mark.parametrize("server, refused", [("smtp.example.se", True), ("127.0.0.1", False), ("localhost", False)])
def test_credentials_travel_only_encrypted(tmp_path, assets_dir, server, refused):
    app = make_app(
        tmp_path, ASSETS_DIR=str(assets_dir),
        **{**mail_config(25, MAIL_USERNAME="webapp", MAIL_PASSWORD="secret"), "MAIL_SERVER": server},
    )
    problems = mail_sender.config_problems(app)
    assert any("unencrypted" in p for p in problems) is refused
    app.config["MAIL_USE_TLS"] = True
    assert not any("unencrypted" in p for p in mail_sender.config_problems(app))


def test_flask_mail_send_sends_waiting_mail_at_once(mail_app, smtp):
    smtp.recorder.answers = ["451 try again later"]
    submit(mail_app, message="Hej")
    send(mail_app)
    [waiting] = outbox_rows(mail_app)
    assert waiting["status"] == "queued" and waiting["due_at"] > time.time()  # its backoff
    result = mail_app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert outbox_rows(mail_app)[0]["status"] == "sent"


def test_health_reads_only_the_waiting_mail(mail_app):
    db = connect(mail_app.config["DATABASE"])
    plan = " ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {outbox.QUEUED}"))
    db.close()
    assert plan.startswith("SEARCH outbox USING") and "(status=?)" in plan  # never a SCAN of the whole outbox


def test_a_refusal_keeps_what_is_needed_to_act_and_no_address(mail_app, smtp, caplog):
    """Servers echo the address they refuse; the outbox and the log keep the codes and the reason."""
    smtp.recorder.answers = [
        "250 OK",  # the notification
        "550 5.1.1 <åsa.victim@example.org>: Recipient address rejected: User unknown (to=victim@example.org)",
    ]
    submit(mail_app, message="Hej", email="åsa.victim@example.org")
    with caplog.at_level(logging.DEBUG):
        send(mail_app)
    receipt = outbox_rows(mail_app)[1]
    assert receipt["status"] == "failed"
    assert receipt["last_error"].startswith("550 5.1.1 ") and "Recipient address rejected: User unknown" in receipt["last_error"]
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == mail_app.logger.name)  # not the server's own
    assert "receipt for" in logged
    for text in (receipt["last_error"], logged):
        assert "victim" not in text and "example.org" not in text


LOOK_ALIKES = [
    "victim@example.org",
    "victim@ＥＸＡＭＰＬＥ.org",  # full-width letters
    "victim@example。org",  # an ideographic full stop
    "Victim@EXAMPLE．ORG",  # a full-width full stop, and case
    "victim+1@example.org",  # a subaddress: the same mailbox at most providers
]


def test_look_alike_addresses_share_one_receipt_cap(mail_app, smtp):
    """20 forms to 5 spellings of one mailbox: 3 receipts, as for one spelling."""
    for n in range(20):
        submit(mail_app, message=f"Hej {n}", email=LOOK_ALIKES[n % len(LOOK_ALIKES)])
    receipts = [row for row in outbox_rows(mail_app) if row["kind"] == "receipt"]
    assert [row["status"] for row in receipts].count("queued") == outbox.RECEIPTS_PER_DAY
    send(mail_app)
    delivered = [m for m in smtp.recorder.wait_for(20 + outbox.RECEIPTS_PER_DAY) if m.recipients != [OFFICE]]
    assert len(delivered) == outbox.RECEIPTS_PER_DAY


def test_receipts_queued_before_the_migration_still_count(tmp_path):
    """m005 keys the day's earlier receipts too, so the deploy opens no gap in the cap."""
    db = connect(tmp_path / "old.sqlite3")
    migrations.apply(db, stop_before="m005_mail")
    now = time.time()
    for n in range(outbox.RECEIPTS_PER_DAY):
        db.execute(
            "INSERT INTO submissions (reference, created_at, locale, email, message, idempotency_key)"
            " VALUES (?, ?, 'sv', 'Visitor@Example.org', 'Hej', ?)",
            [f"GBG-0000-000{n}", outbox.utc_iso(now), str(n)],
        )
        db.execute(
            "INSERT INTO outbox (submission_id, kind, token, created_at, queued_at, due_at) VALUES (?, 'receipt', 't', ?, ?, ?)",
            [n + 1, outbox.utc_iso(now), now, now],
        )
    db.conn.commit()
    migrations.apply(db)
    assert outbox.receipts_to(db, "visitor@example.org", now - 3600) == outbox.RECEIPTS_PER_DAY
    db.close()


def test_mail_status_says_why_each_mail_waits(mail_app, smtp):
    """Issue 18: a 535 or 451 from the relay was only in the log and `submissions show`."""
    smtp.recorder.answers = ["451 4.3.0 Mailbox temporarily unavailable"]
    ref = submit(mail_app, message="Hej")
    send(mail_app)
    runner = mail_app.test_cli_runner()
    shown = runner.invoke(args=["mail", "status"])
    assert shown.exit_code == 0, shown.output
    [line] = [line for line in shown.output.splitlines() if line.startswith("WAITING")]
    assert ref in line and "notification" in line and "451 4.3.0 Mailbox temporarily unavailable" in line
    [waiting] = json.loads(runner.invoke(args=["mail", "status", "--json"]).stdout)["waiting"]
    assert waiting["reference"] == ref and waiting["attempts"] == 1
    assert waiting["last_error"] == "451 4.3.0 Mailbox temporarily unavailable" and waiting["due_in_seconds"] >= 0


def test_flask_check_reads_only_the_failed_and_waiting_mail(mail_app):
    """Not every notification ever sent, through the index on (kind, created_at)."""
    db = connect(mail_app.config["DATABASE"])
    for query in (outbox.OFFICE_FAILED, outbox.OFFICE_LATE):
        sql = query.format(marks="?, ?")
        params = ["notification", "digest"] + (["2030-01-01"] if "created_at" in sql else [])
        plan = " ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params))
        assert plan.startswith("SEARCH outbox USING") and "(status=?)" in plan, plan
    db.close()
