"""The City of Gothenburg's International relations site."""

import os

from werkzeug.middleware.proxy_fix import ProxyFix

from . import contact, db, extensions, health, i18n, mail, pages, retention, root_files, settings, staff, startup
from .i18n import cli as translate_cli, reload as catalog_reload
from .paths import ROOT
from .web import assets, compression, cross_origin, errors, form_bodies, public_url, replay, request_log, security


def create_app(test_config: dict | None = None) -> public_url.PublicURLFlask:
    env_file, env_values = settings.load_env_file() if test_config is None else ("", {})
    app = public_url.PublicURLFlask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=os.environ.get("WEBAPP_INSTANCE_PATH", str(ROOT / "instance")),
    )
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "translations")
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/Stockholm"  # times shown as Gothenburg's clocks show them
    settings.configure(app, test_config)
    if env_file:
        app.config.update(ENV_FILE=env_file, SERVED_DATABASE=settings.served_database(env_values))
    public_url.init_app(app)

    # Inside ProxyFix: a kept front page is looked up by the forwarded host.
    replay.init_app(app)
    if proxies := app.config["PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    # The order that matters: Flask runs before_request hooks in the order they are
    # registered and after_request hooks in reverse.
    # - The request log first: its timer starts before the cross-origin check and its line
    #   is written last, so the logged duration covers everything, compression included.
    # - Compression next: it runs after every other response hook has set its headers.
    # - Htmx before form_bodies: each sets the request class, and ours extends htmx-flask's.
    request_log.init_app(app)
    compression.init_app(app)
    extensions.htmx.init_app(app)
    form_bodies.init_app(app)
    cross_origin.init_app(app)
    extensions.init_limiter(app)
    extensions.babel.init_app(app, locale_selector=i18n.select_locale)
    security.init_app(app)
    assets.init_app(app)
    i18n.init_app(app, front_page=pages.FRONT_PAGE)
    catalog_reload.init_app(app)
    db.init_app(app)
    errors.init_app(app)
    root_files.init_app(app)
    pages.init_app(app)
    health.init_app(app)
    startup.init_app(app)
    contact.init_app(app)
    retention.init_app(app)  # after contact's: it adds `purge` to `flask submissions`
    mail.init_app(app)
    staff.init_app(app)  # after security's: its sessions replace the visitors' NoSession only under /staff/
    translate_cli.init_app(app)
    return app
