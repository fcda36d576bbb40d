"""One environment file for the unit, wsgi.py and every `flask` command: the cron line and the
staff commands act on the production database, say which one, and refuse one that is not it."""

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.live_server import LiveServer
from webapp import settings
from webapp.contact import submissions
from webapp.db import connect, migrate

ROOT = Path(__file__).resolve().parent.parent
FLASK = Path(sys.executable).parent / "flask"


@pytest.fixture
def production(tmp_path):
    """A production database with 3 submissions, named by an environment file; a decoy ./instance
    beside the code (what `make setup` makes) with a database of its own."""
    data = tmp_path / "var-lib-webapp"
    migrate(data / "webapp.sqlite3")
    db = connect(data / "webapp.sqlite3")
    for i in range(3):
        submissions.store(db, locale="sv", email="", message=f"Hej {i}", form_key=f"k{i}")
    db.close()
    env_file = tmp_path / "env"
    env_file.write_text(
        f"# /etc/webapp/env\nWEBAPP_INSTANCE_PATH={data}\nWEBAPP_SECRET_KEY='{'k' * 40}'\n\n; a comment\nWEBAPP_HTTPS=true\n"
    )
    code = tmp_path / "srv-webapp"
    code.mkdir()
    (code / "wsgi.py").write_text((ROOT / "wsgi.py").read_text())
    migrate(code / "instance" / "webapp.sqlite3")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WEBAPP_", "FLASK_"))}
    env.update(WEBAPP_ENV_FILE=str(env_file), PYTHONPATH=str(ROOT))
    return code, data, env


def flask(production, *args, **env):
    code, _, base = production
    # As the cron line runs it: `cd /srv/webapp && .venv/bin/flask ...`.
    return subprocess.run([FLASK, *args], cwd=code, env={**base, **env}, capture_output=True, text=True, timeout=60)


def test_the_cron_backup_copies_the_production_database(production, tmp_path):
    _, data, _ = production
    (tmp_path / "backups").mkdir()
    result = flask(production, "submissions", "backup", str(tmp_path / "backups"))
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0].startswith(f"Database: {data / 'webapp.sqlite3'} (settings from ")
    assert "Backed up 3 submission(s)" in result.stdout


def test_staff_commands_say_which_database_first(production):
    _, data, _ = production
    for args in (["submissions", "list"], ["mail", "status"], ["staff", "log"], ["retention", "holds"], ["check", "--startup"], ["init-db"]):
        result = flask(production, *args)
        first = (result.stderr + result.stdout).splitlines()[0]
        assert first.startswith(f"Database: {data / 'webapp.sqlite3'}"), (args, result.stderr)
    assert "3 submission(s)" in flask(production, "submissions", "list").stderr


def test_staff_commands_never_create_a_missing_database(production, tmp_path):
    missing = tmp_path / "nowhere" / "webapp.sqlite3"
    missing.parent.mkdir()
    for args in (["submissions", "list"], ["mail", "status"], ["staff", "log"], ["retention", "holds"]):
        result = flask(production, *args, WEBAPP_DATABASE=str(missing))
        assert result.returncode == 1, (args, result.stdout)
        assert f"There is no database at {missing}" in result.stderr and "submission(s)" not in result.stdout + result.stderr
    assert not missing.exists()


@pytest.mark.slow  # gunicorn
def test_gunicorn_serves_with_the_environment_files_settings(tmp_path):
    """wsgi.py reads the file too, not only the flask command: a setting only the file holds reaches the site."""
    env_file = tmp_path / "env"
    env_file.write_text("WEBAPP_PUBLIC_URL=https://internationellt.goteborg.se\nWEBAPP_TRUSTED_HOSTS=127.0.0.1\n")
    with LiveServer(tmp_path / "site", workers=1, env={"WEBAPP_ENV_FILE": str(env_file)}) as server:
        with urllib.request.urlopen(server.url + "/sitemap.xml", timeout=10) as response:
            sitemap = response.read().decode()
    assert "<loc>https://internationellt.goteborg.se/sv/</loc>" in sitemap


