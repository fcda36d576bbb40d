"""The database connection each thread keeps between requests (webapp/db.py, get_db)."""

import os
import shutil
import sqlite3
import threading

from tests.helpers import migrated_database
from webapp.contact import submissions
from webapp.db import get_db


def stored(app, message: str) -> str:
    with app.app_context():
        return submissions.store(get_db(), locale="sv", email="", message=message, form_key=message)


def test_a_thread_keeps_its_connection_and_another_thread_has_its_own(app):
    with app.app_context():
        first = get_db()
    with app.app_context():
        assert get_db() is first
    other = []

    def request_in_another_thread():
        with app.app_context():
            other.append(get_db())

    thread = threading.Thread(target=request_in_another_thread)
    thread.start()
    thread.join()
    assert other and other[0] is not first


def test_nothing_uncommitted_outlives_a_request(app):
    """A request that fails half-way through a write leaves neither its rows nor the write lock."""
    with app.app_context():
        db = get_db()
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO submissions (reference, created_at, status_changed_at, locale, message, status, idempotency_key)"
                   " VALUES ('GBG-HALF-WAY1', '2026-01-01', '2026-01-01', 'sv', 'half', 'new', 'k')")
        assert db.conn.in_transaction
    assert not db.conn.in_transaction
    other = sqlite3.connect(app.config["DATABASE"], timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # would fail with "database is locked"
        other.execute("ROLLBACK")
        assert other.execute("SELECT count(*) FROM submissions").fetchone()[0] == 0
    finally:
        other.close()


def test_a_database_replaced_on_disk_is_opened_anew(app, client):
    """As a restore does (README "Operations"): the old file with its -wal and -shm moved away,
    another put in its place."""
    reference = stored(app, "before the restore")
    assert client.get(f"/sv/contact/thanks/{reference}").status_code == 200
    database = app.config["DATABASE"]
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(database + suffix):
            shutil.move(database + suffix, database + ".damaged" + suffix)
    with open(database, "wb") as f:
        f.write(migrated_database())
    assert client.get(f"/sv/contact/thanks/{reference}").status_code == 404
    after = stored(app, "after the restore")
    check = sqlite3.connect(database)
    try:
        assert check.execute("SELECT reference FROM submissions").fetchall() == [(after,)]
    finally:
        check.close()


def test_a_forked_process_opens_its_own(app):
    """A connection must not cross a fork (SQLite's "How To Corrupt An SQLite Database File", 2.6)."""
    with app.app_context():
        parent = get_db()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, and leave without running anything of the parent's
        os.close(read)
        try:
            with app.app_context():
                db = get_db()
                ok = db is not parent and db.execute("SELECT count(*) FROM submissions").fetchone() == (0,)
        except BaseException:
            ok = False
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.close(write)
    answer = os.read(read, 1)
    os.close(read)
    os.waitpid(pid, 0)
    assert answer == b"1"
    with app.app_context():
        assert get_db() is parent
