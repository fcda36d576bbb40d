"""Cross-site request forgery stopped without a token or a cookie, as Go 1.25's
net/http.CrossOriginProtection does (README "Cross-site requests").

A browser says where a request comes from: Sec-Fetch-Site (every browser since 2023), or
else Origin. A non-safe request from another site is refused; one with neither header
was not sent by a browser's form (every browser has sent Origin on a form's POST since
2020), so there is no visitor's cookie to abuse, and it passes, as Go's does.
"""

from urllib.parse import urlsplit

from flask import current_app, request
from werkzeug.exceptions import Forbidden

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CrossOriginRequest(Forbidden):
    """A non-safe request another site's page made the browser send."""


def own_origin() -> tuple[str | None, str]:
    """(scheme, host) the site is reached at: the configured public URL, else the request's
    Host (ProxyFix has put the proxy's forwarded host there). No scheme: compare hosts only."""
    if public := current_app.config.get("PUBLIC_URL"):
        parts = urlsplit(public)
        return parts.scheme.lower(), parts.netloc.lower()
    return None, request.host.lower()


def is_cross_origin() -> bool:
    if request.method in SAFE_METHODS:
        return False
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site not in ("same-origin", "none")  # none: the visitor typed it or used a bookmark
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    parts = urlsplit(origin)  # "null" (a sandboxed or privacy-stripped page) has no host: refused
    scheme, host = own_origin()
    return parts.netloc.lower() != host or (scheme is not None and parts.scheme.lower() != scheme)


def check() -> None:
    if is_cross_origin():
        raise CrossOriginRequest()


def init_app(app) -> None:
    app.before_request(check)
