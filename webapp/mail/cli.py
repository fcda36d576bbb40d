"""`flask mail ...`: what the outbox holds, sending it now, and queueing failed mail again."""

import json
import time

import click
from flask import current_app
from flask.cli import AppGroup

from . import outbox
from ..db import announce_group, get_db
from .sender import Sender

cli = AppGroup("mail", help="The outbox: status, send what is due, retry failed mail.", callback=announce_group)


@cli.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON object, for monitoring.")
def status_command(as_json):
    """Mail by state, the oldest queued mail's age, why the oldest waiting mail waits, and failed mail."""
    db, now = get_db(), time.time()
    found = {**outbox.status(db, now), "waiting": outbox.waiting(db, now)}
    if as_json:
        click.echo(json.dumps(found))
        return
    click.echo("  ".join(f"{state}: {found[state]}" for state in outbox.STATES))
    if found["oldest_queued_seconds"] is not None:
        click.echo(f"oldest queued: {found['oldest_queued_seconds']} s")
    click.echo(f"transport: {current_app.config['MAIL_SERVER'] or 'files in ' + current_app.config['MAIL_FILE_DIR']}")
    for mail in found["waiting"]:
        why = f"attempt {mail['attempts']}, next try in {mail['due_in_seconds']} s: {mail['last_error']}" if mail["attempts"] else "not tried yet"
        click.echo(f"WAITING {mail['kind']} #{mail['id']} {mail['reference'] or ''}: {why}")
    if found["queued"] > len(found["waiting"]):
        click.echo(f"... and {found['queued'] - len(found['waiting'])} more waiting (the oldest are shown)")
    for mail in outbox.failed(db):
        click.echo(f"FAILED {mail['kind']} #{mail['id']} {mail['reference'] or ''}: {mail['last_error']}")
    for alarm in outbox.alarms(db, time.time()):
        click.echo(f"ALARM: {alarm}", err=True)


@cli.command("send")
def send_command():
    """Send everything waiting now, also mail waiting out its backoff, once, and exit (after an outage, or from cron)."""
    outbox.make_due_now(get_db(), time.time())
    sender = Sender(current_app._get_current_object())
    sender.run_scheduled()
    tried = sender.send_due()
    found = outbox.status(get_db(), time.time())
    click.echo(f"Tried {tried} mail(s); now queued: {found['queued']}, failed: {found['failed']}.")


@cli.command("retry")
@click.argument("reference", required=False)
@click.option("--failed", "all_failed", is_flag=True, help="Every failed mail.")
def retry_command(reference, all_failed):
    """Queue failed mail again: one submission's (REF) or all of it (--failed)."""
    if bool(reference) == all_failed:
        raise click.UsageError("Give a reference or --failed.")
    db = get_db()
    submission_id = outbox.submission_id(db, reference) if reference else None
    if reference and submission_id is None:
        raise click.ClickException(f"No submission with reference {reference}")
    count = outbox.requeue(db, submission_id)
    click.echo(f"Queued {count} mail(s) again.")