def test_a_backup_of_a_database_the_site_does_not_serve_is_refused(production, tmp_path):
    code, data, _ = production
    other = code / "instance" / "webapp.sqlite3"
    result = flask(production, "submissions", "backup", str(tmp_path / "b.sqlite3"), WEBAPP_DATABASE=str(other))
    assert result.returncode == 1
    assert "is not the database the site serves" in result.stderr
    assert not (tmp_path / "b.sqlite3").exists()


def test_a_backup_of_a_database_without_migrations_is_refused(app, runner, tmp_path):
    empty = tmp_path / "empty.sqlite3"
    connect(empty).close()
    app.config["DATABASE"] = str(empty)
    result = runner.invoke(args=["submissions", "backup", str(tmp_path / "b.sqlite3")])
    assert result.exit_code == 1 and "has no migrations" in result.output
    assert not (tmp_path / "b.sqlite3").exists()


def test_an_unreadable_environment_file_says_so(production, tmp_path):
    result = flask(production, "submissions", "list", WEBAPP_ENV_FILE=str(tmp_path / "missing"))
    assert result.returncode != 0
    assert f"Cannot read the environment file {tmp_path / 'missing'}" in result.stderr


def test_the_environment_file_is_read_as_systemd_reads_it(tmp_path):
    path = tmp_path / "env"
    path.write_text('# comment\n; comment\n\nA=1\nB = "two words"\nC=\'x=y\'\nD=\n')
    assert settings.read_env_file(path) == {"A": "1", "B": "two words", "C": "x=y", "D": ""}
    path.write_text("no equals sign\n")
    with pytest.raises(ValueError, match="line 1"):
        settings.read_env_file(path)


def test_the_environment_wins_over_the_file(tmp_path, monkeypatch):
    path = tmp_path / "env"
    path.write_text("WEBAPP_TEST_ONLY_A=file\nWEBAPP_TEST_ONLY_B=file\n")
    monkeypatch.setenv("WEBAPP_ENV_FILE", str(path))
    monkeypatch.setenv("WEBAPP_TEST_ONLY_A", "shell")
    monkeypatch.delenv("WEBAPP_TEST_ONLY_B", raising=False)
    assert settings.load_env_file() == (str(path), {"WEBAPP_TEST_ONLY_A": "file", "WEBAPP_TEST_ONLY_B": "file"})
    assert os.environ["WEBAPP_TEST_ONLY_A"] == "shell" and os.environ["WEBAPP_TEST_ONLY_B"] == "file"
    monkeypatch.delenv("WEBAPP_TEST_ONLY_B")


def test_an_empty_setting_reads_no_file_even_where_the_site_is_installed(tmp_path, monkeypatch):
    """How the tests (tests/conftest.py) and a checkout beside the installed site keep off its database."""
    installed = tmp_path / "etc-webapp-env"
    installed.write_text("WEBAPP_TEST_ONLY_C=production\n")
    monkeypatch.setattr(settings, "ENV_FILE", str(installed))
    monkeypatch.setenv("WEBAPP_ENV_FILE", "")
    assert settings.load_env_file() == ("", {})
    assert "WEBAPP_TEST_ONLY_C" not in os.environ
    monkeypatch.delenv("WEBAPP_ENV_FILE")
    try:
        assert settings.load_env_file() == (str(installed), {"WEBAPP_TEST_ONLY_C": "production"})
    finally:
        os.environ.pop("WEBAPP_TEST_ONLY_C", None)


def test_the_sample_file_holds_only_settings_the_site_knows():
    values = settings.read_env_file(ROOT / "ops" / "webapp.env")
    read_elsewhere = {"INSTANCE_PATH", "BIND", "WORKERS"}  # before the app exists, or by gunicorn.conf.py
    unknown = {k for k in values if k.removeprefix("WEBAPP_") not in settings.DEFAULTS.keys() | read_elsewhere}
    assert unknown == set()
    assert settings.served_database(values) == "/var/lib/webapp/webapp.sqlite3"
    unit = (ROOT / "ops" / "webapp.service").read_text()
    assert "EnvironmentFile=/etc/webapp/env\n" in unit
    assert [line for line in unit.splitlines() if line.startswith("Environment=")] == ["Environment=FLASK_APP=webapp"]
