"""Configuration: defaults, then WEBAPP_* environment variables (and the production environment
file), then a kept secret key."""

import os
import secrets
from pathlib import Path

from .atomic_write import write_atomically

DEFAULTS = {
    # The previous secret keys, while a rotation lasts (Flask's own setting; a JSON list): what
    # they signed (the time trap's stamps in open pages) still verifies, the new key signs.
    "SECRET_KEY_FALLBACKS": [],
    # Bodies larger than this are refused with 413 before they are read.
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "HTTPS": False,
    # Seconds a request waits for another writer before the visitor is told to retry.
    "DATABASE_TIMEOUT": 5.0,
    # Map images for the "Show map" button, with the attribution their licence requires
    # (HTML, shown in the map's corner). An empty URL turns the map off; the link to
    # OpenStreetMap stays.
    "MAP_TILE_URL": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "MAP_ATTRIBUTION": '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
    # Per client address, on sending the form (Flask-Limiter syntax). A person
    # never gets near it; a script does.
    "CONTACT_RATE_LIMIT": "10 per minute; 100 per day",
    # The confirmation page, per client address: a person reloads it now and then, a script
    # guessing references does not get 250 a second.
    "THANKS_RATE_LIMIT": "60 per minute",
    # The counts are kept in a file beside the database (see configure) unless this says
    # otherwise; should that file fail, each worker counts on its own meanwhile.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_ENABLED": True,
    # The site's address as visitors see it (https://internationellt.goteborg.se): every absolute
    # URL (sitemap, hreflang, mail, the staff sign-in's redirect URI). Empty: taken from each
    # request. Its host is trusted (web/public_url.py).
    "PUBLIC_URL": "",
    # Host names the site answers to besides PUBLIC_URL's (a JSON list or "a,b"); others get 400.
    "TRUSTED_HOSTS": [],
    # The form the office's diary numbers must have (a regular expression matching the whole
    # number, e.g. "SLK-\\d{4}-\\d+"); empty: any text.
    "STAFF_DIARY_PATTERN": "",
    # The staff area's sign-in (webapp/staff/, README "The staff area"): the city's OpenID Provider.
    # No issuer: sign-in only with a one-time link from `flask staff link`.
    "STAFF_OIDC_ISSUER": "",
    "STAFF_OIDC_CLIENT_ID": "",
    "STAFF_OIDC_CLIENT_SECRET": "",
    "STAFF_OIDC_SCOPE": "openid profile email",
    # The ID token's claim holding a person's roles (Entra ID: app roles in "roles", or "groups"),
    # and what its values mean here.
    "STAFF_ROLE_CLAIM": "roles",
    "STAFF_ROLES": {"reader": "reader", "registrar": "registrar", "admin": "admin"},
    "STAFF_IDLE_MINUTES": 30,
    "STAFF_LOG_DAYS": 730,
    "STAFF_SIGNIN_RATE_LIMIT": "20 per minute",
    # How many reverse proxies in front of the app set X-Forwarded-* (0: none).
    "PROXY_COUNT": 0,
    # Mail (Flask-Mail's names; webapp/mail/outbox.py, README "Mail"). No server: .eml files in MAIL_FILE_DIR.
    "MAIL_SERVER": "",
    # Writing the mail to .eml files in this folder instead of sending it: a choice made on
    # purpose outside debug and testing (where it defaults to instance/mail).
    "MAIL_FILE_DIR": "",
    "MAIL_PORT": 587,
    "MAIL_USE_TLS": True,
    "MAIL_USE_SSL": False,
    "MAIL_CA_FILE": "",
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_TIMEOUT": 10,
    "MAIL_DEFAULT_SENDER": "",
    "MAIL_OFFICE": "",
    "MAIL_OFFICE_LANGUAGE": "sv",
    "MAIL_RECEIPTS": True,
    "MAIL_RETRY_MAX_SECONDS": 300,
    "MAIL_GIVE_UP_HOURS": 72,
    # Hour of the day (Europe/Stockholm) from which the office gets the day's digest of held-back spam.
    "MAIL_DIGEST_HOUR": 7,
    # The environment file read at start (load_env_file) and the database it names.
    "ENV_FILE": "",
    "SERVED_DATABASE": "",
    # A form sent sooner than this after the visitor got it is held back as spam (0: no time trap).
    "MAIL_SPAM_MIN_SECONDS": 3,
    # The archive rules (webapp/retention/rules.py, README "Retention"): none, so nothing is deleted automatically.
    "RETENTION_RULES": [],
    # Days ahead the staff list marks, and the office's weekly warning lists, what the rules delete.
    "RETENTION_WARN_DAYS": 14,
    # `flask check` fails when the newest `flask submissions backup` is older than this (0: not checked).
    "BACKUP_MAX_AGE_HOURS": 0,
    # `flask check` fails when the database's disk, or the newest backup's, has less free (0: not checked).
    "DISK_MIN_FREE_MB": 100,
}

