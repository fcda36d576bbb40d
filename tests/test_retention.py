"""Retention by the archive rules: Stockholm calendar days, holds, the daily run once, batches, the log.

The clock is an argument (`now`, epoch seconds), so every test moves it instead of waiting.
"""

import sqlite3
import threading
from datetime import date, datetime, timedelta

import pytest

from tests.helpers import make_app, rows
from webapp import startup
from webapp.contact import submissions
from webapp.db import connect
from webapp.inbox import cases, listing
from webapp.mail import sender as mail_sender
from webapp.mail.outbox import utc_iso
from webapp.retention import days, deletion, holds, schedule
from webapp.retention.rules import Rule, RuleError, parse

DECISION = "Arkivnämnden 2024-03-12, § 15, dnr AN-2024-00042"
SPAM_RULE = {"name": "spam-30", "applies_to": "spam", "keep_days": 30, "counted_from": "received", "decision": DECISION}


def at(year, month, day, hour=12, minute=0, second=0) -> float:
    """An instant given as Stockholm's wall clock."""
    return datetime(year, month, day, hour, minute, second, tzinfo=days.STOCKHOLM).timestamp()


def rule(keep_days=30, applies_to="spam", counted_from="received", name="spam-30") -> Rule:
    return Rule(name, applies_to, keep_days, counted_from, DECISION)


def message(db, received: float, status="spam", changed: float | None = None, text="Köp klockor", email="bot@example.org") -> str:
    """A stored submission (with its mail queued if new), received at `received`."""
    reference = submissions.store(db, locale="sv", form_key=f"{received}{text}", status=status, email=email, message=text)
    db.execute(
        "UPDATE submissions SET created_at = ?, status_changed_at = ? WHERE reference = ?",
        [utc_iso(received), utc_iso(changed or received), reference],
    )
    db.conn.commit()
    return reference


def stored(db) -> set[str]:
    return {row[0] for row in db.execute("SELECT reference FROM submissions")}


def logged(db) -> list[str]:
    return [row["reference"] for row in deletion.log(db)]


# --- the rules -------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"decision": ""}, ["'spam-30'", "decision"]),
        ({"decision": None}, ["'spam-30'", "decision"]),
        ({"applies_to": "archived"}, ["'spam-30'", "'archived'", "spam, new, registered, answered, closed"]),
        ({"keep_days": 0}, ["'spam-30'", "keep_days", "at least 1"]),
        ({"keep_days": "30"}, ["'spam-30'", "keep_days"]),
        ({"counted_from": "answered"}, ["'spam-30'", "received, state_changed"]),
        ({"name": ""}, ["rule 1 has no name"]),
        ({"keep_day": 30}, ["'spam-30'", "keep_day"]),
    ],
)
def test_a_wrong_rule_is_refused_with_a_sentence_naming_it(change, words):
    with pytest.raises(RuleError) as refused:
        parse([{**SPAM_RULE, **change}])
    assert all(word in str(refused.value) for word in words), str(refused.value)
    assert str(refused.value).endswith(".")


def test_two_rules_for_one_state_or_with_one_name_are_refused():
    with pytest.raises(RuleError, match="'spam-30' and 'spam-60' both apply to 'spam'"):
        parse([SPAM_RULE, {**SPAM_RULE, "name": "spam-60"}])
    with pytest.raises(RuleError, match="'spam-30' is named twice"):
        parse([SPAM_RULE, {**SPAM_RULE, "applies_to": "closed"}])
    with pytest.raises(RuleError, match="JSON list"):
        parse("[{not json")


def test_start_up_and_flask_check_fail_on_a_wrong_rule(tmp_path, assets_dir):
    app = make_app(tmp_path, ASSETS_DIR=str(assets_dir), RETENTION_RULES=[{**SPAM_RULE, "decision": " "}])
    [problem] = startup.problems(app)
    assert "'spam-30'" in problem and "decision" in problem
    with pytest.raises(startup.StartupError, match="spam-30"):
        startup.check(app)
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1 and "'spam-30'" in result.output


def test_flask_check_says_nothing_is_deleted_without_rules(app, tmp_path, assets_dir):
    assert app.config["RETENTION_RULES"] == []
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0 and "nothing is deleted automatically" in result.output
    ruled = make_app(tmp_path, ASSETS_DIR=str(assets_dir), RETENTION_RULES=[SPAM_RULE])
    result = ruled.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0 and "nothing is deleted automatically" not in result.output


