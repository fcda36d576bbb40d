"""What each kind of mail means, in one table.

A new kind is one entry here, its builder in webapp/mail/messages.py (with its texts in the
catalogs) and whatever queues it (webapp/mail/outbox.py). Everything else follows from the entry:
the To and Auto-Submitted headers, whether a failure is the office's alarm, the setting that
switches it off.
"""

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Callable

from flask import current_app

from . import messages
from .transport import Envelope, PermanentFailure, TemporaryFailure


@dataclass(frozen=True)
class Kind:
    name: str
    # Addressed to the office's mailbox (WEBAPP_MAIL_OFFICE); otherwise the builder sets To.
    to_office: bool
    # Written by a machine, not for a person's own message: RFC 3834's Auto-Submitted, so
    # auto-replies do not answer it.
    automatic: bool
    # A failure loses the office something: logged as an error and an alarm in `flask check`
    # (otherwise a warning: a receipt failing is the visitor's loss, the office still has the message).
    office_needs_it: bool
    # The WEBAPP_ setting whose false value switches this kind off (its rows are skipped).
    switch: str | None
    # Fills in the subject, the text and any kind-specific header; True when it needs SMTPUTF8.
    builder: Callable[[dict, EmailMessage, bool], bool]


KINDS = {
    kind.name: kind
    for kind in (
        Kind("notification", to_office=True, automatic=False, office_needs_it=True, switch=None, builder=messages.notification),
        Kind("receipt", to_office=False, automatic=True, office_needs_it=False, switch="MAIL_RECEIPTS", builder=messages.receipt),
        Kind("digest", to_office=True, automatic=True, office_needs_it=True, switch=None, builder=messages.digest),
        Kind("retention_warning", to_office=True, automatic=True, office_needs_it=True, switch=None, builder=messages.retention_warning),
    )
}


def for_the_office() -> list[str]:
    """The kinds whose failure or delay needs a person at the office."""
    return [kind.name for kind in KINDS.values() if kind.office_needs_it]


def build(row: dict, smtputf8: bool) -> tuple[EmailMessage, Envelope, str]:
    """The mail for a claimed outbox row, its envelope, and a short name for it (for .eml files).

    `smtputf8`: whether the transport takes addresses with non-ASCII local parts.
    Header values go only through the email package, which refuses CR and LF in them.
    """
    kind = KINDS[row["kind"]]
    sender, office = messages.configured_address("MAIL_DEFAULT_SENDER"), messages.configured_address("MAIL_OFFICE")
    msg = EmailMessage(policy=messages.POLICY)
    # As text, not Address objects: the same text in every mail is parsed once (messages.HeaderClasses).
    if sender:
        msg["From"] = str(sender)
    if kind.to_office and office:
        msg["To"] = str(office)
    if kind.automatic:
        msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: auto-replies must not answer
        msg["X-Auto-Response-Suppress"] = "All"  # the same for Microsoft Exchange
    msg["Date"] = datetime.fromisoformat(row["created_at"])
    msg["Message-ID"] = messages.message_id(row["reference"], row)
    try:
        international = kind.builder(row, msg, smtputf8)
    except ValueError as exc:  # the email package refused a header value
        raise PermanentFailure(f"the mail could not be built: {exc}") from None
    recipients = [a.addr_spec for a in msg["To"].addresses] if msg["To"] else []
    if current_app.config["MAIL_SERVER"] and not (sender and recipients):
        # flask check refuses a server without these; keep the mail until they are set
        raise TemporaryFailure("WEBAPP_MAIL_DEFAULT_SENDER and WEBAPP_MAIL_OFFICE must be set to send")
    envelope = Envelope(sender.addr_spec if sender else "", recipients, smtputf8=international)
    return msg, envelope, f"{row['reference'] or 'digest'}-{row['kind']}-{row['id']}"
