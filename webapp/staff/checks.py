"""The staff settings' start-up checks: a sign-in that cannot work is refused before the site serves."""

import re
from urllib.parse import urlsplit

from .roles import ROLES


def whole_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def problems(app) -> list[str]:
    config = app.config
    found = []
    issuer = config["STAFF_OIDC_ISSUER"]
    if issuer:
        parts = urlsplit(issuer)
        local = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if parts.scheme != "https" and not (parts.scheme == "http" and local):
            found.append(f"WEBAPP_STAFF_OIDC_ISSUER must be an https:// address (it is {issuer!r}).")
        if not config["STAFF_OIDC_CLIENT_ID"] or not config["STAFF_OIDC_CLIENT_SECRET"]:
            found.append("WEBAPP_STAFF_OIDC_ISSUER is set, so WEBAPP_STAFF_OIDC_CLIENT_ID and WEBAPP_STAFF_OIDC_CLIENT_SECRET must be too (the app's registration at the provider).")
        if not config["PUBLIC_URL"] and not (app.debug or app.testing):
            found.append("WEBAPP_STAFF_OIDC_ISSUER is set, so WEBAPP_PUBLIC_URL must be too: the provider returns to <public URL>/staff/auth/callback.")
    mapping = config["STAFF_ROLES"]
    if not isinstance(mapping, dict) or not mapping or any(role not in ROLES for role in mapping.values()):
        found.append(f"WEBAPP_STAFF_ROLES must be a JSON object from claim values to {', '.join(ROLES)} (it is {mapping!r}).")
    for name in ("STAFF_IDLE_MINUTES", "STAFF_LOG_DAYS"):
        if not whole_number(config[name]):
            found.append(f"WEBAPP_{name} must be a whole number of at least 1 (it is {config[name]!r}).")
    pattern = config["STAFF_DIARY_PATTERN"]
    try:
        re.compile(pattern)
    except (re.error, TypeError) as exc:  # a bare number arrives as a JSON number
        found.append(f"WEBAPP_STAFF_DIARY_PATTERN must be a regular expression such as SLK-\\d{{4}}-\\d+ ({pattern!r}: {exc}).")
    return found