def test_without_rules_the_daily_run_deletes_nothing(app, db):
    ref = message(db, at(2020, 1, 1))
    schedule.tick(app, db, at(2030, 1, 1))
    assert stored(db) == {ref} and logged(db) == []


# --- Stockholm calendar days ----------------------------------------------

# (received, keep_days, the last moment it is kept, the first moment it is gone), Stockholm's wall clock.
# 2027: summer time starts on 28 March (02:00 -> 03:00) and ends on 31 October (03:00 -> 02:00).
DAY_CASES = {
    "received before the spring change, due after it": ((2027, 3, 1, 10, 0), 30, (2027, 3, 30, 23, 59, 59), (2027, 3, 31, 0, 0, 1)),
    "received at summer time, due in winter time": ((2027, 10, 15, 0, 30), 30, (2027, 11, 13, 23, 59, 59), (2027, 11, 14, 0, 0, 1)),
    "received just before the spring night's midnight": ((2027, 3, 27, 23, 59, 59), 1, (2027, 3, 27, 23, 59, 59), (2027, 3, 28, 0, 0, 1)),
    "received at the spring night's midnight": ((2027, 3, 28, 0, 0, 0), 1, (2027, 3, 28, 23, 59, 59), (2027, 3, 29, 0, 0, 1)),
    "received in the autumn's doubled hour": ((2027, 10, 31, 2, 30), 1, (2027, 10, 31, 23, 59, 59), (2027, 11, 1, 0, 0, 1)),
    "received late on the autumn's long day": ((2027, 10, 31, 23, 30), 1, (2027, 10, 31, 23, 59, 59), (2027, 11, 1, 0, 0, 1)),
    "counted over a year with both changes": ((2027, 1, 10, 0, 10), 365, (2028, 1, 9, 23, 59, 59), (2028, 1, 10, 0, 0, 1)),
}


@pytest.mark.parametrize(("received", "keep_days", "kept", "gone"), DAY_CASES.values(), ids=DAY_CASES.keys())
def test_a_rule_applies_on_exactly_the_right_stockholm_day(db, received, keep_days, kept, gone):
    rules = [rule(keep_days)]
    ref = message(db, at(*received))
    due_on = date(*gone[:3])
    assert days.due_day(utc_iso(at(*received)), keep_days) == due_on
    assert deletion.due(db, rules, due_on - timedelta(days=1)) == []
    assert [row["reference"] for row in deletion.due(db, rules, due_on)] == [ref]
    assert deletion.delete_due(db, rules, at(*kept)) == 0 and stored(db) == {ref}
    assert deletion.delete_due(db, rules, at(*gone)) == 1 and stored(db) == set()
    assert logged(db) == [ref]


def test_a_rule_counted_from_the_state_change(db):
    rules = [Rule("closed-10", "closed", 10, "state_changed", DECISION)]
    ref = message(db, at(2027, 1, 1), status="closed", changed=at(2027, 6, 1, 9))
    old_new = message(db, at(2027, 1, 1), status="new", text="Hej")  # no rule for new: kept
    assert deletion.delete_due(db, rules, at(2027, 6, 10, 23, 59)) == 0
    assert deletion.delete_due(db, rules, at(2027, 6, 11, 0, 1)) == 1
    assert stored(db) == {old_new} and deletion.log(db)[0]["status"] == "closed"


# --- holds -------------------------------------------------------------------


def test_a_held_message_survives_and_goes_the_day_after_the_hold_is_lifted(app, db):
    rules = [rule(30)]
    held, other = message(db, at(2027, 1, 1)), message(db, at(2027, 1, 1, 13), text="Casino")
    hold = holds.hold(db, held.lower(), "Begäran om allmän handling", "registrator", now=at(2027, 1, 20))
    assert (hold["held_by"], hold["reason"], hold["held_at"]) == ("registrator", "Begäran om allmän handling", utc_iso(at(2027, 1, 20)))
    assert [row["reference"] for row in deletion.due(db, rules, date(2027, 6, 1))] == [other]

    assert schedule.run_deletion(db, rules, at(2027, 1, 31, 0, 5)) == 1
    assert stored(db) == {held}
    for day in range(1, 29):  # a month of daily runs
        schedule.run_deletion(db, rules, at(2027, 2, day, 0, 5))
    assert stored(db) == {held}
    with pytest.raises(holds.HoldError, match="already held"):
        holds.hold(db, held, "again", "registrator")

    holds.unhold(db, held, "arkivarie", now=at(2027, 2, 28, 10))
    assert schedule.run_deletion(db, rules, at(2027, 2, 28, 11)) is None  # that day's run is done
    assert stored(db) == {held}
    assert schedule.run_deletion(db, rules, at(2027, 3, 1, 0, 5)) == 1
    assert stored(db) == set() and logged(db) == [other, held]
    with pytest.raises(holds.HoldError, match="No submission"):
        holds.unhold(db, held, "arkivarie")


