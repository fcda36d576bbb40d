"""`flask submissions backup DEST`: a consistent online copy while the site keeps writing."""

import re
import sqlite3
import stat
import threading
import time

import pytest

from webapp import backups
from webapp.contact import submissions
from webapp.db import connect


def store_many(path, count, prefix):
    db = connect(path)
    try:
        for i in range(count):
            submissions.store(db, locale="sv", email="", message=f"{prefix} {i}", form_key=f"{prefix}-{i}")
    finally:
        db.close()


class Writer(threading.Thread):
    """Stores submissions one by one, as the site does, until told to stop."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.stored, self.stop, self.error = path, 0, threading.Event(), None

    def run(self):
        db = connect(self.path)
        try:
            while not self.stop.is_set():
                submissions.store(db, locale="en", email="a@example.se", message=f"live {self.stored}", form_key=f"live-{self.stored}")
                self.stored += 1
        except Exception as exc:  # reported by the test, not lost in the thread
            self.error = exc
        finally:
            db.close()

    def wait_for(self, count):
        while self.stored < count and self.error is None:
            self.stop.wait(0.01)


def reported_count(output):
    return int(re.search(r"Backed up (\d+) submission", output).group(1))


@pytest.mark.slow  # a write load for seconds
def test_backup_under_write_load_is_consistent(app, runner, tmp_path):
    source = app.config["DATABASE"]
    store_many(source, 2000, "old")
    writer = Writer(source)
    writer.start()
    try:
        writer.wait_for(20)
        before = 2000 + writer.stored
        result = runner.invoke(args=["submissions", "backup", str(tmp_path / "copy.sqlite3")])
        after = 2000 + writer.stored
        writer.wait_for(writer.stored + 20)  # the site went on writing after the copy
    finally:
        writer.stop.set()
        writer.join()
    assert writer.error is None
    assert result.exit_code == 0, result.output
    reported = reported_count(result.output)
    assert before <= reported <= after

    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    live = sqlite3.connect(source)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    copied = copy.execute("SELECT * FROM submissions ORDER BY id").fetchall()
    assert len(copied) == reported
    # A snapshot: exactly the first rows the live database has, unchanged.
    assert copied == live.execute("SELECT * FROM submissions ORDER BY id LIMIT ?", [reported]).fetchall()
    assert live.execute("SELECT count(*) FROM submissions").fetchone()[0] > reported
    assert sorted(p.name for p in tmp_path.iterdir() if "partial" in p.name) == []


def test_backup_into_a_folder_makes_a_dated_file(app, runner, tmp_path):
    store_many(app.config["DATABASE"], 3, "m")
    folder = tmp_path / "backups"
    folder.mkdir()
    result = runner.invoke(args=["submissions", "backup", str(folder)])
    assert result.exit_code == 0
    [made] = folder.iterdir()
    assert re.fullmatch(r"webapp-\d{8}T\d{6}Z\.sqlite3", made.name)
    assert f"Backed up 3 submission(s) to {made} (integrity ok)." in result.output


def test_a_backup_is_readable_by_its_owner_only(app, runner, tmp_path):
    """It holds every message and address; a folder like /var/backups is readable by all."""
    store_many(app.config["DATABASE"], 1, "m")
    result = runner.invoke(args=["submissions", "backup", str(tmp_path / "b.sqlite3")])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((tmp_path / "b.sqlite3").stat().st_mode) == 0o600


def test_backup_counts_spam_too(app, runner, tmp_path):
    db = connect(app.config["DATABASE"])
    submissions.store(db, locale="sv", email="", message="ham", form_key="1")
    submissions.store(db, locale="sv", email="", message="spam", form_key="2", status="spam")
    db.close()
    result = runner.invoke(args=["submissions", "backup", str(tmp_path / "b.sqlite3")])
    assert reported_count(result.output) == 2


def test_backup_never_overwrites_without_force(app, runner, tmp_path):
    dest = tmp_path / "b.sqlite3"
    dest.write_text("an older backup")
    result = runner.invoke(args=["submissions", "backup", str(dest)])
    assert result.exit_code != 0 and "already exists" in result.output
    assert dest.read_text() == "an older backup"
    assert runner.invoke(args=["submissions", "backup", "--force", str(dest)]).exit_code == 0
    assert sqlite3.connect(dest).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_backup_refuses_to_replace_the_live_database(app, runner):
    result = runner.invoke(args=["submissions", "backup", "--force", app.config["DATABASE"]])
    assert result.exit_code != 0 and "live database" in result.output


def test_a_failed_backup_says_why_and_leaves_nothing_behind(app, runner, tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database" * 1000)
    app.config["DATABASE"] = str(junk)
    folder = tmp_path / "backups"
    folder.mkdir()
    result = runner.invoke(args=["submissions", "backup", str(folder / "b.sqlite3")])
    assert result.exit_code == 1
    assert "The backup failed: file is not a database" in result.output
    assert list(folder.iterdir()) == []


def test_backup_of_a_missing_database_creates_nothing(app, runner, tmp_path):
    app.config["DATABASE"] = str(tmp_path / "elsewhere.sqlite3")
    result = runner.invoke(args=["submissions", "backup", str(tmp_path / "b.sqlite3")])
    assert result.exit_code == 1 and "There is no database at" in result.output
    assert not (tmp_path / "elsewhere.sqlite3").exists() and not (tmp_path / "b.sqlite3").exists()


def test_flask_check_says_when_no_backup_is_recent(app, runner, tmp_path):
    """A nightly cron line that fails says so only in cron's mail: `flask check`, which monitoring
    runs, fails once the newest backup is older than WEBAPP_BACKUP_MAX_AGE_HOURS."""
    assert runner.invoke(args=["check"]).exit_code == 0  # 0, the default: not checked
    app.config["BACKUP_MAX_AGE_HOURS"] = 26
    none = runner.invoke(args=["check"])
    assert none.exit_code == 1 and "No backup has been made" in none.output
    assert runner.invoke(args=["check", "--startup"]).exit_code == 0  # never keeps the site from starting

    made = runner.invoke(args=["submissions", "backup", str(tmp_path / "b.sqlite3")])
    assert made.exit_code == 0, made.output
    assert runner.invoke(args=["check"]).exit_code == 0
    db = connect(app.config["DATABASE"])
    assert backups.last(db)["file"] == str((tmp_path / "b.sqlite3").resolve())
    db.execute("UPDATE backups SET made_at = made_at - 27 * 3600")
    db.conn.commit()
    db.close()
    old = runner.invoke(args=["check"])
    assert old.exit_code == 1 and "The newest backup is 27 hours old" in old.output and "b.sqlite3" in old.output


def test_an_age_under_the_hour_is_not_said_as_0_hours(app):
    """A small maximum (0.001 hours, to try the alarm) must not read "0 hours old, more than 0.001"."""
    db = connect(app.config["DATABASE"])
    now = time.time()
    backups.record(db, "/var/backups/webapp/b.sqlite3", 0, now - 36)
    (alarm,) = backups.alarms(db, now, 0.001)
    db.close()
    assert alarm.startswith("The newest backup is 0.01 hours old (") and "(0.001)" in alarm


def test_a_destination_it_cannot_write_is_a_sentence(app, runner, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    result = runner.invoke(args=["submissions", "backup", str(tmp_path / "a-file" / "b.sqlite3")])
    assert result.exit_code == 1 and "The backup failed:" in result.output and "Traceback" not in result.output
    assert backups.last(connect(app.config["DATABASE"])) is None


def test_a_failed_backup_is_not_recorded(app, runner, tmp_path):
    dest = tmp_path / "b.sqlite3"
    dest.write_text("an older backup")
    assert runner.invoke(args=["submissions", "backup", str(dest)]).exit_code != 0
    assert backups.last(connect(app.config["DATABASE"])) is None


@pytest.mark.parametrize("hours", ["a day", -1, True])
def test_the_maximum_age_must_be_hours(app, runner, hours):
    app.config["BACKUP_MAX_AGE_HOURS"] = hours
    result = runner.invoke(args=["check", "--startup"])
    assert result.exit_code == 1 and "WEBAPP_BACKUP_MAX_AGE_HOURS" in result.output
