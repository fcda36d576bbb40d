"""The City of Gothenburg's International relations site."""

import os
from pathlib import Path

from flask import Flask
from htmx_flask import Htmx
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (
    assets,
    compression,
    contact,
    db,
    errors,
    form_bodies,
    i18n,
    mail_cli,
    mail_sender,
    pages,
    request_log,
    security,
    settings,
    startup,
    submissions_cli,
    translate,
)

ROOT = Path(__file__).resolve().parent.parent

htmx = Htmx()


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=os.environ.get("WEBAPP_INSTANCE_PATH", str(ROOT / "instance")),
    )
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "translations")
    settings.configure(app, test_config)

    if proxies := app.config["PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    request_log.init_app(app)  # first, so its timer also covers the CSRF check
    # Before the other response hooks, so it runs after them (Flask runs them in reverse),
    # and after the request log's, so the logged duration includes it.
    compression.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    htmx.init_app(app)
    form_bodies.init_app(app)
    i18n.init_app(app)
    db.init_app(app)
    errors.init_app(app)
    contact.init_app(app)
    pages.init_app(app)
    startup.init_app(app)
    app.cli.add_command(submissions_cli.cli)
    app.cli.add_command(mail_cli.cli)
    mail_sender.init_app(app)
    translate.init_app(app)
    return app
