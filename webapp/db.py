"""The SQLite database: one connection per thread, kept between requests, and the schema's migrations."""

import hashlib
import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app, g
from flask.cli import with_appcontext
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from .atomic_write import replacing

migrations = Migrations("webapp")


@migrations()
def m001_submissions(db: Database) -> None:
    table = db["submissions"]
    table.create(
        {
            "id": int,
            "reference": str,
            "created_at": str,
            "locale": str,
            "email": str,
            "message": str,
            "status": str,
            "idempotency_key": str,
        },
        pk="id",
        not_null={"reference", "created_at", "locale", "message", "status", "idempotency_key"},
        defaults={"status": "new"},
    )
    table.create_index(["reference"], unique=True)
    table.create_index(["idempotency_key"], unique=True)
    table.create_index(["created_at"])


@migrations()
def m002_outbox(db: Database) -> None:
    """The mail to send, written in the same transaction as its submission (webapp/mail/outbox.py).

    It holds no copy of the message or the address: the mail is built from the
    submission when it is sent, and purging a submission removes its rows.
    """
    db.execute(
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER REFERENCES submissions(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'queued',
            token TEXT NOT NULL,
            created_at TEXT NOT NULL,
            queued_at REAL NOT NULL,
            due_at REAL NOT NULL,
            lease_until REAL,
            lease_owner TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            sent_at TEXT,
            data TEXT
        )
        """
    )
    db["outbox"].create_index(["status", "due_at"])
    db["outbox"].create_index(["submission_id"])
    db["outbox"].create_index(["lease_owner"])
    db["outbox"].create_index(["kind", "created_at"])


@migrations()
def m003_counted_receipts(db: Database) -> None:
    """The receipt cap's rows (outbox.receipts_to), without the skipped ones: a flood of
    forms to one address only adds skipped receipts, so the check under the write lock
    stays a few index entries instead of a scan of the day's receipts."""
    db.execute("CREATE INDEX outbox_counted_receipts ON outbox(kind, created_at) WHERE status != 'skipped'")


@migrations()
def m004_status_changed(db: Database) -> None:
    """When a submission last changed state: retention rules count some states from it."""
    db["submissions"].add_column("status_changed_at", str)
    db.execute("UPDATE submissions SET status_changed_at = created_at")


@migrations()
def m005_mail(db: Database) -> None:
    """The receipt cap counts by mailbox, not by spelling (outbox.receipts_to): each receipt row
    keeps `recipient_key`, a SHA-256 of the address as the sender delivers to it (so the row
    still holds no address to read), under an index of the counted receipts that replaces m003's.
    Receipts queued before this are keyed by the rule they were counted with (the address in
    lower case), which is the new key for every plain ASCII address without a subaddress.

    The spam the next digest lists is a row in `digest_pending`, written with the submission and
    deleted when a digest lists it (outbox.queue_digest), instead of "every id above the last one
    listed": ids are reused after a purge of the newest rows, a row here goes with its submission.
    Filled with what the previous rule would have listed next."""
    db.execute("ALTER TABLE outbox ADD COLUMN recipient_key TEXT")
    db.conn.create_function("sha256", 1, lambda text: hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())
    db.execute(
        "UPDATE outbox SET recipient_key = (SELECT sha256(lower(email)) FROM submissions WHERE id = outbox.submission_id)"
        " WHERE kind = 'receipt'"
    )
    db.execute("DROP INDEX outbox_counted_receipts")
    db.execute("CREATE INDEX outbox_receipts_to ON outbox(recipient_key, created_at) WHERE kind = 'receipt' AND status != 'skipped'")
    db.execute("CREATE TABLE digest_pending (submission_id INTEGER PRIMARY KEY REFERENCES submissions(id) ON DELETE CASCADE)")
    db.execute(
        "INSERT INTO digest_pending SELECT id FROM submissions WHERE status = 'spam' AND id > coalesce("
        "(SELECT json_extract(data, '$.last_id') FROM outbox WHERE kind = 'digest' ORDER BY id DESC LIMIT 1), 0)"
    )


@migrations()
def m007_inbox(db: Database) -> None:
    """The staff inbox (webapp/inbox/): a version and the registration of each handled
    submission, its history (every change, notes too), and full-text search.

    A submission nobody has touched has no `inbox_cases` row (version 0).
    """
    db.execute(
        """
        CREATE TABLE inbox_cases (
            submission_id INTEGER PRIMARY KEY REFERENCES submissions(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            diary_number TEXT,
            registered_on TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE inbox_history (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            from_status TEXT,
            to_status TEXT,
            detail TEXT
        )
        """
    )
    db["inbox_history"].create_index(["submission_id", "version"])
    db.execute("CREATE INDEX submissions_email_nocase ON submissions(email COLLATE NOCASE)")
    db["submissions"].create_index(["status", "id"])
    db["submissions"].create_index(["locale", "id"])
    # Swedish: case folded, but å, ä and ö stay letters of their own ("år" is not "ar").
    db["submissions"].enable_fts(
        ["message", "email"], create_triggers=True, tokenize="unicode61 remove_diacritics 0"
    )


@migrations()
def m008_retention(db: Database) -> None:
    """The archive rules' bookkeeping (webapp/retention/): holds, the deletion log, the daily runs.

    The deletion log (gallringslogg) has no foreign key: it is the proof of what was
    deleted and outlives its messages; it never holds a message's text or address.
    A hold goes with its message, which cannot be deleted while the hold is active.
    """
    db.execute(
        """
        CREATE TABLE retention_holds (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
            reason TEXT NOT NULL,
            held_by TEXT NOT NULL,
            held_at TEXT NOT NULL,
            lifted_by TEXT,
            lifted_at TEXT
        )
        """
    )
    db.execute("CREATE UNIQUE INDEX retention_holds_active ON retention_holds(submission_id) WHERE lifted_at IS NULL")
    db.execute(
        """
        CREATE TABLE deletion_log (
            id INTEGER PRIMARY KEY,
            reference TEXT NOT NULL,
            received_at TEXT NOT NULL,
            status TEXT NOT NULL,
            rule TEXT,
            decision TEXT NOT NULL,
            deleted_at TEXT NOT NULL,
            deleted_by TEXT,
            CHECK ((rule IS NULL) != (deleted_by IS NULL))
        )
        """
    )
    db["deletion_log"].create_index(["deleted_at"])
    # One row per task and period (the deletion's Stockholm day, the warning's ISO week):
    # the primary key lets exactly one worker take it, the lease lets another finish it
    # when that one died half-way.
    db.execute(
        """
        CREATE TABLE retention_runs (
            task TEXT NOT NULL,
            period TEXT NOT NULL,
            started_at TEXT NOT NULL,
            lease_until REAL,
            finished_at TEXT,
            count INTEGER,
            PRIMARY KEY (task, period)
        )
        """
    )



@migrations()
def m009_staff(db: Database) -> None:
    """The staff area (webapp/staff/): server-side sessions, one-time sign-in links, the access log.

    Sessions and links are kept by the SHA-256 of their secret, so a copy of the database opens
    nobody's session. The access log is append-only (a row is never changed); rows older than
    WEBAPP_STAFF_LOG_DAYS are deleted, since the log is itself personal data.
    """
    db.execute(
        """
        CREATE TABLE staff_sessions (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('signin', 'staff')),
            data TEXT NOT NULL DEFAULT '{}',
            sub TEXT,
            name TEXT,
            role TEXT,
            id_token TEXT,
            created_at REAL NOT NULL,
            seen_at REAL NOT NULL,
            ended_at REAL,
            end_reason TEXT
        )
        """
    )
    db.execute("CREATE INDEX staff_sessions_sub ON staff_sessions(sub) WHERE ended_at IS NULL")
    db.execute(
        """
        CREATE TABLE staff_links (
            id TEXT PRIMARY KEY,
            email TEXT NOT NULL,
            role TEXT NOT NULL,
            created_at REAL NOT NULL,
            expires_at REAL NOT NULL,
            used_at REAL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE staff_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            actor_name TEXT,
            role TEXT,
            action TEXT NOT NULL,
            refs TEXT NOT NULL DEFAULT '[]',
            details TEXT NOT NULL DEFAULT '{}'
        )
        """
    )
    db["staff_log"].create_index(["at"])
    db.execute(
        "CREATE TRIGGER staff_log_append_only BEFORE UPDATE ON staff_log "
        "BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END"
    )


@migrations()
def m010_backups(db: Database) -> None:
    """Each verified copy `flask submissions backup` made (webapp/backups.py): `flask check` says
    when the newest is older than WEBAPP_BACKUP_MAX_AGE_HOURS, since a failing cron line's
    output goes where nobody may read it."""
    db.execute(
        """
        CREATE TABLE backups (
            id INTEGER PRIMARY KEY,
            made_at REAL NOT NULL,
            file TEXT NOT NULL,
            submissions INTEGER NOT NULL
        )
        """
    )
    db["backups"].create_index(["made_at"])


def connect(path: str | Path, timeout: float = 5.0) -> Database:
    """Open the database with the durability settings every connection needs.

    `timeout` is how long a statement waits for another writer (seconds).
    """
    conn = sqlite3.connect(str(path), timeout=timeout)
    db = Database(conn, execute_plugins=False)
    # WAL lets readers and one writer work at once; FULL makes every commit
    # reach the disk before we tell a visitor their message is stored.
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    return db


@contextmanager
def immediate(db: Database):
    """A write transaction that holds the write lock from its first statement."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.execute("COMMIT")


# Each thread keeps its connection from one request to the next: opening one read the schema and
# every page again, and closing the last one checkpointed the WAL, most of a POST's time
# (bench/README.md). Opened anew in another process (a connection must not cross a fork), for
# another file (a database moved away and replaced by a restored one, README "Operations") and
# for other settings.
_kept = threading.local()


def _key(path: str, timeout: float) -> tuple:
    try:
        found = os.stat(path)
    except OSError:
        found = None
    return path, timeout, os.getpid(), found and (found.st_dev, found.st_ino)


def get_db() -> Database:
    if "db" not in g:
        path, timeout = str(current_app.config["DATABASE"]), current_app.config["DATABASE_TIMEOUT"]
        if getattr(_kept, "key", None) != _key(path, timeout):
            if getattr(_kept, "key", None) and _kept.key[2] == os.getpid():
                # Before opening the new one: closing the last connection to a file removes the
                # -wal and -shm of its path, which must not be the new connection's.
                _kept.db.close()
            _kept.key = None
            _kept.db = connect(path, timeout)
            _kept.key = _key(path, timeout)  # after connect(), which may create the file
        g.db = _kept.db
    return g.db


def close_db(exc: BaseException | None = None) -> None:
    """The connection stays open for the thread's next request, but nothing left uncommitted
    (a request that failed half-way) outlives this one."""
    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.rollback()


def migrate(path: str | Path) -> list[str]:
    """Create the database if needed and apply pending migrations; returns their names."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = connect(path)
    try:
        db.enable_wal()
        pending = [m.name for m in migrations.pending(db)]
        migrations.apply(db)
        return pending
    finally:
        db.close()


def migration_state(path: str | Path) -> tuple[list[str], list[str]]:
    """The names of the migrations applied to the database at `path`, and of those pending."""
    db = connect(path)
    try:
        return [m.name for m in migrations.applied(db)], [m.name for m in migrations.pending(db)]
    finally:
        db.close()


def pending_migrations(path: str | Path) -> list[str]:
    return migration_state(path)[1]


def backup(source: str | Path, dest: str | Path, timeout: float = 5.0) -> None:
    """Copy the live database to `dest` with SQLite's backup API while the site writes to it.

    The copy is written beside `dest` and renamed into place, so `dest` is never
    half a database, even if the machine stops during the copy. It holds every message and
    address: readable by its owner only (mode 0600), whatever the folder or umask.
    """
    source_conn = sqlite3.connect(str(source), timeout=timeout)
    try:
        with replacing(dest, mode=0o600) as partial:
            copy = sqlite3.connect(str(partial))
            try:
                # All pages in one step: one read snapshot, while WAL lets writers go on.
                source_conn.backup(copy)
                # A backup is one self-contained file, not a WAL database.
                copy.execute("PRAGMA journal_mode=DELETE")
            finally:
                copy.close()
    finally:
        source_conn.close()


def announce() -> None:
    """Every command's first line: which database, from which settings. On stderr, so what a
    command writes to stdout (an export) stays clean."""
    config = current_app.config
    origin = f"settings from {config['ENV_FILE']}" if config["ENV_FILE"] else "no environment file"
    click.echo(f"Database: {config['DATABASE']} ({origin})", err=True)


@with_appcontext
def announce_group() -> None:
    """The callback of a command group (`flask submissions`, `mail`, `staff`): runs before its
    command. A database that is not there is never created by them (SQLite would make an empty
    file, and a command on the wrong host would report 0 messages as if that were true)."""
    announce()
    path = current_app.config["DATABASE"]
    if not Path(path).exists():
        raise click.ClickException(
            f"There is no database at {path}: run `flask init-db` to create it, or name the served one"
            " (WEBAPP_ENV_FILE, WEBAPP_DATABASE)."
        )


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the database and apply any pending migrations (safe to run again)."""
    announce()
    path = current_app.config["DATABASE"]
    applied = migrate(path)
    if applied:
        click.echo(f"Applied {', '.join(applied)} to {path}")
    else:
        click.echo(f"{path} is up to date")


def init_app(app) -> None:
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