def test_hold_needs_a_reason_and_keeps_its_history(db):
    ref = message(db, at(2027, 1, 1))
    with pytest.raises(holds.HoldError, match="reason"):
        holds.hold(db, ref, "  ", "registrator")
    holds.hold(db, ref, "Överklagande", "registrator", now=at(2027, 1, 2))
    holds.unhold(db, ref, "arkivarie", now=at(2027, 1, 3))
    holds.hold(db, ref, "Klagomål", "registrator", now=at(2027, 1, 4))
    submission_id = submissions.get(db, ref)["id"]
    history = holds.history(db, submission_id)
    assert [(h["reason"], h["held_by"], h["lifted_by"]) for h in history] == [
        ("Överklagande", "registrator", "arkivarie"),
        ("Klagomål", "registrator", None),
    ]
    assert holds.held(db) == [{"reference": ref, "reason": "Klagomål", "held_by": "registrator", "held_at": utc_iso(at(2027, 1, 4))}]


# --- the daily run: once, across workers and restarts ---------------------


def workers(tmp_path, assets_dir, app, count):
    """`count` more apps over the same database, as gunicorn's workers (or a restart) have."""
    apps = []
    for n in range(count):
        folder = tmp_path / f"worker{n}"
        folder.mkdir(parents=True)
        apps.append(make_app(folder, ASSETS_DIR=str(assets_dir), DATABASE=app.config["DATABASE"], RETENTION_RULES=[SPAM_RULE]))
    return apps


def test_two_workers_and_a_restart_run_the_daily_deletion_once(app, tmp_path, assets_dir):
    db = connect(app.config["DATABASE"])
    due = [message(db, at(2027, 1, 1, 8, n)) for n in range(5)]
    first, second = (mail_sender.Sender(worker) for worker in workers(tmp_path, assets_dir, app, 2))
    start = threading.Barrier(2)
    errors = []

    def look(sender):
        try:
            start.wait()
            sender.run_scheduled(at(2027, 2, 15, 0, 1))
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=look, args=(sender,)) for sender in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(logged(db)) == sorted(due)  # each deleted and logged once
    assert db.execute("SELECT count(*) FROM retention_runs WHERE task = 'deletion'").fetchone()[0] == 1

    # A message that is due already: the restarted site does not run the day again...
    late = message(db, at(2027, 1, 10))
    [restarted] = (mail_sender.Sender(worker) for worker in workers(tmp_path / "again", assets_dir, app, 1))
    restarted.run_scheduled(at(2027, 2, 15, 14))
    assert stored(db) == {late}
    # ...and the next day's run deletes it, once.
    restarted.run_scheduled(at(2027, 2, 16, 0, 1))
    first.run_scheduled(at(2027, 2, 16, 0, 2))
    assert stored(db) == set() and logged(db).count(late) == 1
    db.close()


def test_a_site_down_at_midnight_deletes_when_it_is_back(db):
    rules = [rule(30)]
    ref = message(db, at(2027, 1, 1))
    assert schedule.run_deletion(db, rules, at(2027, 2, 10, 15, 30)) == 1  # first look in days, in the afternoon
    assert stored(db) == set() and ref in logged(db)


def test_a_run_whose_worker_died_is_finished_by_another_when_its_lease_ends(db):
    rules = [rule(30)]
    ref = message(db, at(2027, 1, 1))
    now = at(2027, 2, 1, 0, 1)
    assert schedule.claim(db, "deletion", "2027-02-01", now)  # ...and the worker is killed
    assert schedule.run_deletion(db, rules, now + 60) is None
    assert stored(db) == {ref}
    assert schedule.run_deletion(db, rules, now + schedule.LEASE_SECONDS + 1) == 1
    assert schedule.run_deletion(db, rules, now + 3 * schedule.LEASE_SECONDS) is None


# --- small transactions ------------------------------------------------------


