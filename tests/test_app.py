"""Configuration, the generated secret key, and the health check."""

import os
import stat

from tests.helpers import locked_database
from webapp import create_app
from webapp.db import connect


def test_config_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("WEBAPP_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("WEBAPP_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("WEBAPP_DATABASE", str(tmp_path / "other.sqlite3"))
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["DATABASE"] == str(tmp_path / "other.sqlite3")


def test_database_defaults_to_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("WEBAPP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("WEBAPP_SECRET_KEY", "x")
    monkeypatch.delenv("WEBAPP_DATABASE", raising=False)
    assert create_app().config["DATABASE"] == str(tmp_path / "webapp.sqlite3")


def test_secret_key_generated_once_and_kept_private(monkeypatch, tmp_path):
    monkeypatch.setenv("WEBAPP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("WEBAPP_SECRET_KEY", raising=False)
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert key_file.read_text().strip() == first
    # No temporary files left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    health = response.json
    assert health.pop("disk_free_bytes") > 0  # tests/test_disk.py
    assert health == {
        "status": "ok", "database": "writable", "mail_queued": 0, "mail_oldest_queued_seconds": None, "backup_age_seconds": None,
    }


def test_healthz_gives_the_newest_backups_age(app, client, runner, tmp_path):
    assert runner.invoke(args=["submissions", "backup", str(tmp_path / "b.sqlite3")]).exit_code == 0
    assert 0 <= client.get("/healthz").json["backup_age_seconds"] < 60
    db = connect(app.config["DATABASE"])
    db.execute("UPDATE backups SET made_at = made_at - 30 * 3600")
    db.conn.commit()
    db.close()
    assert 30 * 3600 <= client.get("/healthz").json["backup_age_seconds"] < 30 * 3600 + 60


def test_healthz_503_when_database_is_locked(app, client):
    with locked_database(app):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "OperationalError"}


def test_healthz_503_when_database_cannot_be_opened(app, client, tmp_path):
    app.config["DATABASE"] = str(tmp_path / "no-such-dir" / "db.sqlite3")
    assert client.get("/healthz").status_code == 503


def test_init_db_command_is_idempotent(runner, app):
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0
    assert "up to date" in result.output
