"""Signing in and out: through the city's provider, or with a one-time link when there is none."""

from authlib.common.errors import AuthlibBaseError
from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from joserfc.errors import JoseError
from requests import RequestException

from ..db import get_db
from ..extensions import limiter
from ..web.public_url import public_url
from . import access_log, clock, links, oidc, sessions
from .forms import ActionForm

bp = Blueprint("auth", __name__, url_prefix="/auth")
rate_limited = limiter.limit(lambda: current_app.config["STAFF_SIGNIN_RATE_LIMIT"])


def callback_url() -> str:
    return public_url(url_for("staff.auth.callback"))


def signed_in(person: access_log.Actor, how: str, id_token: str | None = None):
    """Begin the session and go where the person was going (a page of the staff area)."""
    target = session.get("next") or url_for("staff.inbox.listing")
    sessions.begin(session, person, id_token)
    access_log.record("signin", details={"with": how}, actor=person)
    return redirect(target)


def refused(reason: str, status: int, template: str = "staff/signin_failed.html", person: access_log.Actor | None = None):
    access_log.record("signin_refused", details={"reason": reason}, actor=person)
    return render_template(template, person=person), status


@bp.get("/signin")
def signin():
    if g.staff:
        return redirect(url_for("staff.inbox.listing"))
    return render_template("staff/signin.html", provider=oidc.configured(), ended=session.pop("ended", None))


@bp.get("/login")
@rate_limited
def login():
    if not oidc.configured():
        return redirect(url_for(".signin"))
    try:
        return oidc.client().authorize_redirect(callback_url())
    except (RequestException, ValueError, oidc.IssuerMismatch) as exc:
        current_app.logger.error("staff sign-in: the provider's discovery failed: %r", exc)
        return refused("provider_unavailable", 503, "staff/provider_unavailable.html")


@bp.get("/callback")
@rate_limited
def callback():
    if not oidc.configured():
        return redirect(url_for(".signin"))
    try:
        token = oidc.client().authorize_access_token(claims_options=oidc.claims_options(), leeway=oidc.LEEWAY)
    except RequestException as exc:
        current_app.logger.error("staff sign-in: the provider could not be reached: %r", exc)
        return refused("provider_unavailable", 503, "staff/provider_unavailable.html")
    except (AuthlibBaseError, JoseError, oidc.IssuerMismatch) as exc:
        current_app.logger.warning("staff sign-in refused: %r", exc)
        return refused(f"{type(exc).__name__}: {exc}"[:300], 400)
    userinfo = token.get("userinfo")
    if userinfo is None:  # no ID token, or none checked
        return refused("no_id_token", 400)
    person = oidc.person(userinfo)
    if person.role is None:
        return refused("no_role", 403, "staff/no_access.html", person)
    return signed_in(person, "oidc", token.get("id_token"))


@bp.get("/link/<token>")
def link(token):
    usable = links.usable(get_db(), token, clock.now()) is not None
    return render_template("staff/link.html", form=ActionForm(), usable=usable), 200 if usable else 410


@bp.post("/link/<token>")
@rate_limited
def use_link(token):
    form = ActionForm()
    if not form.validate_on_submit():
        return render_template("staff/link.html", form=form, usable=True, expired_form=True), 400
    person = links.redeem(get_db(), token, clock.now())
    if person is None:
        access_log.record("signin_refused", details={"reason": "link_used_or_expired"})
        return render_template("staff/link.html", form=form, usable=False), 410
    return signed_in(person, "link")


@bp.post("/signout")
def signout():
    form = ActionForm()
    if not form.validate_on_submit() or not g.staff:
        return redirect(url_for("staff.inbox.listing"))
    id_token = session.row["id_token"]
    access_log.record("signout")
    sessions.end(session)
    done = public_url(url_for(".signed_out"))
    if id_token and oidc.configured():
        try:
            return redirect(oidc.client().create_logout_url(post_logout_redirect_uri=done, id_token_hint=id_token)["url"])
        except (RuntimeError, RequestException):  # no end_session_endpoint, or the provider is down
            pass
    return redirect(done)


@bp.get("/signed-out")
def signed_out():
    return render_template("staff/signed_out.html")
