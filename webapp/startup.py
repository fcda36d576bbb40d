"""Checks before the site serves: each problem says what is wrong and what to do about it.

wsgi.py runs them, so gunicorn refuses to start rather than fail visitors
later; `flask check` runs the same checks from a deploy script.
"""

import sqlite3
import tempfile
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from . import backups, disk, i18n
from .db import announce, connect, pending_migrations
from .i18n import checks as catalog_checks
from .i18n.catalogs import Project
from .mail import outbox, sender as mail_sender
from .retention import rules as retention_rules
from .staff import checks as staff_checks
from .web import assets

MIN_SECRET_KEY_BYTES = 32


class StartupError(RuntimeError):
    pass


def database_problems(path: str | Path) -> list[str]:
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        return [f"The database folder {folder} does not exist. Create it, or point WEBAPP_DATABASE elsewhere."]
    try:
        # SQLite creates its -wal and -shm files beside the database.
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return [f"The database folder {folder} is not writable ({exc.strerror}). Give the site's user write access to it."]
    if not path.exists():
        return [f"There is no database at {path}. Run `flask init-db`."]
    try:
        with open(path, "r+b"):
            pass
        pending = pending_migrations(path)
    except OSError as exc:
        return [f"The database {path} cannot be opened for writing ({exc.strerror})."]
    except sqlite3.DatabaseError as exc:
        return [f"{path} cannot be read as an SQLite database ({exc}). Restore it from a backup."]
    if pending:
        return [f"The database {path} lacks the migrations {', '.join(pending)}. Run `flask init-db`."]
    return []


def catalog_problems(app) -> list[str]:
    """Each published language (the app's list: only those are served) has its catalog, compiled and up to date."""
    return [str(problem) for problem in catalog_checks.serving_problems(Project.of(app), i18n.published(app))]


def secret_key_problems(app) -> list[str]:
    fallbacks = app.config["SECRET_KEY_FALLBACKS"]
    if not isinstance(fallbacks, list) or not all(isinstance(key, str) and key for key in fallbacks):
        return ['WEBAPP_SECRET_KEY_FALLBACKS must be a JSON list of the previous keys: ["the old key"].']
    if app.testing or app.debug:
        return []
    key = app.config["SECRET_KEY"]
    size = len(key if isinstance(key, bytes) else str(key).encode())
    if size >= MIN_SECRET_KEY_BYTES:
        return []
    return [
        f"WEBAPP_SECRET_KEY is {size} bytes; in production it must be at least {MIN_SECRET_KEY_BYTES}."
        " Make one with `python -c 'import secrets; print(secrets.token_hex(32))'`,"
        " or unset it to use the key kept in the instance folder."
    ]


def problems(app) -> list[str]:
    return (
        database_problems(app.config["DATABASE"])
        + catalog_problems(app)
        + secret_key_problems(app)
        + assets.problems(app)
        + mail_sender.config_problems(app)
        + retention_rules.problems(app)
        + staff_checks.problems(app)
        + backups.max_age_problems(app)
        + disk.min_free_problems(app)
    )


def alarms(app) -> list[str]:
    """Mail to the office that failed or waits too long, a backup that is not recent, a disk
    nearly full: `flask check` fails, the site still serves."""
    config = app.config
    db = connect(config["DATABASE"], config["DATABASE_TIMEOUT"])
    try:
        now = time.time()
        return (
            outbox.alarms(db, now)
            + backups.alarms(db, now, config["BACKUP_MAX_AGE_HOURS"])
            + disk.alarms(config["DATABASE"], db, config["DISK_MIN_FREE_MB"])
        )
    finally:
        db.close()


def check(app) -> None:
    if found := problems(app):
        raise StartupError("The site cannot start:\n" + "\n".join(f"  - {p}" for p in found))


def database_contents(path: str | Path) -> tuple[str, int]:
    """SQLite's quick_check of every page ("ok") and how many submissions the database holds."""
    db = connect(path)
    try:
        return db.execute("PRAGMA quick_check").fetchone()[0], db.execute("SELECT count(*) FROM submissions").fetchone()[0]
    finally:
        db.close()


@click.command("check")
@click.option("--startup", is_flag=True, help="Only what would stop the site from serving (for systemd's ExecStartPre).")
@click.option("--database", type=click.Path(dir_okay=False), help="Check this database file instead (a restored copy).")
@with_appcontext
def check_command(startup, database) -> None:
    """Check that the site can serve (database, migrations, catalogs, secret key, static files,
    mail settings, retention rules) and, unless --startup, that no mail to the office failed or has waited more than an hour,
    that the newest backup is within WEBAPP_BACKUP_MAX_AGE_HOURS and that the disks have WEBAPP_DISK_MIN_FREE_MB free."""
    if database:
        current_app.config["DATABASE"] = database
    announce()
    found = problems(current_app)
    # A mail, backup or disk alarm needs a person, but must not keep the site (and its form) from starting.
    found += alarms(current_app) if not (found or startup) else []
    # With neither setting there is no note: the mail settings' problem above says what to set.
    config = current_app.config
    if not config["MAIL_SERVER"] and config["MAIL_FILE_DIR"] and not (current_app.debug or current_app.testing):
        click.echo(f"Note: WEBAPP_MAIL_SERVER is not set, so mail is written to {config['MAIL_FILE_DIR']}.", err=True)
    if not found:
        integrity, total = database_contents(current_app.config["DATABASE"])
        found += [] if integrity == "ok" else [f"The database failed SQLite's quick_check: {integrity}. Restore it from a backup."]
    if not found and not retention_rules.of(current_app):
        click.echo("Note: there are no retention rules (WEBAPP_RETENTION_RULES), so nothing is deleted automatically.", err=True)
    if found:
        for problem in found:
            click.echo(f"- {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"Ready to serve: {total} submission(s) in {current_app.config['DATABASE']} (quick_check ok).")


def init_app(app) -> None:
    app.cli.add_command(check_command)
