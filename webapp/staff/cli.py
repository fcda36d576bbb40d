"""`flask staff ...`: a one-time sign-in link (the way in without the provider) and the access log."""

import json
import os

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import announce_group, get_db
from . import access_log, clock, links
from .roles import ROLES

cli = AppGroup("staff", help="The staff area: sign-in links and the access log.", callback=announce_group)


def base_url() -> str:
    """Where the link points: the public URL, else the address `make run` serves."""
    return current_app.config["PUBLIC_URL"] or "http://" + os.environ.get("WEBAPP_BIND", "127.0.0.1:5000")


@cli.command("link")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the person may do.")
def link_command(email, role):
    """Print a sign-in link for EMAIL, valid once, for 15 minutes."""
    token = links.create(get_db(), email.strip(), role, clock.now())
    click.echo(f"{base_url().rstrip('/')}/staff/auth/link/{token}")
    click.echo(f"Valid once, for {links.LINK_SECONDS // 60} minutes, as {role}: open it and press the button.", err=True)


@cli.command("log")
@click.option("--since", help="From this date or time (UTC, ISO 8601: 2026-12-01 or 2026-12-01T08:00).")
@click.option("--actor", help="Only this person: the provider's subject or the name.")
@click.option("--reference", help="Only events about this message (GBG-XXXX-XXXX).")
@click.option("--json", "as_json", is_flag=True, help="JSON lines with the keys time, actor, actor_name, role, action, references, details.")
def log_command(since, actor, reference, as_json):
    """The access log, oldest first."""
    rows = access_log.entries(get_db(), since=since, actor=actor, reference=reference and reference.upper())
    for row in rows:
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            refs = " ".join(row["references"])
            click.echo(f"{row['time']}  {row['actor_name'] or row['actor']} ({row['role'] or '-'})  {row['action']}  {refs}  {json.dumps(row['details'], ensure_ascii=False)}")
    click.echo(f"{len(rows)} event(s)", err=True)
