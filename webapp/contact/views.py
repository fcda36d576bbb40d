"""The contact form's endpoints (submit, inline validation of one field, confirmation) and its answers
when something goes wrong: a form sent from another site, the rate limit, a body that cannot be read."""

import sqlite3

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from htmx_flask import make_response
from werkzeug.exceptions import HTTPException

from ..web import cross_origin, errors
from . import submissions, time_trap
from ..db import get_db
from ..extensions import limiter
from .forms import ContactForm, new_form_key

bp = Blueprint("contact", __name__, url_prefix="/contact")
# Where contact.js shows a send that failed before the server answered with the form.
SEND_PROBLEM_ID = "send-problem"


def endpoint(view: str) -> str:
    """The full endpoint of one of this blueprint's views, wherever it is mounted."""
    mounted = next(name for name, blueprint in current_app.blueprints.items() if blueprint is bp)
    return f"{mounted}.{view}"


def contact_url(view: str, **values) -> str:
    return url_for(endpoint(view), **values)


@bp.record_once
def template_globals(state) -> None:
    state.app.jinja_env.globals.update(contact_url=contact_url, SEND_PROBLEM_ID=SEND_PROBLEM_ID)


def render(partial: str, page: str | None = None, status: int = 200, *, retarget=None, reswap=None, **context):
    """`partial` for htmx, else the whole `page` (when there is one); caches keep the two apart.

    `retarget` and `reswap` tell htmx to put the partial elsewhere than the request asked.
    """
    template = page if page and not request.htmx else partial
    response = make_response(render_template(template, **context), status, retarget=retarget, reswap=reswap)
    response.vary.add("HX-Request")
    response.headers["Cache-Control"] = "no-store"  # the visitor's own text, or its new form key
    return response


def render_form(form: ContactForm, status: int = 200, problem: str | None = None):
    """The form with the visitor's text in it."""
    form.attempted.data = "1"
    if form.form_key.errors:  # unreadable key: give the resend a fresh one
        form.form_key.data = new_form_key()
    form.served.data = time_trap.restamp(form.served.data, form.form_key.data)
    return render("_contact_form.html", "index.html", status, form=form, problem=problem)


@bp.post("")
@limiter.limit(lambda: current_app.config["CONTACT_RATE_LIMIT"])
def submit():
    form = ContactForm()
    if not form.validate():
        return render_form(form, 422)
    if form.send_again:
        return render_form(
            form, 422, _("Your message has not been sent yet, because the page had been open for a long time. Your text is still here: send it again.")
        )
    try:
        reference = submissions.store(
            get_db(),
            locale=g.lang,
            form_key=form.form_key.data,
            status="spam" if form.is_spam else "new",
            **form.submission,
        )
    except sqlite3.Error:
        current_app.logger.exception("could not store a submission")
        return render_form(form, 503, _("We could not save your message just now. Wait a moment and send it again, or call us."))
    if request.htmx:
        return render("_contact_done.html", reference=reference, has_email=bool(form.email.data))
    return redirect(url_for(".thanks", reference=reference), 303)


@bp.post("/validate/<field>")
def validate_field(field):
    """Check one field as the visitor leaves it; "required" waits for a submit attempt."""
    form = ContactForm()
    bound = next((f for f in form.visible_fields if f.name == field), None)
    if bound is None:
        abort(404)
    form.validate()
    if not bound.data and not form.attempted.data:
        bound.errors = []
    return render("_contact_field_response.html", form=form, field=bound)


@bp.get("/thanks/<reference>")
@limiter.limit(lambda: current_app.config["THANKS_RATE_LIMIT"])
def thanks(reference):
    # Spam gets the same page as everybody else: a bot learns nothing.
    row = submissions.get(get_db(), reference)
    if row is None:
        abort(404)
    return render_template("thanks.html", reference=row["reference"], has_email=bool(row["email"]))


@bp.errorhandler(cross_origin.CrossOriginRequest)
def cross_origin_refused(exc):
    if request.endpoint == endpoint("validate_field"):
        return "", 204  # no inline check for another site's page; the submit explains why
    problem = _(
        "Your message was not sent: it came from a page on another website. Your text is still here: send it again from this page."
    )
    return render_form(ContactForm(), 403, problem)


@bp.errorhandler(429)
def rate_limited(exc):
    if request.endpoint != endpoint("submit"):
        return errors.handle_http_exception(exc)
    problem = _("You have sent many messages in a short time. Wait a while and send again, or call us.")
    return render_form(ContactForm(), 429, problem)


@bp.errorhandler(HTTPException)
def unreadable(exc: HTTPException):
    """A sent form that could not be read (too large, not UTF-8, not a form): its fields
    cannot be shown again, so htmx leaves them as they are and shows the problem above them.

    Raised while the form is read in the view or a hook before it, but after routing, so this
    blueprint's handlers apply (tests/test_contact.py checks each case).
    """
    text = errors.text(exc.code)
    if not request.htmx or request.endpoint != endpoint("submit") or text is None:
        return errors.handle_http_exception(exc)
    return render(
        "_error_summary.html",
        status=exc.code,
        retarget=f"#{SEND_PROBLEM_ID}",
        reswap="outerHTML",
        summary_id=SEND_PROBLEM_ID,
        problem=text,
    )
