"""`flask retention ...` and `flask submissions purge`: holds, the log, preview, apply."""

import getpass
import json
import time
from datetime import timedelta

import pytest

from tests.helpers import make_app
from tests.test_retention import DECISION, SPAM_RULE, message
from webapp.db import connect
from webapp.retention import days, deletion


@pytest.fixture
def ruled(tmp_path, assets_dir):
    return make_app(tmp_path, ASSETS_DIR=str(assets_dir), RETENTION_RULES=[SPAM_RULE])


@pytest.fixture
def spam(ruled):
    """Spam received 40 (due 10 days ago), 25 (due in 5 days) and 5 days ago."""
    db = connect(ruled.config["DATABASE"])
    now = time.time()
    refs = [message(db, now - age * 86400, text=f"Spam {age}") for age in (40, 25, 5)]
    db.close()
    return refs


def invoke(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result


def test_preview_lists_what_goes_by_a_day_and_deletes_nothing(ruled, spam):
    today = days.today(time.time())
    now = invoke(ruled, "retention", "preview")
    assert spam[0] in now.stdout and spam[1] not in now.stdout and "rule: spam-30" in now.stdout
    later = json.loads(invoke(ruled, "retention", "preview", "--on", f"{today + timedelta(days=5)}", "--json").stdout)
    assert [row["reference"] for row in later] == spam[:2]
    assert later[1]["day"] == (today + timedelta(days=5)).isoformat() and later[1]["decision"] == DECISION
    assert "message" not in later[0] and "email" not in later[0]
    assert len(json.loads(invoke(ruled, "retention", "log", "--json").stdout)) == 0


def test_apply_deletes_what_is_due_today_and_the_log_shows_it(ruled, spam):
    assert "Deleted 1 message(s)" in invoke(ruled, "retention", "apply").stdout
    log = json.loads(invoke(ruled, "retention", "log", "--json").stdout)
    assert [(row["reference"], row["rule"], row["deleted_by"], row["decision"]) for row in log] == [(spam[0], "spam-30", None, DECISION)]
    lines = invoke(ruled, "retention", "log").stdout
    assert spam[0] in lines and "by rule spam-30" in lines and "Spam 40" not in lines


def test_hold_and_unhold(ruled, spam):
    held = invoke(ruled, "retention", "hold", spam[0], "--reason", "Begäran om allmän handling", "--by", "Anna Registrator")
    assert "Anna Registrator" in held.stdout
    listed = json.loads(invoke(ruled, "retention", "holds", "--json").stdout)
    assert [(h["reference"], h["reason"], h["held_by"]) for h in listed] == [(spam[0], "Begäran om allmän handling", "Anna Registrator")]
    assert spam[0] not in invoke(ruled, "retention", "preview").stdout
    assert "Deleted 0 message(s)" in invoke(ruled, "retention", "apply").stdout
    again = ruled.test_cli_runner().invoke(args=["retention", "hold", spam[0], "--reason", "x"])
    assert again.exit_code == 1 and "already held" in again.output
    lifted = ruled.test_cli_runner().invoke(args=["retention", "unhold", spam[0]], env={"SUDO_USER": None})
    assert lifted.exit_code == 0 and f"by {getpass.getuser()})" in lifted.stdout
    assert "Deleted 1 message(s)" in invoke(ruled, "retention", "apply").stdout
    missing = ruled.test_cli_runner().invoke(args=["retention", "unhold", "GBG-0000-0000"])
    assert missing.exit_code == 1 and "No submission" in missing.output


def test_under_sudo_the_record_names_who_ran_it_not_the_sites_user(ruled, spam):
    """On the host every command runs as `sudo -u webapp`, which sets LOGNAME and USER to the site's user."""
    env = {"SUDO_USER": "anna", "LOGNAME": "webapp", "USER": "webapp"}
    held = ruled.test_cli_runner().invoke(args=["retention", "hold", spam[0], "--reason", "Överklagande"], env=env)
    assert held.exit_code == 0 and "by anna)" in held.stdout, held.output
    purged = ruled.test_cli_runner().invoke(args=["submissions", "purge", "--older-than", "20", "--yes", "--decision", DECISION], env=env)
    assert purged.exit_code == 0, purged.output
    assert [row["deleted_by"] for row in json.loads(invoke(ruled, "retention", "log", "--json").stdout)] == ["anna"]


def test_without_rules_apply_and_preview_say_nothing_is_deleted_automatically(app, spam):
    for command in ("apply", "preview"):
        result = invoke(app, "retention", command)
        assert "nothing is deleted automatically" in result.stderr
    assert connect(app.config["DATABASE"])["submissions"].count == 3


def test_purge_needs_a_decision_keeps_held_messages_and_logs_the_person(app, spam):
    invoke(app, "retention", "hold", spam[0], "--reason", "Överklagande")
    dry = invoke(app, "submissions", "purge", "--older-than", "20")
    assert f"{spam[0]}" in dry.stdout and "held: kept" in dry.stdout and "Dry run: 1 submission(s)" in dry.stdout
    refused = app.test_cli_runner().invoke(args=["submissions", "purge", "--older-than", "20", "--yes"])
    assert refused.exit_code == 2 and "--decision" in refused.output
    done = invoke(app, "submissions", "purge", "--older-than", "20", "--yes", "--decision", DECISION, "--by", "Arkivarien")
    assert "Deleted 1 submission(s)" in done.stdout
    db = connect(app.config["DATABASE"])
    assert {row[0] for row in db.execute("SELECT reference FROM submissions")} == {spam[0], spam[2]}
    [entry] = deletion.log(db)
    assert (entry["reference"], entry["rule"], entry["deleted_by"], entry["decision"]) == (spam[1], None, "Arkivarien", DECISION)
    db.close()
    assert "by Arkivarien" in invoke(app, "retention", "log").stdout


def test_apply_goes_in_batches_and_says_so(ruled, monkeypatch):
    monkeypatch.setattr(deletion, "BATCH", 2)
    db = connect(ruled.config["DATABASE"])
    old = time.time() - 60 * 86400
    for n in range(5):
        message(db, old, text=f"Spam {n}")
    db.close()
    result = invoke(ruled, "retention", "apply")
    database, *progress = result.stderr.splitlines()
    assert database.startswith("Database: ") and progress == ["deleted 2", "deleted 4", "deleted 5"]
