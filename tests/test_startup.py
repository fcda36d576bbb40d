"""Start-up checks: the site refuses to serve, saying why, when it could not keep its promises."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from webapp import create_app, startup
from webapp.db import migrate

LONG_KEY = "k" * 32


@pytest.fixture
def production(tmp_path, request):
    """An app configured like production (not TESTING, not debug) over a migrated database."""
    database = tmp_path / "db" / "webapp.sqlite3"
    migrate(database)

    def make(**config):
        # The mail goes to files on purpose (test_mail_guarantees checks that it must be said).
        return create_app({"SECRET_KEY": LONG_KEY, "DATABASE": str(database), "MAIL_FILE_DIR": str(tmp_path / "mail"), **config})

    return make


def test_a_ready_site_has_no_problems(production):
    assert startup.problems(production()) == []


def test_missing_database_folder(production, tmp_path):
    app = production(DATABASE=str(tmp_path / "nowhere" / "webapp.sqlite3"))
    [problem] = startup.problems(app)
    assert "does not exist" in problem and "nowhere" in problem
    assert not (tmp_path / "nowhere").exists()


def test_database_folder_that_is_a_file(production, tmp_path):
    (tmp_path / "afile").write_text("")
    [problem] = startup.problems(production(DATABASE=str(tmp_path / "afile" / "webapp.sqlite3")))
    assert "does not exist" in problem


def test_database_folder_not_writable(production):
    # sysfs refuses new files even to root (tests run as root in CI, where chmod stops nobody).
    [problem] = startup.problems(production(DATABASE="/sys/webapp.sqlite3"))
    assert problem == "The database folder /sys is not writable (Permission denied). Give the site's user write access to it."


def test_missing_database_is_not_created_by_the_check(production, tmp_path):
    path = tmp_path / "db" / "other.sqlite3"
    [problem] = startup.problems(production(DATABASE=str(path)))
    assert "flask init-db" in problem
    assert not path.exists()


def test_pending_migrations(production, tmp_path):
    path = tmp_path / "db" / "old.sqlite3"
    sqlite3.connect(path).close()
    [problem] = startup.problems(production(DATABASE=str(path)))
    assert "m001_submissions" in problem and "flask init-db" in problem


def test_a_file_that_is_not_a_database(production, tmp_path):
    path = tmp_path / "db" / "junk.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    [problem] = startup.problems(production(DATABASE=str(path)))
    assert "cannot be read as an SQLite database" in problem


@pytest.fixture
def translations(tmp_path):
    copy = tmp_path / "translations"
    shutil.copytree(Path(__file__).resolve().parent.parent / "translations", copy)
    return copy


def test_catalog_not_compiled(production, translations):
    (translations / "sv" / "LC_MESSAGES" / "messages.mo").unlink()
    [problem] = startup.problems(production(BABEL_TRANSLATION_DIRECTORIES=str(translations)))
    assert "sv catalog is not compiled" in problem and "make catalogs" in problem


def test_catalog_edited_after_compiling(production, translations):
    po = translations / "sv" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    os.utime(mo, (po.stat().st_mtime - 60,) * 2)
    [problem] = startup.problems(production(BABEL_TRANSLATION_DIRECTORIES=str(translations)))
    assert problem == "translations/sv/LC_MESSAGES/messages.mo: is older than messages.po; run `flask translate compile` (make does it)"


def test_missing_catalog(production, translations):
    shutil.rmtree(translations / "sv")
    [problem] = startup.problems(production(BABEL_TRANSLATION_DIRECTORIES=str(translations)))
    assert "There is no sv catalog" in problem


@pytest.mark.parametrize("key", ["short", "k" * 31, "å" * 15, 12345])
def test_short_secret_key_is_refused_in_production(production, key):
    [problem] = startup.problems(production(SECRET_KEY=key))
    assert "WEBAPP_SECRET_KEY" in problem and "at least 32" in problem
    assert str(key) not in problem  # never echo a secret


def test_a_32_byte_key_is_enough(production):
    assert startup.problems(production(SECRET_KEY="å" * 16)) == []


@pytest.mark.parametrize("fallbacks", ["the-old-key-written-without-brackets", [""], [42]])
def test_secret_key_fallbacks_must_be_a_list_of_keys(production, fallbacks):
    """A bare string would be read one character at a time: each of them a key."""
    [problem] = startup.problems(production(SECRET_KEY_FALLBACKS=fallbacks))
    assert "WEBAPP_SECRET_KEY_FALLBACKS" in problem
    assert startup.problems(production(SECRET_KEY_FALLBACKS=["the-old-key"])) == []


def test_short_secret_key_is_allowed_in_tests_and_debug(production):
    assert startup.problems(production(SECRET_KEY="short", TESTING=True)) == []
    app = production(SECRET_KEY="short")
    app.debug = True
    assert startup.problems(app) == []


def test_all_problems_are_reported_at_once(production, tmp_path, translations):
    (translations / "sv" / "LC_MESSAGES" / "messages.mo").unlink()
    app = production(DATABASE=str(tmp_path / "none.sqlite3"), SECRET_KEY="short", BABEL_TRANSLATION_DIRECTORIES=str(translations))
    with pytest.raises(startup.StartupError) as error:
        startup.check(app)
    message = str(error.value)
    assert message.startswith("The site cannot start:")
    assert message.count("\n  - ") == 3


def test_flask_check_command(production, tmp_path):
    good = production().test_cli_runner().invoke(args=["check"])
    assert good.exit_code == 0 and "Ready to serve:" in good.output
    bad = production(SECRET_KEY="short").test_cli_runner().invoke(args=["check"])
    assert bad.exit_code == 1 and "WEBAPP_SECRET_KEY" in bad.output


def test_flask_check_notes_where_the_mail_goes_only_when_it_is_set(production, tmp_path):
    to_files = production().test_cli_runner().invoke(args=["check"])
    assert f"Note: WEBAPP_MAIL_SERVER is not set, so mail is written to {tmp_path / 'mail'}." in to_files.output
    neither = production(MAIL_FILE_DIR="").test_cli_runner().invoke(args=["check"])
    assert neither.exit_code == 1 and "Neither WEBAPP_MAIL_SERVER" in neither.output
    assert "Note: WEBAPP_MAIL_SERVER" not in neither.output


def test_the_flask_command_works_while_the_checks_fail(tmp_path):
    """Without FLASK_APP the flask command loads wsgi.py; `flask init-db` must still fix what `check` finds."""
    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WEBAPP_", "FLASK_"))}
    env.update(
        WEBAPP_ENV_FILE="",
        WEBAPP_INSTANCE_PATH=str(tmp_path),
        WEBAPP_DATABASE=json.dumps(str(tmp_path / "new.sqlite3")),
        WEBAPP_MAIL_FILE_DIR=str(tmp_path / "mail"),
    )

    def flask(*args):
        return subprocess.run([Path(sys.executable).parent / "flask", *args], cwd=root, env=env, capture_output=True, text=True)

    before = flask("check")
    assert before.returncode == 1 and "Run `flask init-db`" in before.stderr
    assert flask("init-db").returncode == 0
    after = flask("check")
    assert after.returncode == 0 and "Ready to serve:" in after.stdout
