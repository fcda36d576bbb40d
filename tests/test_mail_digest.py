"""The office's daily digest of what was held back as spam: references only, never content."""

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo


from tests.helpers import ntranslate, translate
from tests.mail_helpers import make_due, outbox_rows, send, submit
from tests.staff_helpers import sign_in
from webapp.mail import sender as mail_sender, outbox
from webapp.db import connect, migrations

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(day, hour, minute=0):
    return datetime(2030, 3, day, hour, minute, tzinfo=STOCKHOLM).timestamp()


def spam(app, text, created_at):
    ref = submit(app, message=text, email="bot@example.org", website="http://spam.example")
    db = connect(app.config["DATABASE"])
    db.execute("UPDATE submissions SET created_at = ? WHERE reference = ?", [outbox.utc_iso(created_at), ref])
    db.conn.commit()
    db.close()
    return ref


def test_once_a_day_from_the_hour_only_when_something_was_held_back(mail_app):
    first, second = spam(mail_app, "Köp klockor", at(1, 3)), spam(mail_app, "Billiga lån", at(1, 5))
    db = connect(mail_app.config["DATABASE"])
    assert not outbox.queue_digest(db, at(1, 6, 59), 7)
    assert outbox.queue_digest(db, at(1, 7), 7)
    assert not outbox.queue_digest(db, at(1, 18), 7)  # one a day
    assert not outbox.queue_digest(db, at(2, 7), 7)  # nothing new since
    third = spam(mail_app, "Casino", at(2, 12))
    assert outbox.queue_digest(db, at(3, 8), 7)
    db.close()
    digests = [json.loads(r["data"]) for r in outbox_rows(mail_app) if r["kind"] == "digest"]
    assert [d["references"] for d in digests] == [[first, second], [third]]
    assert [d["day"] for d in digests] == ["2030-03-01", "2030-03-03"]


def test_the_digest_mail(mail_app, smtp):
    refs = [spam(mail_app, "Köp billiga klockor nu", at(1, 3)), spam(mail_app, "Cheap watches", at(1, 4))]
    db = connect(mail_app.config["DATABASE"])
    outbox.queue_digest(db, at(1, 7), 7)
    db.close()
    make_due(mail_app)  # queued "in 2030"
    send(mail_app)
    (mail,) = smtp.recorder.wait_for(1)
    lang = mail_app.config["MAIL_OFFICE_LANGUAGE"]
    assert mail.recipients == ["registrator@example.se"]
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Subject"] == ntranslate(
        lang, "%(num)s message held back as spam: International relations", "%(num)s messages held back as spam: International relations", 2, num=2
    )
    text = mail.text
    assert all(ref in text for ref in refs)
    # The list's spam view, not a shell command: followed by a signed-in reader, it lists exactly the held messages.
    submit(mail_app, message="En riktig fråga om vänorterna")  # not spam: not in the view
    link = re.search(r"https://internationella\.example(/staff/\S*)", text).group(1)
    client = mail_app.test_client()
    sign_in(client, mail_app, role="reader")
    view = client.get(link)
    assert view.status_code == 200
    assert sorted(re.findall(r'data-reference="([^"]+)"', view.text)) == sorted(refs)
    assert translate(lang, "If one of them is a real message, open it in the staff area's list of spam and choose “Not spam”. It is then forwarded to this mailbox like any other message.") in text
    assert translate(lang, "Not spam") in text  # the message page's button, by its name
    assert "flask submissions" not in text
    assert "klockor" not in text and "watches" not in text
    assert "bot@example.org" not in text


def test_the_sender_thread_queues_it(mail_app, smtp):
    submit(mail_app, message="Spam", website="http://spam.example")
    mail_app.config["MAIL_DIGEST_HOUR"] = 0  # due whenever the test runs
    sender = mail_sender.Sender(mail_app).start()
    try:
        (mail,) = smtp.recorder.wait_for(1)
    finally:
        sender.stop(10)
    assert mail["Auto-Submitted"] == "auto-generated"


def test_spam_after_a_purge_is_listed_though_its_id_was_used_before(mail_app):
    """A purge of the newest rows lets new rows take their ids again (no AUTOINCREMENT): what a
    digest listed must be remembered by something a new row cannot inherit."""
    last_year = datetime(2025, 11, 1, 3, tzinfo=STOCKHOLM).timestamp()
    listed = [spam(mail_app, "Köp klockor", last_year), spam(mail_app, "Billiga lån", last_year + 60)]
    db = connect(mail_app.config["DATABASE"])
    assert outbox.queue_digest(db, at(1, 7), 7)
    purged = mail_app.test_cli_runner().invoke(
        args=["submissions", "purge", "--older-than", "30", "--yes", "--decision", "Arkivnämnden 2024-03-12, § 15"]
    )
    assert purged.exit_code == 0, purged.output
    after = spam(mail_app, "Casino", at(2, 3))
    assert outbox.queue_digest(db, at(2, 7), 7)
    db.close()
    digests = [json.loads(r["data"]) for r in outbox_rows(mail_app) if r["kind"] == "digest"]
    assert [d["references"] for d in digests] == [listed, [after]]


def test_the_migration_keeps_what_the_next_digest_lists(tmp_path):
    db = connect(tmp_path / "old.sqlite3")
    migrations.apply(db, stop_before="m005_mail")
    for n in range(3):
        db.execute(
            "INSERT INTO submissions (reference, created_at, locale, message, status, idempotency_key)"
            " VALUES (?, '2030-03-01T02:00:00+00:00', 'sv', 'Casino', 'spam', ?)",
            [f"GBG-0000-000{n}", str(n)],
        )
    db.execute(  # the last digest, as the previous version wrote it, listed the first two
        "INSERT INTO outbox (kind, status, token, created_at, queued_at, due_at, data) VALUES ('digest', 'sent', 't', ?, 0, 0, ?)",
        ["2030-03-01T06:00:00+00:00", json.dumps({"day": "2030-03-01", "last_id": 2, "references": ["GBG-0000-0000", "GBG-0000-0001"]})],
    )
    db.conn.commit()
    migrations.apply(db)
    assert outbox.queue_digest(db, at(2, 7), 7)
    assert json.loads(db.execute("SELECT data FROM outbox ORDER BY id DESC LIMIT 1").fetchone()[0])["references"] == ["GBG-0000-0002"]
    db.close()
