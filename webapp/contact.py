"""The contact form's endpoints: submit, inline validation of one field, confirmation."""

import sqlite3

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, CSRFProtect

from . import submissions
from .db import get_db
from .forms import ContactForm, new_form_key

bp = Blueprint("contact", __name__, url_prefix="/contact")
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def render_form(form: ContactForm, status: int = 200, problem: str | None = None):
    """The form with the visitor's text in it: a fragment for htmx, else the whole page."""
    form.attempted.data = "1"
    if form.form_key.errors:  # unreadable key: give the resend a fresh one
        form.form_key.data = new_form_key()
    context = {"form": form, "problem": problem}
    if request.htmx:
        body = render_template("_contact_form.html", **context)
    else:
        g.page_endpoint = "site.index"
        body = render_template("index.html", **context)
    return body, status, {"Vary": "HX-Request"}


@bp.post("")
@limiter.limit(lambda: current_app.config["CONTACT_RATE_LIMIT"])
def submit():
    form = ContactForm()
    if not form.validate():
        return render_form(form, 422)
    try:
        reference = submissions.store(
            get_db(),
            locale=g.lang,
            email=form.email.data,
            message=form.message.data,
            form_key=form.form_key.data,
            status="spam" if form.is_spam else "new",
        )
    except sqlite3.Error:
        current_app.logger.exception("could not store a submission")
        return render_form(form, 503, _("We could not save your message just now. Wait a moment and send it again, or call us."))
    if request.htmx:
        body = render_template("_contact_done.html", reference=reference, has_email=bool(form.email.data))
        return body, 200, {"Vary": "HX-Request"}
    return redirect(url_for(".thanks", reference=reference), 303)


@bp.post("/validate/<any(email, message):field>")
def validate_field(field):
    """Check one field as the visitor leaves it; "required" waits for a submit attempt."""
    form = ContactForm()
    form.validate()
    bound = form[field]
    if not bound.data and not form.attempted.data:
        bound.errors = []
    body = render_template("_contact_field_response.html", form=form, field=bound)
    return body, 200, {"Vary": "HX-Request"}


@bp.get("/thanks/<reference>")
def thanks(reference):
    # Spam gets the same page as everybody else: a bot learns nothing.
    row = submissions.get(get_db(), reference)
    if row is None:
        abort(404)
    return render_template("thanks.html", reference=row["reference"], has_email=bool(row["email"]))


def handle_csrf_error(exc: CSRFError):
    if request.endpoint == "site.contact.submit":
        problem = _("The page had been open too long, so your message was not sent. Your text is still here: send it again.")
        return render_form(ContactForm(), 400, problem)
    if request.endpoint == "site.contact.validate_field":
        return "", 204  # no inline check without a session; the submit explains why
    return exc


def handle_rate_limit(exc):
    if request.endpoint != "site.contact.submit":
        return exc
    problem = _("You have sent many messages in a short time. Wait a while and send again, or call us.")
    return render_form(ContactForm(), 429, problem)


def init_app(app) -> None:
    csrf.init_app(app)
    limiter.init_app(app)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(429, handle_rate_limit)
