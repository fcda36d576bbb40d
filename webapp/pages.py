"""The site's pages under a /<lang>/ prefix; the root redirect and the files crawlers ask for."""

import time

from flask import Blueprint, Response, abort, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from .contact import views as contact, time_trap
from . import content, office
from .mail import outbox
from .db import get_db
from .contact.forms import ContactForm, new_form_key
from .i18n import negotiate_language, served
from .web import public_url

root = Blueprint("root", __name__)
bp = Blueprint("site", __name__, url_prefix="/<lang>")
bp.register_blueprint(contact.bp)

# The pages sitemap.xml lists, each in every language.
SITEMAP = ("site.index", "site.privacy", "site.accessibility")


@root.get("/")
def index_redirect():
    response = redirect(url_for("site.index", lang=negotiate_language()), code=303)
    response.vary.add("Accept-Language")
    return response


@root.get("/robots.txt")
def robots():
    return Response(render_template("robots.txt"), mimetype="text/plain")


@root.get("/sitemap.xml")
def sitemap():
    return Response(render_template("sitemap.xml", endpoints=SITEMAP), mimetype="application/xml")


@root.get("/favicon.ico")
def favicon():
    # Asked for by clients that do not read the page's <link rel="icon">. Not a
    # permanent redirect: the target's name changes with its content.
    return redirect(url_for("static", filename="favicon.png"), code=302)


@root.get("/healthz")
def healthz():
    """200 when the database takes a write lock, 503 when it cannot. Mail waiting (an SMTP
    server down) does not make the site unhealthy: the form works and keeps it queued."""
    try:
        db = get_db()
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
        mail = outbox.status(db, time.time())
    except Exception as exc:  # any failure means "not healthy", never a 500
        return jsonify(status="unavailable", database=type(exc).__name__), 503
    return jsonify(
        status="ok",
        database="writable",
        mail_queued=mail["queued"],
        mail_oldest_queued_seconds=mail["oldest_queued_seconds"],
    )


@bp.url_value_preprocessor
def pull_lang(endpoint, values):
    lang = values.pop("lang")
    if lang not in served():  # a draft only under `make dev`
        abort(404)
    g.lang = lang


@bp.url_defaults
def add_lang(endpoint, values):
    if "lang" not in values and "lang" in g:
        values["lang"] = g.lang


# The front page with an empty form is the same for every visitor but for the
# CSRF token and the form key. It is rendered once per language and host (the
# canonical links name the host) with these markers in their place, and each
# request fills in its own values: the render and building the form were most
# of the cost of a page view. Nothing else that differs between visitors may go
# on this page.
TOKEN_MARKER, KEY_MARKER, SERVED_MARKER = "__csrf_token__", "__form_key__", "__served__"
MAX_SHELLS = 32  # the Host header is the client's to choose


def page_shell() -> str:
    shells = current_app.extensions.setdefault("page_shells", {})
    key = (g.lang, public_url.base_url())
    if key not in shells:
        form = ContactForm()
        form.csrf_token.current_token, form.form_key.data, form.served.data = TOKEN_MARKER, KEY_MARKER, SERVED_MARKER
        if len(shells) >= MAX_SHELLS:
            shells.clear()
        shells[key] = render_template("index.html", form=form)
    return shells[key]


@bp.get("/")
def index():
    # generate_csrf(), new_form_key() and stamp() give what an empty ContactForm() would hold.
    page = page_shell().replace(TOKEN_MARKER, escape(generate_csrf()), 1).replace(KEY_MARKER, new_form_key(), 1)
    return page.replace(SERVED_MARKER, time_trap.stamp(), 1)


@bp.get("/privacy")
def privacy():
    return render_template("privacy.html")


@bp.get("/accessibility")
def accessibility():
    return render_template("accessibility.html")


@bp.get("/office.geojson")
def office_geojson():
    response = jsonify(office.feature())
    response.mimetype = "application/geo+json"
    return response


def init_app(app) -> None:
    app.jinja_env.globals.update(content=content, office=office)
    app.register_blueprint(root)
    app.register_blueprint(bp)
