"""Error pages in the visitor's language, with a way back. (A feature answers its own
errors where it can do better, as the contact form does.)"""

from flask import render_template
from werkzeug.exceptions import HTTPException, InternalServerError

from ..i18n import lazy_gettext as _l

# What a visitor is told for each error we show a page for.
MESSAGES = {
    400: (
        _l("The request could not be read"),
        _l("Something in what was sent could not be read. Go back to the page and try again."),
    ),
    403: (  # web/cross_origin.py: sent from a page on another site
        _l("This was sent from another website"),
        _l("We only accept what is sent from this site's own pages. Go to the page and try again from there."),
    ),
    404: (
        _l("Page not found"),
        _l("The page you asked for does not exist. It may have moved, or the address may be mistyped."),
    ),
    405: (
        _l("That action is not possible here"),
        _l("This address cannot be used in that way. Go back and try again from the page."),
    ),
    413: (
        _l("Too much was sent"),
        _l("What you sent is larger than we can receive. Shorten your message and send it again."),
    ),
    415: (
        _l("The form could not be read"),
        _l("It was sent in a format this site does not accept. Go back to the page and send your message from there."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("We could not show the page. Try again in a while."),
    ),
}


def text(code: int):
    """What a visitor is told for `code`, or None when there is no page for it."""
    return MESSAGES[code][1] if code in MESSAGES else None


def render_error(code: int):
    title, text = MESSAGES.get(code, MESSAGES[500])
    return render_template("error.html", code=code, title=title, text=text), code


def handle_http_exception(exc: HTTPException):
    if exc.code not in MESSAGES:
        return exc
    body, code = render_error(exc.code)
    # Keep the headers the exception carries (Allow on a 405).
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return body, code, headers


def handle_unexpected(exc: InternalServerError):
    return render_error(500)


def init_app(app) -> None:
    # By class, not by code: Flask prefers a handler for the exact code, even the app's,
    # to a blueprint's handler for a class, and a feature's (the contact form's) must come first.
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_unexpected)
