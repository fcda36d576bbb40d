"""The staff area at /staff/ (outside the language prefix: one redirect URI for the provider).

Every request here: the person from the server-side session (g.staff), the language they
chose (Swedish by default), no caching, no indexing; every view names the role it needs.
"""

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from htmx_flask import make_response as htmx_response

from ..db import get_db
from ..web import errors
from ..i18n import published
from ..inbox import message, names
from ..inbox import views as inbox_views
from ..retention import views as retention_views
from . import access_log, auth, oidc, sessions
from .forms import ActionForm, EndSessionForm
from .clock import iso
from .roles import ROLES, allows, name as role_name, requires

bp = Blueprint("staff", __name__, url_prefix="/staff")
# The staff area's pages of other features live under it, so its hooks (who, language, no-store) apply.
for area in (auth.bp, inbox_views.bp, message.bp, retention_views.bp):
    bp.register_blueprint(area)


@bp.before_request
def identify():
    g.staff = session.person
    chosen = session.get("language")
    g.lang = chosen if chosen in published() else published()[0]
    if g.staff and oidc.configured():
        g.form_targets = (oidc.origin(),)  # the sign-out button's answer leads to the provider's end-session page


@bp.after_request
def private(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.errorhandler(401)
def sign_in_first(exc):
    if session.ended:  # told on the sign-in page, after the redirect
        session["ended"] = session.ended
    if request.method == "GET":
        session["next"] = request.full_path.rstrip("?")
    if request.htmx:  # a search typed after the session ended: the whole window goes, not the results' box
        return htmx_response("", 204, redirect=url_for("staff.auth.signin"))
    return redirect(url_for("staff.auth.signin"))


@bp.errorhandler(403)
def forbidden(exc):
    return render_template("staff/forbidden.html"), 403


@bp.errorhandler(429)
def too_many(exc):
    access_log.record("rate_limited", details={"path": request.path})
    return errors.handle_http_exception(exc)


@bp.context_processor
def shell():
    return {
        "person": g.get("staff"),
        "roles": ROLES,
        "allows": allows,
        "role_name": role_name,
        "action_name": access_log.action_name,
        "action_form": ActionForm,
        "utc_time": lambda seconds: iso(seconds)[:16].replace("T", " "),
        "state_name": names.state_name,
        "format_day": names.format_day,
        "format_time": names.format_time,
        "language_label": names.language_label,
    }


@bp.post("/language")
def language():
    form = ActionForm()
    code = request.form.get("language")
    if not form.validate_on_submit() or code not in published():
        abort(400)
    session["language"] = code
    back = request.form.get("next", "")
    return redirect(back if sessions.in_staff_area(back) and "//" not in back else url_for("staff.inbox.listing"))


@bp.get("/log")
@requires("admin")
def log():
    args = {k: request.args.get(k, "").strip() for k in ("actor", "reference", "since")}
    entries = access_log.entries(get_db(), **{k: v or None for k, v in args.items()}, newest=500)
    access_log.record("log_viewed", details={k: v for k, v in args.items() if v})
    return render_template("staff/log.html", entries=entries, args=args)


@bp.get("/sessions")
@requires("admin")
def live_sessions():
    return render_template("staff/sessions.html", rows=sessions.live(get_db()), form=EndSessionForm())


@bp.post("/sessions/end")
@requires("admin")
def end_session():
    form = EndSessionForm()
    if not form.validate_on_submit():
        abort(400)
    sessions.close(get_db(), form.session_id.data, "ended_by_admin", actor=g.staff)
    return redirect(url_for(".live_sessions"))
