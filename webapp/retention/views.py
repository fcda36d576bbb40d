"""The retention page of the staff area (admins): the rules, what they delete soon, holds, the deletion log.

`flask retention preview` and this page read the same functions, so they agree on what goes when.
"""

import time

from flask import Blueprint, current_app, g, redirect, render_template, url_for

from ..db import get_db
from ..i18n import lazy_gettext as _l
from ..staff import access_log
from ..staff.roles import requires
from . import deletion, holds, rules as retention_rules
from .forms import HoldForm, LiftForm

bp = Blueprint("retention", __name__, url_prefix="/retention")

# What the page says when a hold cannot be set or lifted.
REFUSALS = {
    holds.NoSuchMessage: _l("No message has that reference. Check it against the confirmation or the office's mail."),
    holds.AlreadyHeld: _l("That message is already held."),
    holds.NotHeld: _l("That message is not held."),
    holds.NoReason: _l("Enter why the message must be kept"),
}
access_log.ACTION_NAMES.update(
    retention_viewed=_l("Read the retention page"),
    hold=_l("Held a message"),
    unhold=_l("Lifted a hold"),
)


def page(form=None, problem=None, status=200):
    db = get_db()
    rules = retention_rules.of(current_app)
    until = retention_rules.warn_until(current_app, time.time())
    context = {
        "rules": rules,
        "due": deletion.due(db, rules, until) if rules else [],
        "until": until,
        "held": holds.held(db),
        "deleted": deletion.log(db, newest=200),
        "form": form or HoldForm(formdata=None),
        "lift_form": LiftForm(),
        "problem": problem,
    }
    return render_template("staff/retention.html", **context), status


@bp.get("/")
@requires("admin")
def overview():
    access_log.record("retention_viewed")
    return page()


@bp.post("/holds")
@requires("admin")
def hold():
    form = HoldForm()
    if not form.validate_on_submit():
        return page(form, status=422)
    try:
        holds.hold(get_db(), form.reference.data, form.reason.data, g.staff.name)
    except holds.HoldError as exc:
        return page(form, REFUSALS[type(exc)], 422)
    access_log.record("hold", references=[form.reference.data], details={"reason": form.reason.data.strip()})
    return redirect(url_for(".overview"))


@bp.post("/holds/<reference>/lift")
@requires("admin")
def lift(reference):
    if not LiftForm().validate_on_submit():
        return page(status=400)
    try:
        holds.unhold(get_db(), reference, g.staff.name)
    except holds.HoldError as exc:
        return page(problem=REFUSALS[type(exc)], status=422)
    access_log.record("unhold", references=[reference.upper()])
    return redirect(url_for(".overview"))
