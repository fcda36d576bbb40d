"""The time trap: a form sent within seconds of being served was filled in by a script.

The time the visitor first got the form is signed into a hidden field and kept
through every re-render, so a quick correction after a validation error is
never taken for spam. Works without JavaScript.
"""

import time
from functools import lru_cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "contact-form-served"


def serializer() -> URLSafeSerializer:
    return _serializer(current_app.secret_key)


@lru_cache(maxsize=8)
def _serializer(secret_key: str) -> URLSafeSerializer:
    # Made once per key: building one (its signer, its JSON) cost a page view a tenth of a millisecond.
    return URLSafeSerializer(secret_key, salt=SALT)


def stamp(at: float | None = None) -> str:
    """The signed time a form is served (now unless `at`)."""
    return serializer().dumps(round(time.time() if at is None else at, 2))


def too_fast(value: str | None) -> bool:
    """Sent sooner than MAIL_SPAM_MIN_SECONDS after it was served, or with a stamp we did not sign."""
    minimum = float(current_app.config["MAIL_SPAM_MIN_SECONDS"])
    if not minimum:
        return False
    try:
        served = float(serializer().loads(value or ""))
    except (BadSignature, TypeError, ValueError):
        return True
    return time.time() - served < minimum
