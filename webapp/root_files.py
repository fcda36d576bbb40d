"""What is asked for at the site's root: the redirect to a language, and the files crawlers
and browsers look for there (robots.txt, sitemap.xml, favicon.ico)."""

from flask import Blueprint, Response, redirect, render_template, url_for

from . import pages
from .i18n import negotiate_language

bp = Blueprint("root", __name__)


@bp.get("/")
def index_redirect():
    response = redirect(url_for(pages.FRONT_PAGE, lang=negotiate_language()), code=303)
    response.vary.add("Accept-Language")
    return response


@bp.get("/robots.txt")
def robots():
    return Response(render_template("robots.txt"), mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap():
    return Response(render_template("sitemap.xml", endpoints=pages.SITEMAP), mimetype="application/xml")


@bp.get("/favicon.ico")
def favicon():
    # Asked for by clients that do not read the page's <link rel="icon">. Not a
    # permanent redirect: the target's name changes with its content.
    return redirect(url_for("static", filename="favicon.png"), code=302)


def init_app(app) -> None:
    app.register_blueprint(bp)
