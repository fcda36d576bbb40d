"""`flask submissions ...`: list, show, export (CSV safe for spreadsheets), purge."""

import csv
import io
import json
import stat
from datetime import datetime, timedelta, timezone

import pytest

from webapp.contact import submissions
from webapp.db import connect


@pytest.fixture
def stored(app):
    """Three messages, one of them spam and one 400 days old."""
    db = connect(app.config["DATABASE"])
    refs = {
        "plain": submissions.store(db, locale="sv", email="a@example.se", message="Hej\nandra raden", form_key="1" * 32),
        "formula": submissions.store(db, locale="en", email="", message="=HYPERLINK(\"http://evil\")", form_key="2" * 32),
        "spam": submissions.store(db, locale="sv", email="", message="Buy", form_key="3" * 32, status="spam"),
    }
    old = (datetime.now(timezone.utc) - timedelta(days=400)).isoformat(timespec="seconds")
    db.execute("UPDATE submissions SET created_at = ? WHERE reference = ?", [old, refs["plain"]])
    db.conn.commit()
    db.close()
    return refs


def test_list_hides_spam_unless_asked(runner, stored):
    result = runner.invoke(args=["submissions", "list"])
    assert result.exit_code == 0
    assert stored["plain"] in result.output and stored["formula"] in result.output
    assert stored["spam"] not in result.output
    spam = runner.invoke(args=["submissions", "list", "--status", "spam"])
    assert stored["spam"] in spam.output and stored["plain"] not in spam.output


def test_list_since(runner, stored):
    since = (datetime.now(timezone.utc) - timedelta(days=30)).strftime("%Y-%m-%d")
    result = runner.invoke(args=["submissions", "list", "--since", since])
    assert stored["formula"] in result.output and stored["plain"] not in result.output


def test_show(runner, stored):
    result = runner.invoke(args=["submissions", "show", stored["plain"].lower()])
    assert result.exit_code == 0
    assert "a@example.se" in result.output and "Hej\nandra raden" in result.output
    missing = runner.invoke(args=["submissions", "show", "GBG-0000-0000"])
    assert missing.exit_code != 0 and "No submission" in missing.output


def test_export_csv_neutralises_formulas(runner, stored, tmp_path):
    out = tmp_path / "export.csv"
    result = runner.invoke(args=["submissions", "export", "--format", "csv", "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    by_ref = {r["reference"]: r for r in rows}
    assert by_ref[stored["formula"]]["message"] == "'=HYPERLINK(\"http://evil\")"
    assert by_ref[stored["plain"]]["message"] == "Hej\nandra raden"
    assert stored["spam"] not in by_ref
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # every address is in it, as in a backup


def test_an_export_that_cannot_be_written_says_so(runner, stored, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    out = tmp_path / "a-file" / "export.csv"
    result = runner.invoke(args=["submissions", "export", "--output", str(out)])
    assert result.exit_code == 1 and f"Cannot write {out}" in result.output and "Traceback" not in result.output
    assert list(tmp_path.rglob("*.partial")) == []


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_spreadsheet_safe(value):
    from webapp.contact.export import spreadsheet_safe

    assert spreadsheet_safe(value) == "'" + value
    assert spreadsheet_safe("Hej") == "Hej" and spreadsheet_safe(None) is None


def test_export_json_to_stdout(runner, stored):
    result = runner.invoke(args=["submissions", "export", "--format", "json", "--status", "spam"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [d["reference"] for d in data] == [stored["spam"]]
    assert data[0]["message"] == "Buy"


def test_purge_is_a_dry_run_without_yes(app, runner, stored):
    result = runner.invoke(args=["submissions", "purge", "--older-than", "365"])
    assert result.exit_code == 0
    assert stored["plain"] in result.output and "Dry run: 1 submission(s)" in result.output
    db = connect(app.config["DATABASE"])
    assert db["submissions"].count == 3
    result = runner.invoke(args=["submissions", "purge", "--older-than", "365", "--yes", "--decision", "Arkivnämnden 2024-03-12, § 15"])
    assert "Deleted 1 submission(s)" in result.output
    assert db["submissions"].count == 2
    assert submissions.get(db, stored["plain"]) is None
    db.close()
