"""Retention by the archive rules: rules, holds, the daily deletion with its log, the weekly warning."""

from ..mail.sender import TASKS
from . import cli, schedule


def init_app(app) -> None:
    app.cli.add_command(cli.cli)
    app.cli.commands["submissions"].add_command(cli.purge_command)
    app.extensions.setdefault(TASKS, []).append(schedule.tick)
