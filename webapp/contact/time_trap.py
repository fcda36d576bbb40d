"""The time trap: a form sent within seconds of being served was filled in by a script.

The time the visitor first got the form is signed, with the form's key, into a hidden field and
kept through every re-render, so a quick correction after a validation error is never taken for
spam. Works without JavaScript.

What a stamp says (`judge`): SPAM when the form came back too fast, or carries a stamp this site
signed for another form (one stamp replayed with fresh form keys); AGAIN when nothing can be told
(no key verifies it: a rotated key, another host's, a lost field) or the page was served more than
a day ago: the visitor is asked to send again, with their text kept, and is never made spam by the
site's own state; PASSED otherwise.
"""

import base64
import hashlib
import hmac
import json
import time
from functools import lru_cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "contact-form-served"
# A page open longer than this is left open, not being filled in: its stamp could be anybody's by now.
STALE_SECONDS = 24 * 3600
SPAM, AGAIN, PASSED = "spam", "again", "passed"


def serializer() -> URLSafeSerializer:
    return _serializer(current_app.secret_key, tuple(current_app.config["SECRET_KEY_FALLBACKS"]))


@lru_cache(maxsize=8)
def _serializer(secret_key: str, fallbacks: tuple[str, ...]) -> URLSafeSerializer:
    # Made once per key: building one (its signer, its JSON) cost a page view a tenth of a millisecond.
    # Signs with the current key and verifies with it and the previous ones (a rotation).
    return URLSafeSerializer([*fallbacks, secret_key], salt=SALT)


@lru_cache(maxsize=8)
def _signature(secret_key: str | bytes):
    # itsdangerous' Signer with its defaults (HMAC-SHA1, the key derived "django-concat"),
    # keyed once: its dumps() builds a new signer for every call, a quarter of a page view's time.
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(hashlib.sha1(SALT.encode() + b"signer" + key).digest(), digestmod=hashlib.sha1)


def _base64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def served_time(at: float) -> float:
    """`at` to the hundredth of a second, rounded down: rounded to nearest, a stamp made at once
    for a re-render (restamp) could say up to 5 ms later than it was, and a send within those 5 ms
    was judged too fast: spam (a CI run caught it)."""
    # Not floor(at * 100) / 100: the product's float error could move a kept time a hundredth back.
    nearest = round(at, 2)
    return nearest if nearest <= at else round(nearest - 0.01, 2)


def stamp(form_key: str, at: float | None = None, secret_key: str | bytes | None = None) -> str:
    """The signed time the form with `form_key` is served (now unless `at`), signed with the app's
    key unless `secret_key`: what serializer().dumps() makes (tests/test_time_trap.py compares),
    without its try at compressing a payload too short for that (loads() reads either)."""
    payload = _base64(json.dumps([served_time(time.time() if at is None else at), form_key], separators=(",", ":")).encode())
    mac = _signature(current_app.secret_key if secret_key is None else secret_key).copy()
    mac.update(payload)
    return (payload + b"." + _base64(mac.digest())).decode()


def _read(value: str | None) -> tuple[float, str] | None:
    """The time and form key a stamp was signed with by any of the site's keys, or None."""
    try:
        served, form_key = _payload(value or "")
        return float(served), form_key
    except (BadSignature, TypeError, ValueError):
        return None


def _payload(value: str):
    """What serializer().loads() reads, first checked with the current key's kept HMAC (what stamp()
    signs with): loads() builds a signer and derives its key for every call, 7 % of a POST's
    Python time. Other keys (a rotation) and compressed payloads go to loads()."""
    payload, _, signature = value.encode().rpartition(b".")
    mac = _signature(current_app.secret_key).copy()
    mac.update(payload)
    if payload and not payload.startswith(b".") and hmac.compare_digest(_base64(mac.digest()), signature):
        return json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
    return serializer().loads(value)


def judge(value: str | None, form_key: str) -> str:
    """SPAM, AGAIN or PASSED for the stamp a form came back with (see the module's docstring)."""
    minimum = float(current_app.config["MAIL_SPAM_MIN_SECONDS"])
    if not minimum:
        return PASSED
    read = _read(value)
    if read is None:
        return AGAIN
    served, signed_for = read
    age = time.time() - served
    if signed_for != form_key or age < minimum:
        return SPAM
    return AGAIN if age > STALE_SECONDS else PASSED


def restamp(value: str | None, form_key: str) -> str:
    """The stamp a re-rendered form carries: its own time, signed with the current key, when that
    can be read; otherwise a new one that a send at once passes (the visitor has had the form at
    least that long: they sent it), so the next try is never judged by a stamp that failed."""
    read = _read(value)
    if read is not None and read[1] == form_key and time.time() - read[0] <= STALE_SECONDS:
        return stamp(form_key, read[0])
    return stamp(form_key, time.time() - float(current_app.config["MAIL_SPAM_MIN_SECONDS"]))
