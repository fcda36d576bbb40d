"""One message in the staff area (/staff/messages/<reference>): its text exactly as stored, when and
how it came, the mail sent for it, its hold, its history, and the actions its state allows.

Each action is a plain POST form of its own carrying the version the page showed; a change made
meanwhile by someone else is a 409 that names it, keeps what was typed and overwrites nothing.
"""

from datetime import datetime
from urllib.parse import quote

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from ..content import STOCKHOLM
from ..contact import submissions
from ..db import get_db
from ..i18n import lazy_gettext as _l
from ..mail import outbox
from ..retention import holds
from ..staff import access_log
from ..staff.roles import allows, requires
from . import cases
from .forms import FORMS, form_for

bp = Blueprint("message", __name__, url_prefix="/messages")

# What the history calls each change, and what the page says once it is made.
CHANGE_NAMES = {
    "register": _l("Registered"),
    "answered": _l("Marked as answered"),
    "closed": _l("Closed"),
    "reopen": _l("Reopened"),
    "spam": _l("Marked as spam"),
    "not_spam": _l("Marked as not spam"),
    "note": _l("Internal note"),
}
DONE = {
    "register": _l("The message is registered."),
    "answered": _l("The message is marked as answered."),
    "closed": _l("The message is closed."),
    "reopen": _l("The message is reopened."),
    "spam": _l("The message is marked as spam. Its notification is not sent to the office."),
    "not_spam": _l("The message is marked as not spam. Its notification to the office is on its way."),
    "note": _l("Your note is saved."),
}
MAIL_KINDS = {"notification": _l("Notification to the office"), "receipt": _l("Receipt to the sender")}
MAIL_STATES = {"queued": _l("waiting to be sent"), "sent": _l("sent"), "failed": _l("failed"), "skipped": _l("not sent")}
access_log.ACTION_NAMES.update(message_viewed=_l("Read a message"), message_changed=_l("Changed a message"))


@bp.context_processor
def names():
    return {
        "change_name": lambda action: str(CHANGE_NAMES.get(action, action)),
        "mail_kind": lambda kind: str(MAIL_KINDS.get(kind, kind)),
        "mail_state": lambda state: str(MAIL_STATES.get(state, state)),
        "mailto": lambda address: "mailto:" + quote(address, safe="@"),
    }


def today() -> str:
    return datetime.now(STOCKHOLM).date().isoformat()


def blank_forms(message: dict, case: dict) -> dict:
    """A form for each action the message's state allows, as of the version read now."""
    button = form_for("closed", formdata=None, version=case["version"])  # the buttons' forms are alike: one will do
    forms = {}
    for action, (allowed_from, _to) in cases.ACTIONS.items():
        if message["status"] in allowed_from:
            forms[action] = form_for(action, formdata=None, version=case["version"]) if action in FORMS else button
    if "register" in forms:
        forms["register"].diary_number.data = case["diary_number"] or ""
        forms["register"].registered_on.data = case["registered_on"] or today()
    return forms


def page(reference: str, typed=None, action: str | None = None, conflict=None, problem=None, status=200):
    """The message's page; `typed` is the form of `action` as the person sent it (with its errors)."""
    db = get_db()
    message = submissions.get(db, reference)
    if message is None:
        return render_template("staff/message_missing.html", reference=reference), 404
    case = cases.case(db, message["id"])
    forms = blank_forms(message, case) if allows(g.staff.role, "registrar") else {}
    if typed is not None and action in forms:
        typed.version.data = case["version"]  # sent again, it applies to what the person now sees
        forms[action] = typed
    context = {
        "message": message,
        "case": case,
        "history": cases.history(db, message["id"]),
        "mail": outbox.for_submission(db, message["id"]),
        "holds": holds.history(db, message["id"]),
        "forms": forms,
        "typed": typed,
        # Sent for an action the state no longer allows: shown in the conflict's answer, not lost.
        "typed_elsewhere": [f for f in typed if f.name not in ("csrf_token", "version")] if typed and action not in forms else [],
        "conflict": conflict,
        "problem": problem,
        "done": DONE.get(request.args.get("done", "")) if status == 200 else None,
    }
    return render_template("staff/message.html", **context), status


@bp.get("/<reference>")
@requires("reader")
def show(reference):
    body, status = page(reference)
    if status == 200:
        access_log.record("message_viewed", references=[reference.upper()])
    return body, status


@bp.post("/<reference>/<action>")
@requires("registrar")
def act(reference, action):
    if action not in cases.ACTIONS:
        abort(404)
    form = form_for(action)
    if not form.validate_on_submit():
        if form.csrf_token.errors or form.version.errors:
            abort(400)  # no page of ours sends these
        return page(reference, form, action, status=422)
    try:
        cases.change(get_db(), reference, action, actor=g.staff.name, version=form.version.data, **form.change())
    except cases.NotFound:
        return page(reference)
    except cases.Conflict as conflict:
        return page(reference, form, action, conflict=conflict, status=409)
    except cases.NotAllowed:
        return page(reference, problem=_l("That cannot be done to a message in its present state."), status=409)
    access_log.record("message_changed", references=[reference.upper()], details={"action": action, **form.logged()})
    return redirect(url_for(".show", reference=reference.upper(), done=action), 303)
