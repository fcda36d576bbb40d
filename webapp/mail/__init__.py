"""The office's mail: the outbox, the messages, the transport, the sender thread and its CLI."""

from . import cli, sender


def init_app(app) -> None:
    app.cli.add_command(cli.cli)
    sender.init_app(app)
