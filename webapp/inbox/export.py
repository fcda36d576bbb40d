"""The inbox's downloads: the current filter as CSV or JSON, and everything one address
sent (a data subject's access request, GDPR article 15)."""

import io
import json

from sqlite_utils import Database

from ..contact import export, submissions
from ..mail import outbox
from . import cases, listing
from .listing import Filter

# What an access request gets of each mail: no lease or token bookkeeping.
MAIL_FIELDS = ("kind", "status", "created_at", "sent_at", "message_id")


def filtered(db: Database, f: Filter, fmt: str) -> tuple[str, list[str]]:
    """The filter's rows, newest first, with the registration; and the references it held (for the access log)."""
    columns = submissions.columns(db) + ("diary_number", "registered_on")
    held = []

    def rows():
        for row in listing.every(db, f):
            held.append(row["reference"])
            yield {**row, **cases.case(db, row["id"])}

    out = io.StringIO()
    export.write(out, fmt, columns, rows())
    return out.getvalue(), held


def subject_access(db: Database, address: str) -> tuple[str, list[str]]:
    """Every message `address` sent (any letter case), each with its registration, history and
    mail, as JSON; and the references it held."""
    columns = submissions.columns(db)
    found = []
    for row in listing.every(db, Filter(q=address)):
        found.append(
            {
                **{c: row[c] for c in columns},
                **{k: v for k, v in cases.case(db, row["id"]).items() if k != "version"},
                "history": [
                    {k: h[k] for k in ("at", "actor", "action", "from_status", "to_status", "detail")}
                    for h in cases.history(db, row["id"])
                ],
                "mail": [{k: m[k] for k in MAIL_FIELDS} for m in outbox.for_submission(db, row["id"])],
            }
        )
    document = {"address": address, "messages": found}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n", [m["reference"] for m in found]
