"""The office's staff area: sign-in (OpenID Connect, or a one-time link), roles, server-side sessions, the access log."""

from ..mail.sender import TASKS
from . import cli, housekeeping, oidc, sessions, views


def init_app(app) -> None:
    app.session_interface = sessions.StaffSessionInterface()
    oidc.init_app(app)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.cli)
    app.extensions.setdefault(TASKS, []).append(housekeeping.tick)