# The one file of settings on a production host: the systemd unit, wsgi.py, gunicorn.conf.py and
# every `flask` command (cron lines, an operator's shell) read it, so all act on the same database.
ENV_FILE = "/etc/webapp/env"

# Kept exactly as written in the environment: from_prefixed_env would turn a
# password like 1234 into a number, and a diary pattern like [1] into a list.
RAW_STRINGS = ("MAIL_USERNAME", "MAIL_PASSWORD", "STAFF_OIDC_CLIENT_ID", "STAFF_OIDC_CLIENT_SECRET", "STAFF_DIARY_PATTERN")


def read_env_file(path: str | Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile reads them: `#` and `;` comments, blank
    lines, a value in matching quotes loses them (write values without backslashes)."""
    values = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"{path}, line {number}: not KEY=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def load_env_file() -> tuple[str, dict[str, str]]:
    """Put the environment file's settings into os.environ: the file WEBAPP_ENV_FILE names, else
    /etc/webapp/env when it exists; WEBAPP_ENV_FILE set but empty reads none (the tests, or a
    checkout beside the installed site). What the environment already holds wins (systemd has read
    the same file; an operator may override one setting for one command). Returns (path, its values)."""
    path = os.environ.get("WEBAPP_ENV_FILE", ENV_FILE if os.path.exists(ENV_FILE) else "")
    if not path:
        return "", {}
    try:
        values = read_env_file(path)
    except OSError as exc:
        raise RuntimeError(f"Cannot read the environment file {path} ({exc.strerror}); run as the site's user: sudo -u webapp ...") from None
    for key, value in values.items():
        os.environ.setdefault(key, value)
    return path, values


def served_database(values: dict[str, str]) -> str:
    """The database an environment file makes the site serve ("" when it does not say)."""
    if "WEBAPP_DATABASE" in values:
        return values["WEBAPP_DATABASE"]
    if "WEBAPP_INSTANCE_PATH" in values:
        return str(Path(values["WEBAPP_INSTANCE_PATH"]) / "webapp.sqlite3")
    return ""


def load_secret_key(instance_path: str | Path) -> str:
    """Read the instance folder's secret key, creating it (mode 0600) on first run.

    Several gunicorn workers may start at once: the first key written is the one
    they all read, and nobody ever reads a half-written key.
    """
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        write_atomically(path, secrets.token_hex(32).encode(), mode=0o600, replace=False)
    return path.read_text().strip()


def check_tile_url(url: str | None) -> None:
    """Refuse a tile URL Leaflet cannot fill in, at start-up rather than as a broken map.
    (security.tile_origin refuses one that is not a single http(s) host.)"""
    missing = [p for p in ("{z}", "{x}", "{y}") if url and p not in url]
    if missing:
        raise ValueError(f"MAP_TILE_URL lacks {', '.join(missing)}: {url!r}")


def configure(app, test_config: dict | None = None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config["DATABASE"] = str(Path(app.instance_path) / "webapp.sqlite3")
    # Where `flask assets build` writes the hashed, compressed static files.
    app.config["ASSETS_DIR"] = str(Path(app.root_path).parent / "build" / "static")
    if test_config is None:
        app.config.from_prefixed_env("WEBAPP")
        app.config.update({key: os.environ[f"WEBAPP_{key}"] for key in RAW_STRINGS if f"WEBAPP_{key}" in os.environ})
    else:
        app.config.from_mapping(test_config)
    # Beside the database, so every worker of this host counts against the same limit.
    ratelimit_file = Path(app.config["DATABASE"]).with_name("ratelimit.sqlite3")
    app.config.setdefault("RATELIMIT_STORAGE_URI", f"sqlite:///{ratelimit_file}")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
    if not app.config["MAIL_FILE_DIR"] and (app.debug or app.testing):
        app.config["MAIL_FILE_DIR"] = str(Path(app.instance_path) / "mail")
    check_tile_url(app.config["MAP_TILE_URL"])
