"""`flask submissions ...`: what staff need to read, export, back up and (when the archive rules say so) remove."""

import sqlite3
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .. import backups, db
from ..atomic_write import replacing
from ..mail import outbox
from . import export, submissions
from ..db import get_db

# `purge` is the retention package's (webapp/retention/cli.py): its init_app adds it here.
cli = AppGroup("submissions", help="Read, export, purge and back up contact-form submissions.", callback=db.announce_group)

def since_option(f):
    return click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Only those sent on or after this date (YYYY-MM-DD).")(f)


def status_option(f):
    return click.option("--status", type=click.Choice(submissions.STATUSES), help="Only this status (spam is hidden unless asked for).")(f)


@cli.command("list")
@since_option
@status_option
def list_command(since, status):
    """List submissions, newest first: reference, time, language, status, e-mail, start of message."""
    rows = submissions.select(get_db(), since=since, status=status)
    count = 0
    for row in rows:
        first_line = row["message"].split("\n", 1)[0]
        preview = first_line[:60] + ("…" if len(first_line) > 60 or "\n" in row["message"] else "")
        click.echo(f"{row['reference']}  {row['created_at']}  {row['locale']}  {row['status']:<4}  {row['email'] or '-'}  {preview}")
        count += 1
    click.echo(f"{count} submission(s)", err=True)


@cli.command("show")
@click.argument("reference")
def show_command(reference):
    """Show one submission in full."""
    db = get_db()
    row = submissions.get(db, reference)
    if row is None:
        raise click.ClickException(f"No submission with reference {reference}")
    for column in submissions.columns(db):
        if column != "message":
            click.echo(f"{column + ':':<12}{row[column] or '-'}")
    for mail in outbox.for_submission(db, row["id"]):
        when = mail["sent_at"] or mail["last_error"] or ""
        click.echo(f"{'mail:':<12}{mail['kind']} {mail['status']} {when}  {mail['message_id']}")
    click.echo("")
    click.echo(row["message"])


@cli.command("release")
@click.argument("reference")
def release_command(reference):
    """Release a submission held back as spam: it becomes a new one and the office is notified."""
    row = submissions.release(get_db(), reference)
    if row is None:
        raise click.ClickException(f"No submission held back as spam has the reference {reference}")
    click.echo(f"Released {row['reference']}: the office's notification is queued (no receipt is sent).")


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="File to write (default: standard output).")
@since_option
@status_option
def export_command(fmt, output, since, status):
    """Export submissions as CSV (safe to open in a spreadsheet) or JSON."""
    db = get_db()
    total = submissions.count(db, since=since, status=status)
    rows = submissions.select(db, since=since, status=status)
    columns = submissions.columns(db)

    def write(out):
        # The progress bar goes to stderr, so it never mixes with exported data.
        with click.progressbar(rows, length=total, label="Exporting", file=sys.stderr) as bar:
            export.write(out, fmt, columns, bar)

    if not output:
        write(sys.stdout)
    else:
        try:
            # Whole or not at all, and readable by its owner only, like a backup: it holds every address.
            with replacing(output, mode=0o600) as tmp, open(tmp, "w", encoding="utf-8", newline="") as out:
                write(out)
        except OSError as exc:
            raise click.ClickException(
                f"Cannot write {output} ({exc.strerror}). Name a file in a folder you may write to,"
                " or leave out --output and redirect the output (> file)."
            ) from None
    click.echo(f"Exported {total} submission(s)" + (f" to {output}" if output else ""), err=True)


@cli.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace DEST if it already exists.")
def backup_command(dest, force):
    """Copy the database to DEST while the site runs; DEST may be a folder (a dated file is made there).

    The copy is checked: it reports its integrity and how many submissions it holds.
    """
    source = Path(current_app.config["DATABASE"])
    if not source.exists():  # connecting would create an empty one
        raise click.ClickException(f"There is no database at {source}.")
    served = current_app.config["SERVED_DATABASE"]
    if served and Path(served).resolve() != source.resolve():
        raise click.ClickException(f"{source} is not the database the site serves ({served}, per {current_app.config['ENV_FILE']}).")
    if dest.is_dir():
        dest = dest / f"webapp-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}.sqlite3"
    if dest.exists() and dest.resolve() == source.resolve():
        raise click.ClickException("DEST is the live database itself")
    if dest.exists() and not force:
        raise click.ClickException(f"{dest} already exists. Add --force to replace it.")
    try:
        if not db.migration_state(source)[0]:
            raise click.ClickException(f"{source} has no migrations: it is not the site's database (is the environment file read?).")
        db.backup(source, dest, current_app.config["DATABASE_TIMEOUT"])
        copy = db.connect(dest)
        try:
            integrity = copy.execute("PRAGMA integrity_check").fetchone()[0]
            total = copy.execute("SELECT count(*) FROM submissions").fetchone()[0]
        finally:
            copy.close()
    except (sqlite3.Error, OSError) as exc:  # OSError: a folder it may not write to, a full disk
        raise click.ClickException(f"The backup failed: {exc}") from None
    if integrity != "ok":
        raise click.ClickException(f"The copy {dest} failed its integrity check: {integrity}")
    try:
        live = db.connect(source, current_app.config["DATABASE_TIMEOUT"])
        try:
            backups.record(live, str(dest.resolve()), total, time.time())
        finally:
            live.close()
    except sqlite3.Error as exc:  # `flask check` would then report it missing: say why now
        raise click.ClickException(f"The copy {dest} is made and checked, but could not be recorded: {exc}") from None
    click.echo(f"Backed up {total} submission(s) to {dest} (integrity ok).")
