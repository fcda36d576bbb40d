"""The mail's headers are parsed once and kept from mail to mail (webapp/mail/messages.py's
HeaderClasses): a mail built with kept headers must be, byte for byte, the mail the email
package's own policy builds, however often a header is reused and whichever policy sends it."""

from email import policy
from email.headerregistry import Address
from email.message import EmailMessage

import pytest

from tests.helpers import make_app
from webapp.mail import messages

HEADERS = [
    ("From", "Göteborgs Stad <noreply@example.se>"),
    ("To", '"Stadsledningskontoret, internationella" <office@example.se>'),
    ("Reply-To", "visitor@example.org"),
    ("Subject", "Meddelande via goteborg.se, Internationella relationer: GBG-2026-0001 " + "långt ämne " * 12),
    ("Auto-Submitted", "auto-generated"),
    ("X-Auto-Response-Suppress", "All"),
    ("Message-ID", "<GBG-2026-0001.notification.1@example.se>"),
    ("Content-Language", "fi"),
]


def mail(header_policy) -> EmailMessage:
    msg = EmailMessage(policy=header_policy)
    for name, value in HEADERS:
        msg[name] = value
    msg.set_content("Hej\r\n".encode(), "text", "plain", cte="base64", params={"charset": "utf-8"})
    return msg


@pytest.mark.parametrize("sending", [policy.SMTP, policy.SMTPUTF8], ids=["SMTP", "SMTPUTF8"])
def test_kept_headers_serialise_as_fresh_ones(sending):
    fresh = mail(policy.default).as_bytes(policy=sending)
    first, again = mail(messages.POLICY), mail(messages.POLICY)
    assert first.as_bytes(policy=sending) == fresh
    assert again.as_bytes(policy=sending) == fresh
    assert again.as_bytes(policy=sending) == fresh  # folded once, then read back
    assert all(again[name] is first[name] for name, _ in HEADERS)  # the same objects, so kept
    # The non-ASCII subject is encoded (RFC 2047) unless sent as UTF-8: folding was exercised.
    assert (b"=?utf-8?" in fresh) == (sending is policy.SMTP)


@pytest.mark.parametrize(
    "configured",
    ["Göteborgs Stad <noreply@example.se>", '"Stad, SLK" <slk@example.se>', "plain@example.se", "Ström <post@exämple.se>"],
)
def test_a_configured_address_as_text_is_the_address(tmp_path, configured):
    """kinds.build sets From and To from the configured addresses' text (kept), not the Address
    objects (parsed anew each time): both must make the same header."""
    with make_app(tmp_path, MAIL_DEFAULT_SENDER=configured).app_context():
        address = messages.configured_address("MAIL_DEFAULT_SENDER")
    as_text, as_object = EmailMessage(policy=messages.POLICY), EmailMessage(policy=policy.default)
    as_text["From"], as_object["From"] = str(address), address
    assert as_text["From"].addresses == as_object["From"].addresses == (address,)
    for sending in (policy.SMTP, policy.SMTPUTF8):
        assert as_text.as_bytes(policy=sending) == as_object.as_bytes(policy=sending)
    assert isinstance(address, Address)
