"""A disk nearly full: `flask check` says so while there is room (WEBAPP_DISK_MIN_FREE_MB), for the
database's disk and the newest backup's, and /healthz gives the database disk's free bytes."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import translate

MB = 2**20
ROOT = Path(__file__).resolve().parent.parent


def free_mb(folder) -> float:
    return shutil.disk_usage(folder).free / MB


def database_folder(app) -> Path:
    return Path(app.config["DATABASE"]).parent


def test_flask_check_fails_when_the_database_disk_has_less_than_the_minimum_free(app, runner):
    assert runner.invoke(args=["check"]).exit_code == 0  # the default, 100 MB, is free here
    app.config["DISK_MIN_FREE_MB"] = round(free_mb(database_folder(app))) + 10 * 1024
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert f"free on the disk that holds {database_folder(app)}, less than WEBAPP_DISK_MIN_FREE_MB" in result.output
    # Never keeps the site, and its form, from starting.
    assert runner.invoke(args=["check", "--startup"]).exit_code == 0
    app.config["DISK_MIN_FREE_MB"] = 0  # not checked
    assert runner.invoke(args=["check"]).exit_code == 0


def other_file_system(than: Path) -> Path | None:
    for candidate in ("/dev/shm", "/run", "/tmp"):
        if os.path.isdir(candidate) and os.access(candidate, os.W_OK) and os.stat(candidate).st_dev != os.stat(than).st_dev:
            return Path(candidate)
    return None


def test_the_newest_backups_disk_is_watched_too(app, runner, tmp_path):
    elsewhere = other_file_system(database_folder(app))
    if elsewhere is None:
        pytest.skip("no writable folder on another file system")
    folder = Path(elsewhere) / f"webapp-test-backups-{os.getpid()}"
    folder.mkdir()
    try:
        made = runner.invoke(args=["submissions", "backup", str(folder) + "/"])
        assert made.exit_code == 0, made.output
        app.config["DISK_MIN_FREE_MB"] = round(max(free_mb(folder), free_mb(database_folder(app)))) + 10 * 1024
        output = runner.invoke(args=["check"]).output
        assert f"the disk that holds {database_folder(app)}," in output
        assert f"the disk that holds {folder}," in output
    finally:
        shutil.rmtree(folder)


def test_a_backup_on_the_same_disk_is_named_once(app, runner, tmp_path):
    assert runner.invoke(args=["submissions", "backup", str(tmp_path / "b.sqlite3")]).exit_code == 0
    app.config["DISK_MIN_FREE_MB"] = round(free_mb(tmp_path)) + 10 * 1024
    output = runner.invoke(args=["check"]).output
    assert output.count("free on the disk that holds") == 1


@pytest.mark.parametrize("value", ["lots", -1, True])
def test_the_minimum_must_be_megabytes(app, runner, value):
    app.config["DISK_MIN_FREE_MB"] = value
    result = runner.invoke(args=["check", "--startup"])
    assert result.exit_code == 1 and "WEBAPP_DISK_MIN_FREE_MB" in result.output


def test_healthz_gives_the_database_disks_free_bytes(app, client):
    reported = client.get("/healthz").json["disk_free_bytes"]
    # Other programs write meanwhile: the same figure within a few megabytes.
    assert abs(reported - shutil.disk_usage(database_folder(app)).free) < 64 * MB


def test_a_disk_that_fills_up(tmp_path, assets_dir):
    """For real: a tmpfs of 4 MB over a folder, in a mount namespace of the test's own (unshare),
    filled to the last byte (tests/full_disk.py)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    script = 'mount -t tmpfs -o size=4m webapp-test "$1" && cd "$2" && exec "$3" -m tests.full_disk "$1" "$4"'
    command = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh"]
    result = subprocess.run(
        command + [str(folder), str(ROOT), sys.executable, str(assets_dir)], capture_output=True, text=True, timeout=300
    )
    refused = ("Operation not permitted", "Permission denied", "unshare failed")
    if result.returncode != 0 and any(reason in result.stderr for reason in refused) and "Traceback" not in result.stderr:
        pytest.skip(f"this machine lets the tests mount nothing: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.splitlines()[-1])
    # The visitor is asked to send again later, with the text kept; nothing half-stored.
    assert answers["health_before"] == 200
    assert answers["full_status"] == 503 and answers["full_text_kept"] and answers["stored_while_full"] == 0
    # Monitoring sees it at once: /healthz says the site cannot take messages, flask check names the disk.
    status, health = answers["health_full"]
    assert status == 503 and health["database"] == "disk full" and health["disk_free_bytes"] < MB
    exit_code, output = answers["check_full"]
    assert exit_code == 1 and f"free on the disk that holds {folder}, less than WEBAPP_DISK_MIN_FREE_MB" in output
    # Room again: the same form goes through, once.
    assert answers["again_status"] == 303 and answers["health_after"] == 200
    assert answers["stored"] == ["Skickat när disken var full, sparat när den inte längre var det."]
