"""The site's pages under a /<lang>/ prefix, the contact form's blueprint among them."""

from flask import Blueprint, abort, g, jsonify, render_template

from . import content, office
from .contact import page_shell, views as contact_views
from .i18n import served

bp = Blueprint("site", __name__, url_prefix="/<lang>")
bp.register_blueprint(contact_views.bp)

# The pages sitemap.xml lists, each in every language; the first is where `/` leads.
SITEMAP = ("site.index", "site.privacy", "site.accessibility")
FRONT_PAGE = SITEMAP[0]


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


@bp.get("/")
def index():
    return page_shell.render_with_empty_form("index.html")


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
    app.register_blueprint(bp)
