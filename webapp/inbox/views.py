"""The staff inbox's list at /staff/: filters and search (a GET form, and htmx's active search),
keyset pages, bulk actions for registrars, the exports; every look and change in the access log."""

import time
from functools import cache

from flask import Blueprint, abort, current_app, g, render_template, request
from flask_babel import gettext as _
from htmx_flask import make_response

from ..db import get_db
from ..i18n import lazy_gettext as _l
from ..retention import days, deletion, rules as retention_rules
from ..staff import access_log
from ..staff.roles import requires
from . import cases, export, listing, names
from .list_forms import BULK_ACTIONS, SORTS, BulkForm, FilterForm
from .window import window

bp = Blueprint("inbox", __name__)

access_log.ACTION_NAMES.update(
    inbox_listed=_l("Read the list of messages"),
    inbox_searched=_l("Searched the messages"),
    inbox_bulk=_l("Changed ticked messages"),
    inbox_exported=_l("Exported messages"),
    access_request=_l("Downloaded what one address sent"),
)
FIRST_LINE = 120  # characters of a message's first line shown in its row
BAD_PAGE_LINK = _l("This link to a page of the list does not work. Start again from the first page.")


def first_line(text: str) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= FIRST_LINE else line[: FIRST_LINE - 1].rstrip() + "…"


def page_keys(form: FilterForm) -> dict[str, int] | None:
    """`after` or `before` from the page's link, or None when the link (with its order) cannot be a page's."""
    keys = {name: request.args[name] for name in ("after", "before") if name in request.args}
    if len(keys) > 1 or not all(value.isdigit() and len(value) < 19 for value in keys.values()) or form.sort.data not in SORTS:
        return None
    return {name: int(value) for name, value in keys.items()}


def shown(db, rows: list[dict]) -> list[dict]:
    """The rows as the list shows them: with the version a bulk action is checked against, and the
    day the retention rules delete it when that is within WEBAPP_RETENTION_WARN_DAYS."""
    ids, due = [row["id"] for row in rows], {}
    if rows and (rules := retention_rules.of(current_app)):
        until = retention_rules.warn_until(current_app, time.time())
        due = {row["reference"]: row for row in deletion.due(db, rules, until, among=ids)}
    versions = cases.versions(db, ids)
    # Each name looked up once a page, not once a row (a page's rendering is most of its time).
    state, language, received = cache(names.state_name), cache(names.language_label), names.time_formatter()
    return [
        {
            **row,
            "first_line": first_line(row["message"]),
            "version": versions.get(row["id"], 0),
            "deletion": due.get(row["reference"]),
            "state_label": state(row["status"]),
            "language_label": language(row["locale"]),
            "received": received(row["created_at"]),
        }
        for row in rows
    ]


def render(form: FilterForm, status: int = 200, **context):
    """The list's page, or for htmx only its results (what a search changes); caches keep the two apart."""
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    template = "staff/_inbox_results.html" if partial else "staff/inbox.html"
    context.setdefault("problem", None)
    context.update(count_cap=listing.COUNT_CAP, address=listing.address_in(form.q.data or ""))
    response = make_response(
        render_template(template, form=form, partial=partial, bulk_form=BulkForm(), bulk_actions=BULK_ACTIONS, **context), status
    )
    response.vary.add("HX-Request")
    return response


def list_page(form: FilterForm, status: int = 200, **context):
    """The filter's page as the request's link names it, logged with the references it shows."""
    keys = page_keys(form)
    if not form.validate() or keys is None:
        return render(form, 400, problem=None if keys is not None else BAD_PAGE_LINK)
    db = get_db()
    found = window(db, form.filter, **keys, newest_first=form.newest_first)
    access_log.record(
        "inbox_searched" if form.q.data else "inbox_listed",
        references=[row["reference"] for row in found.rows],
        details={"filter": form.args(), **keys},
    )
    return render(form, status, found=found, rows=shown(db, found.rows), hits=listing.count(db, form.filter), **context)


@bp.get("/", endpoint="listing")
@requires("reader")
def messages():
    return list_page(FilterForm(request.args))


def refusal(action: str, problem: Exception) -> str:
    """Why a ticked message was left as it was."""
    if isinstance(problem, cases.Conflict):
        who = ", ".join(sorted({change["actor"] for change in problem.changes})) or _("someone else")
        return _("Changed by %(who)s after you loaded the list: look at it again.", who=who)
    if isinstance(problem, cases.NotAllowed):
        sentences = {
            "spam": _("Not marked as spam: it is %(state)s, and only a new message can be."),
            "not_spam": _("Not released: it is %(state)s, not spam."),
            "closed": _("Not closed: it is %(state)s."),
        }
        return sentences[action] % {"state": names.state_name(problem.status)}
    return _("No longer there: the retention rules may have deleted it.")


def ticked() -> dict[str, int] | None:
    """{reference: version seen} from the ticked boxes, or None when one is not such a pair."""
    found = {}
    for value in request.form.getlist("ticked"):
        reference, _colon, version = value.rpartition(":")
        if not listing.REFERENCE.fullmatch(reference) or not version.isdigit():
            return None
        found[reference.upper()] = int(version)
    return found


@bp.post("/bulk")
@requires("registrar")
def bulk():
    action, seen = request.form.get("action"), ticked()
    if not BulkForm().validate_on_submit() or action not in BULK_ACTIONS or seen is None:
        abort(400)
    form = FilterForm(request.args)  # the list the rows were ticked on, shown again after
    if not seen:
        return list_page(form, 422, problem=_("Tick the messages to change first."))
    outcome = cases.change_many(get_db(), seen, action, actor=g.staff.name)
    changed = [reference for reference, problem in outcome.items() if problem is None]
    refused = {reference: problem for reference, problem in outcome.items() if problem is not None}
    # Which changed is in each message's history; the log keeps what was asked, of which messages.
    access_log.record("inbox_bulk", references=list(outcome), details={"action": action, "changed": len(changed), "not_changed": len(refused)})
    report = {"action": action, "changed": changed, "refused": [(r, refusal(action, p)) for r, p in refused.items()]}
    return list_page(form, report=report)


def download(body: str, fmt: str, name: str):
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@bp.get("/export.<any(csv, json):fmt>")
@requires("registrar")
def export_filtered(fmt):
    form = FilterForm(request.args)
    if not form.validate():
        return render(form, 400)
    body, held = export.filtered(get_db(), form.filter, fmt)
    access_log.record("inbox_exported", references=held, details={"format": fmt, "filter": form.args()})
    return download(body, fmt, f"messages-{days.today(time.time()).isoformat()}")


@bp.get("/access-request.json")
@requires("registrar")
def access_request():
    address = listing.address_in(request.args.get("address", ""))
    if address is None:
        abort(400)
    body, held = export.subject_access(get_db(), address)
    access_log.record("access_request", references=held, details={"address": address})
    return download(body, "json", "access-request")