def bulk_spam(db, count: int, received: float) -> None:
    """`count` spam messages in one transaction (storing them one by one would wait for the disk each time)."""
    created = utc_iso(received)
    with db.conn:
        db.conn.executemany(
            "INSERT INTO submissions (reference, created_at, status_changed_at, locale, message, status, idempotency_key)"
            " VALUES (?, ?, ?, 'sv', ?, 'spam', ?)",
            [(f"GBG-BULK-{n:05d}", created, created, f"Spam nummer {n}", f"bulk{n}") for n in range(count)],
        )


def test_ten_thousand_due_at_once_go_in_batches_that_let_a_visitor_store(app, db):
    bulk_spam(db, 10_000, at(2027, 1, 1))
    # A visitor's connection that does not wait at all for the write lock: it stores only
    # when no deletion transaction holds the lock.
    visitor = connect(app.config["DATABASE"], timeout=0)
    batches, visitors = [], []

    def between(count):
        batches.append(count)
        visitors.append(submissions.store(visitor, locale="sv", form_key=str(len(batches)), email="", message="Hej"))

    assert deletion.delete_due(db, [rule(30)], at(2027, 3, 1), between) == 10_000
    assert len(batches) == 10_000 // deletion.BATCH and set(batches) == {deletion.BATCH}
    assert stored(db) == set(visitors) and len(visitors) == len(batches)
    assert len(logged(db)) == 10_000
    # The same visitor's store fails while a deletion transaction holds the lock: the check can fail.
    db.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        submissions.store(visitor, locale="sv", form_key="during", email="", message="Hej")
    db.conn.rollback()
    visitor.close()


# --- what a deletion leaves -------------------------------------------------


def test_after_a_deletion_the_message_is_nowhere_and_the_log_has_its_row_without_its_text(app, db):
    text = "Min hemliga fråga om vänorter"
    ref = message(db, at(2027, 1, 1, 9, 15), status="new", text=text, email="visitor@example.org")
    kept = message(db, at(2027, 1, 20), status="new", text="Hej")
    assert len(rows(app, "outbox")) == 4  # notification and receipt of each
    cases.change(db, ref, "note", actor="handläggare", version=0, text="Anteckning om vänorterna")
    search = listing.Filter(q="hemliga")
    assert listing.count(db, search) == 1 and len(rows(app, "inbox_history")) == 1  # the checks below can fail
    rules = [Rule("new-60", "new", 60, "received", DECISION)]
    assert deletion.delete_due(db, rules, at(2027, 3, 2, 0, 1)) == 1

    assert listing.count(db, search) == 0 and listing.count(db, listing.Filter(q="Hej")) == 1
    assert rows(app, "inbox_history") == []

    assert submissions.get(db, ref) is None
    assert [row["reference"] for row in submissions.select(db)] == [kept]
    assert {row["submission_id"] for row in rows(app, "outbox")} == {submissions.get(db, kept)["id"]}
    [entry] = deletion.log(db)
    assert entry == {
        "reference": ref,
        "received_at": utc_iso(at(2027, 1, 1, 9, 15)),
        "status": "new",
        "rule": "new-60",
        "decision": DECISION,
        "deleted_at": utc_iso(at(2027, 3, 2, 0, 1)),
        "deleted_by": None,
    }
    # Nowhere in the log's table, nor in any other table of the database file's rows.
    for table in db.table_names():
        for row in db[table].rows:
            assert text not in str(row) and "visitor@example.org" not in str(row) and "Anteckning" not in str(row), table


def test_the_log_is_kept_when_messages_go(db):
    ref = message(db, at(2027, 1, 1))
    deletion.delete_due(db, [rule(30)], at(2027, 2, 1))
    db.execute("DELETE FROM submissions")  # whatever happens to the messages later
    db.conn.commit()
    assert logged(db) == [ref]


def test_a_deleted_message_leaves_no_bytes_in_the_database_file(app, db):
    text = "Unik text som inte får finnas kvar i filen " * 20
    message(db, at(2027, 1, 1), text=text)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = app.config["DATABASE"]
    assert text.encode() in open(path, "rb").read()  # the check can fail
    db.execute("PRAGMA secure_delete=OFF")  # as SQLite builds without SQLITE_SECURE_DELETE have it (Debian's has it on)
    deletion.delete_due(db, [rule(30)], at(2027, 3, 1))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert b"Unik text som inte" not in open(path, "rb").read()
