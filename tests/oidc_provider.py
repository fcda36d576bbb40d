"""A real OpenID Provider for the tests: panva's oidc-provider (npm) run by tests/oidc/provider.mjs.

`OpenIDProvider` starts it on a free port of 127.0.0.1 with one confidential client
(client_secret_basic, PKCE S256 required) and the given accounts; `oidc_provider_for` is the
session-scoped fixture; `sign_in_over_http` plays its development login and consent pages,
`sign_out_over_http` its sign-out page.
A login that is not one of the accounts is signed in with only sub (the login) and roles [].
"""

import json
import secrets
import select
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from webapp import ROOT

PROGRAM = ROOT / "tests" / "oidc" / "provider.mjs"

# login → claims. The names are not ASCII on purpose.
DEFAULT_ACCOUNTS = {
    "reader@goteborg.se": {"name": "Rut Läsare", "email": "reader@goteborg.se", "roles": ["reader"]},
    "registrar@goteborg.se": {"name": "Åke Diarieförare", "email": "registrar@goteborg.se", "roles": ["registrar"]},
    "admin@goteborg.se": {"name": "Märta Förvaltare", "email": "admin@goteborg.se", "roles": ["admin"]},
    "nobody@goteborg.se": {"name": "Örjan Utanför", "email": "nobody@goteborg.se", "roles": []},
}


class OpenIDProvider:
    """oidc-provider on http://127.0.0.1:PORT, its client allowed to come back only to
    `redirect_uri` and, after signing out, to `post_logout_redirect_uri`.

    `accounts` maps a login (the account id and `sub`) to its claims: name, email,
    roles (a list) and optionally groups. After start(): issuer, discovery (the parsed
    /.well-known/openid-configuration). Its configuration and `log` (the provider's own
    notices) are written to `folder`.
    """

    def __init__(self, accounts: dict[str, dict], redirect_uri: str, post_logout_redirect_uri: str,
                 *, folder: Path):
        self.accounts = accounts
        self.redirect_uri = redirect_uri
        self.post_logout_redirect_uri = post_logout_redirect_uri
        self.client_id = "staff"
        self.client_secret = secrets.token_urlsafe(32)
        self.folder = Path(folder)
        self.log = self.folder / "provider.log"
        self.issuer = ""
        self.discovery: dict = {}
        self.process: subprocess.Popen | None = None

    def start(self) -> "OpenIDProvider":
        config = self.folder / "provider.json"
        config.write_text(json.dumps({
            "client": {
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "redirect_uris": [self.redirect_uri],
                "post_logout_redirect_uris": [self.post_logout_redirect_uri],
            },
            "accounts": self.accounts,
        }, ensure_ascii=False), encoding="utf-8")
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                ["node", str(PROGRAM), "--config", str(config), "--port", "0", "--log", str(self.log)],
                cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
            )
        try:
            self.issuer = self._read_ready_line()
            response = requests.get(self.issuer + "/.well-known/openid-configuration", timeout=10)
            response.raise_for_status()
            self.discovery = response.json()
        except BaseException:
            self.stop()  # __exit__ is not called when __enter__ fails
            raise
        return self

    def _read_ready_line(self, seconds: float = 30.0) -> str:
        """The issuer from the program's "ready <issuer>" line."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            readable, _, _ = select.select([self.process.stdout], [], [], 0.1)
            if readable:
                line = self.process.stdout.readline().decode()
                if line.startswith("ready "):
                    return line.split()[1]
            if self.process.poll() is not None:
                break
        raise RuntimeError(f"oidc-provider did not start:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.stdin.close()  # the program exits when its stdin closes
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        self.process = None

    def __enter__(self) -> "OpenIDProvider":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@pytest.fixture(scope="session")
def oidc_provider_for(tmp_path_factory):
    """oidc_provider_for(public_url, accounts=DEFAULT_ACCOUNTS) -> a started OpenIDProvider whose
    client returns to PUBLIC_URL/staff/auth/callback and, after signing out, to PUBLIC_URL/staff/auth/signed-out.
    One provider per public URL and accounts for the session, stopped at its end."""
    started: dict[str, OpenIDProvider] = {}

    def provider_for(public_url: str, accounts: dict[str, dict] = DEFAULT_ACCOUNTS) -> OpenIDProvider:
        public_url = public_url.rstrip("/")
        key = json.dumps([public_url, accounts], sort_keys=True)
        if key not in started:
            started[key] = OpenIDProvider(
                accounts, f"{public_url}/staff/auth/callback", f"{public_url}/staff/auth/signed-out",
                folder=tmp_path_factory.mktemp("oidc-provider"),
            ).start()
        return started[key]

    yield provider_for
    for provider in started.values():
        provider.stop()


class _Form(HTMLParser):
    """The first form of a page: its action and its inputs' names and values."""

    def __init__(self, page: str):
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attrs.get("action")
        elif tag == "input" and "name" in attrs:
            self.fields.setdefault(attrs["name"], attrs.get("value") or "")


def sign_in_over_http(authorization_url: str, login: str, session: requests.Session | None = None) -> str:
    """Signs in as `login` on the provider's development pages (any password), consents, and
    returns the URL the provider then sends the browser to (the client's redirect URI with code
    and state, or with error), without requesting it. `session` keeps the provider's cookies
    between calls (signed in once, the next authorization asks for no login)."""
    session = session or requests.Session()
    response = session.get(authorization_url, allow_redirects=False, timeout=10)
    logged_in = False
    for _ in range(10):
        response, leaving = _follow_within(session, response)
        if leaving:
            return leaving
        form = _Form(response.text)
        if form.fields.get("prompt") == "login":
            if logged_in:
                raise RuntimeError(f"the provider asked again for the login:\n{response.text}")
            form.fields.update(login=login, password="any")
            logged_in = True
        elif form.fields.get("prompt") != "consent":
            raise RuntimeError(f"unexpected page from the provider:\n{response.text}")
        response = session.post(urljoin(response.url, form.action), data=form.fields,
                                allow_redirects=False, timeout=10)
    raise RuntimeError("the provider kept asking")


def sign_out_over_http(end_session_url: str, session: requests.Session) -> str:
    """Answers yes on the provider's sign-out page for `end_session_url` (the end_session_endpoint
    with id_token_hint, post_logout_redirect_uri, state) in `session`, the one that signed in, and
    returns the URL the provider then sends the browser to (post_logout_redirect_uri with state,
    or the provider's own "signed out" page), without requesting it."""
    response, leaving = _follow_within(session, session.get(end_session_url, allow_redirects=False, timeout=10))
    if leaving:
        return leaving
    form = _Form(response.text)
    response = session.post(urljoin(response.url, form.action), data={**form.fields, "logout": "yes"},
                            allow_redirects=False, timeout=10)
    response, leaving = _follow_within(session, response)
    return leaving or response.url


def _follow_within(session: requests.Session, response: requests.Response):
    """Follows the redirects that stay on the provider: (its page, None), or (None, the URL
    of the first redirect elsewhere)."""
    provider = urlsplit(response.url).netloc
    for _ in range(10):
        if not response.is_redirect:
            response.raise_for_status()
            return response, None
        location = urljoin(response.url, response.headers["Location"])
        if urlsplit(location).netloc != provider:
            return None, location
        response = session.get(location, allow_redirects=False, timeout=10)
    raise RuntimeError("the provider kept redirecting")

