"""`flask retention ...`: holds, the deletion log, a preview of what the rules delete, and running it now;
and `flask submissions purge`, the operator's deletion, which create_app adds to `flask submissions`."""

import getpass
import json
import os
import time
from datetime import datetime, timedelta, timezone

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from ..db import announce_group, get_db
from . import days, deletion, holds, rules as retention_rules

cli = AppGroup("retention", help="The archive rules: holds, the deletion log, preview and apply.", callback=announce_group)


def operator() -> str:
    # On the host commands run as `sudo -u webapp`: the record names whoever ran sudo, not the site's user.
    return os.environ.get("SUDO_USER") or getpass.getuser()


def by_option(f):
    return click.option("--by", default=operator, show_default="your login name", help="Who does this, for the record.")(f)


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="One JSON list instead of lines.")(f)


def emit(rows: list[dict], as_json: bool, line, summary: str) -> None:
    """The rows as one JSON list, or one line each and `summary` on standard error."""
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(line(row))
    click.echo(summary, err=True)


def configured_rules():
    rules = retention_rules.of(current_app)
    if not rules:
        click.echo("There are no retention rules (WEBAPP_RETENTION_RULES): nothing is deleted automatically.", err=True)
    return rules


@cli.command("hold")
@click.argument("reference")
@click.option("--reason", required=True, help="Why it must be kept: a request for the document, an appeal, a complaint.")
@by_option
def hold_command(reference, reason, by):
    """Keep a message, whatever the rules say, until `flask retention unhold`."""
    try:
        held = holds.hold(get_db(), reference, reason, by)
    except holds.HoldError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Held {reference.upper()} ({held['held_at']}, by {held['held_by']}): {held['reason']}")


@cli.command("unhold")
@click.argument("reference")
@by_option
def unhold_command(reference, by):
    """Lift a message's hold: the rules apply to it again from the next daily run."""
    try:
        lifted = holds.unhold(get_db(), reference, by)
    except holds.HoldError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Lifted the hold on {reference.upper()} ({lifted['lifted_at']}, by {lifted['lifted_by']}).")


@cli.command("holds")
@json_option
def holds_command(as_json):
    """The messages held now: who held them, when and why."""
    rows = holds.held(get_db())
    emit(rows, as_json, lambda row: f"{row['reference']}  held {row['held_at']} by {row['held_by']}: {row['reason']}", f"{len(rows)} message(s) held")


@cli.command("log")
@json_option
def log_command(as_json):
    """The deletion log (gallringslogg): what was deleted, when, by which rule or person. Never a text or address."""
    rows = deletion.log(get_db())

    def line(row):
        by = f"rule {row['rule']}" if row["rule"] else row["deleted_by"]
        return f"{row['deleted_at']}  {row['reference']}  received {row['received_at']}  {row['status']}  by {by}  ({row['decision']})"

    emit(rows, as_json, line, f"{len(rows)} deletion(s) logged")


@cli.command("preview")
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="The day (default: today, Europe/Stockholm).")
@json_option
def preview_command(on, as_json):
    """What the rules delete by a day (nothing is deleted): held messages are left out."""
    day = on.date() if on else days.today(time.time())
    rows = deletion.due(get_db(), configured_rules(), day)
    emit(
        rows,
        as_json,
        lambda row: f"{row['day']}  {row['reference']}  received {row['received_at']}  {row['status']}  rule: {row['rule']}",
        f"{len(rows)} message(s) deleted by the rules by {day.isoformat()}",
    )


@cli.command("apply")
def apply_command():
    """Delete what the rules say is due today, now (the daily run does this by itself)."""
    rules = configured_rules()
    total = 0

    def progress(count):
        nonlocal total
        total += count
        click.echo(f"deleted {total}", err=True)

    deleted = deletion.delete_due(get_db(), rules, time.time(), progress)
    click.echo(f"Deleted {deleted} message(s) by the retention rules; see `flask retention log`.")


@click.command("purge")
@click.option("--older-than", "days_", type=click.IntRange(min=1), required=True, help="Age in days.")
@click.option("--decision", help="The archive decision that allows this deletion (required with --yes).")
@click.option("--yes", is_flag=True, help="Really delete. Without it, only show what would be deleted.")
@by_option
@with_appcontext
def purge_command(days_, decision, yes, by):
    """Delete submissions older than DAYS, as the city's archive rules allow; held ones are kept.

    Every deletion is written to the deletion log (`flask retention log`) with the
    decision and your name. Without --yes this is a dry run.
    """
    db = get_db()
    cutoff = datetime.now(timezone.utc) - timedelta(days=days_)
    found = deletion.received_before(db, cutoff.isoformat(timespec="seconds"))
    for row in found:
        click.echo(f"{row['reference']}  {row['received_at']}  {row['status']}" + ("  held: kept" if row["held"] else ""))
    going = sum(not row["held"] for row in found)
    if not yes:
        click.echo(f"Dry run: {going} submission(s) sent before {cutoff:%Y-%m-%d %H:%M} UTC would be deleted. Add --yes to delete them.")
        return
    if not (decision or "").strip():
        raise click.UsageError("Say which archive decision allows this deletion: --decision 'Arkivnämnden …, § …'.")
    deleted = deletion.purge(db, cutoff.isoformat(timespec="seconds"), decision.strip(), by, time.time())
    click.echo(f"Deleted {deleted} submission(s) sent before {cutoff:%Y-%m-%d %H:%M} UTC; see `flask retention log`.")
