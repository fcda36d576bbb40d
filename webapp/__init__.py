"""The City of Gothenburg's International relations site."""

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .web import assets, compression, errors, form_bodies, request_log, security
from .i18n import reload as catalog_reload, cli as translate
from .contact import views as contact, cli as submissions_cli
from . import db, extensions, i18n, pages, settings, startup
from .paths import ROOT
from .mail import cli as mail_cli, sender as mail_sender
from . import retention
from .retention import cli as retention_cli



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

    # The order that matters: Flask runs before_request hooks in the order they are
    # registered and after_request hooks in reverse.
    # - The request log first: its timer starts before CSRFProtect's check and its line
    #   is written last, so the logged duration covers everything, compression included.
    # - Compression next: it runs after every other response hook has set its headers.
    # - Htmx before form_bodies: each sets the request class, and ours extends htmx-flask's.
    request_log.init_app(app)
    compression.init_app(app)
    extensions.htmx.init_app(app)
    form_bodies.init_app(app)
    extensions.csrf.init_app(app)
    extensions.init_limiter(app)
    extensions.babel.init_app(app, locale_selector=i18n.select_locale)
    security.init_app(app)
    assets.init_app(app)
    i18n.init_app(app)
    catalog_reload.init_app(app)
    db.init_app(app)
    errors.init_app(app)
    pages.init_app(app)
    startup.init_app(app)
    submissions_cli.cli.add_command(retention_cli.purge_command)
    app.cli.add_command(submissions_cli.cli)
    app.cli.add_command(mail_cli.cli)
    retention.init_app(app)
    mail_sender.init_app(app)
    translate.init_app(app)
    return app
