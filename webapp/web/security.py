"""Security headers on every response, and the pages' cache rule."""

from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app, g, request
from flask.sessions import SessionInterface

# Features the site never uses; a page (or anything injected into it) cannot turn them on.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)

# Two years, as HSTS preload lists ask; only sent when the site is served over TLS.
HSTS = "max-age=63072000"


def tile_origin(url: str | None) -> str | None:
    """The scheme://host[:port] of a map tile URL template, or None when no map is configured.

    A template that varies its host (https://{s}.tile.example/...) would need a wildcard,
    which is wider than the one host we allow, so it is refused rather than widened.
    """
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or "{" in parts.netloc or "@" in parts.netloc:
        raise ValueError(f"MAP_TILE_URL must be an http(s) URL on one fixed host, not {url!r}")
    return f"{parts.scheme}://{parts.netloc}".lower()


@lru_cache(maxsize=8)
def content_security_policy(map_tile_url: str | None = None, form_targets: tuple[str, ...] = ()) -> str:
    """The site's CSP: only our own scripts and styles, never inline ones.

    Images may also come from the one map tile host, when a map is configured. A form
    posts to this site only, unless the view has named other origins its form's answer
    redirects to (g.form_targets; browsers check form-action on redirects too).
    """
    img_src = ["'self'", "data:"]
    origin = tile_origin(map_tile_url)
    if origin:
        img_src.append(origin)
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": img_src,
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'", *form_targets],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def set_headers(response):
    config = current_app.config
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(config.get("MAP_TILE_URL"), g.get("form_targets", ()))
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if config["HTTPS"]:
        headers["Strict-Transport-Security"] = HSTS

    if "Cache-Control" not in headers and request.endpoint != "static":
        # Pages change with every deployment and cost little to render: always ask again.
        # Static files keep Flask's own validators (ETag, Last-Modified). A page with
        # one view's values in it (the form) says no-store itself.
        headers["Cache-Control"] = "no-cache"
    return response


class NoSession(SessionInterface):
    """Visitors get no cookie, and none is read: Flask's own session would still make a signer
    and look for its cookie on every request. `session` is then Flask's NullSession, which
    refuses to be written to."""

    def open_session(self, app, request):
        return None

    def save_session(self, app, session, response):
        return None


def init_app(app) -> None:
    app.session_interface = NoSession()
    # Fail at start-up, not on the first request, when the map setting is unusable.
    content_security_policy(app.config.get("MAP_TILE_URL"))
    app.after_request(set_headers)
