"""Property: whatever is typed, never a 5xx, and a row is stored exactly when the input is valid."""

import re

from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.helpers import Visitor
from webapp.db import connect

PY_SPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())


def expected_message(raw: str) -> str:
    """The documented normalisation, written independently of the app."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip(PY_SPACE)


def is_valid(message: str, email: str) -> bool:
    text = expected_message(message)
    if not text or len(text) > 5000 or re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text):
        return False
    email = email.strip()
    if not email:
        return True
    if len(email) > 254 or "\r" in email or "\n" in email:
        return False
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


# Text as a browser can send it: any Unicode except lone surrogates (UTF-8 cannot carry them).
typed = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
messages = st.one_of(
    typed,
    st.builds(lambda s, n: s * n, st.sampled_from(["a", "é", "😀", " ", "\r\n", "\x00"]), st.integers(4990, 5010)),
    st.builds(lambda pre, body, post: pre + body + post, st.sampled_from(["", " ", "\r\n", "\t\n"]), typed, st.sampled_from(["", " ", "\r\n", "\u3000"])),
)
emails = st.one_of(st.just(""), typed, st.emails().map(str), st.builds(lambda u: f"{u}@example.se", typed))


def count(app) -> int:
    db = connect(app.config["DATABASE"])
    try:
        return db["submissions"].count
    finally:
        db.close()


# One app (and database) serves all examples of a run; each example counts rows before and after.
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(message=messages, email=emails, htmx=st.booleans())
def test_any_input_is_4xx_or_stored_exactly(app, message, email, htmx):
    visitor = Visitor(app.test_client(), "en")
    before = count(app)
    response = visitor.submit(htmx=htmx, message=message, email=email)
    assert response.status_code < 500
    valid = is_valid(message, email)
    assert count(app) == before + (1 if valid else 0)
    if valid:
        assert response.status_code == (200 if htmx else 303)
        db = connect(app.config["DATABASE"])
        row = db.execute("SELECT message, email FROM submissions ORDER BY id DESC LIMIT 1").fetchone()
        db.close()
        assert row[0] == expected_message(message)
        assert row[1] == (email.strip() or None)
    else:
        assert response.status_code == 422
