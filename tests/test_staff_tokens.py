"""The ID token is checked completely: tokens made here, with a key of our own, served by a
small provider of the test's own (discovery document, JWKS, token endpoint on 127.0.0.1),
so each one can be wrong in exactly one way. (The real provider: test_staff_oidc.py.)"""

import base64
import functools
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from tests.helpers import make_app, translate
from tests.staff_helpers import staff_cookie

CLIENT_ID = "webapp-test"
CLIENT_SECRET = "a-client-secret-long-enough-for-hmac-sha256"


@functools.cache
def rsa_key(name: str) -> RSAKey:
    """An RSA key made once per test run (making one takes a while); the same kid for both, so
    only the signature tells the provider's key from the forger's."""
    return RSAKey.generate_key(2048, parameters={"kid": "test-key"})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class HandMadeProvider:
    """Serves a discovery document and a JWKS, and answers the token request with whatever
    ID token `self.id_token(nonce)` makes; keeps each token request's form."""

    def __init__(self):
        self.key = rsa_key("provider")
        self.token_requests: list[dict] = []
        self.issuer_in_discovery = None
        self.id_token = lambda nonce: self.sign(self.claims(nonce))
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    self.reply(provider.discovery())
                elif self.path == "/jwks":
                    self.reply({"keys": [provider.key.as_dict(private=False)]})
                else:
                    self.send_error(404)

            def do_POST(self):
                form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
                provider.token_requests.append({k: v[0] for k, v in form.items()})
                answer = {"access_token": "access", "token_type": "Bearer", "expires_in": 300}
                token = provider.id_token(provider.last_nonce)
                if token is not None:
                    answer["id_token"] = token
                self.reply(answer)

            def reply(self, body):
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.last_nonce = None
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer_in_discovery or self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token",
            "jwks_uri": self.issuer + "/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            # Offered, as a careless provider might: only RS256 may count.
            "id_token_signing_alg_values_supported": ["RS256", "HS256", "none"],
            "code_challenge_methods_supported": ["S256"],
        }

    def claims(self, nonce, **changes) -> dict:
        now = int(time.time())
        claims = {
            "iss": self.issuer, "sub": "entra-oid-1234", "aud": CLIENT_ID, "iat": now, "exp": now + 300,
            "nonce": nonce, "name": "Rut Läsare", "roles": ["registrar"],
        }
        claims.update(changes)
        return {k: v for k, v in claims.items() if v is not None}

    def sign(self, claims, key=None, alg="RS256") -> str:
        return jwt.encode({"alg": alg, "kid": "test-key"}, claims, key or self.key)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider():
    made = HandMadeProvider()
    yield made
    made.close()


@pytest.fixture
def app(tmp_path, assets_dir, provider):
    return make_app(
        tmp_path,
        ASSETS_DIR=str(assets_dir),
        PUBLIC_URL="http://localhost",
        STAFF_OIDC_ISSUER=provider.issuer,
        STAFF_OIDC_CLIENT_ID=CLIENT_ID,
        STAFF_OIDC_CLIENT_SECRET=CLIENT_SECRET,
    )


def begin(client, provider) -> dict:
    """Start a sign-in; returns the authorization request's parameters (the browser's next stop)."""
    response = client.get("/staff/auth/login")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(provider.issuer + "/authorize?")
    params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    provider.last_nonce = params["nonce"]
    return params


def come_back(client, params):
    """The provider's redirect back to us, with a code for this sign-in's state."""
    return client.get(f"/staff/auth/callback?code=the-code&state={params['state']}")


def refusals(app) -> list[str]:
    result = app.test_cli_runner().invoke(args=["staff", "log", "--json"])
    entries = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    return [e["details"]["reason"] for e in entries if e["action"] == "signin_refused"]


def test_a_good_token_signs_in_and_pkce_and_the_nonce_were_sent(app, client, provider):
    params = begin(client, provider)
    assert params["code_challenge_method"] == "S256" and len(params["nonce"]) >= 20
    assert params["redirect_uri"] == "http://localhost/staff/auth/callback"
    assert params["client_id"] == CLIENT_ID and "openid" in params["scope"].split()
    response = come_back(client, params)
    assert response.status_code == 302 and response.headers["Location"] == "/staff/"
    (token_request,) = provider.token_requests
    verifier = token_request["code_verifier"]
    assert b64(hashlib.sha256(verifier.encode()).digest()) == params["code_challenge"]
    assert token_request["code"] == "the-code"
    landing = client.get("/staff/")
    assert landing.status_code == 200 and "Rut Läsare" in landing.text
    assert refusals(app) == []


BAD_TOKENS = {
    "wrong audience": lambda p, n: p.sign(p.claims(n, aud="another-app", azp=CLIENT_ID)),
    "several audiences, no azp": lambda p, n: p.sign(p.claims(n, aud=[CLIENT_ID, "another-app"])),
    "several audiences, azp another": lambda p, n: p.sign(p.claims(n, aud=[CLIENT_ID, "another-app"], azp="another-app")),
    "wrong issuer": lambda p, n: p.sign(p.claims(n, iss="https://login.example.com")),
    "bad signature": lambda p, n: p.sign(p.claims(n), key=rsa_key("forger")),
    "alg none": lambda p, n: b64(b'{"alg":"none"}') + "." + b64(json.dumps(p.claims(n)).encode()) + ".",
    "HS256 with the client secret": lambda p, n: p.sign(p.claims(n), key=OctKey.import_key(CLIENT_SECRET), alg="HS256"),
    "expired": lambda p, n: p.sign(p.claims(n, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)),
    "issued in the future": lambda p, n: p.sign(p.claims(n, iat=int(time.time()) + 3600, exp=int(time.time()) + 7200)),
    "no exp": lambda p, n: p.sign(p.claims(n, exp=None)),
    "no nonce": lambda p, n: p.sign(p.claims(None)),
    "another nonce": lambda p, n: p.sign(p.claims("a-nonce-of-another-sign-in-0123")),
    "no ID token": lambda p, n: None,
}


@pytest.mark.parametrize("case", BAD_TOKENS)
def test_a_bad_id_token_is_refused(app, client, provider, case):
    provider.id_token = lambda nonce: BAD_TOKENS[case](provider, nonce)
    response = come_back(client, begin(client, provider))
    assert response.status_code == 400
    assert translate("sv", "Sign-in did not succeed") in response.text
    assert staff_cookie(client) is None and client.get("/staff/").status_code == 302
    assert len(refusals(app)) == 1


def test_a_token_replayed_with_its_nonce_is_refused(app, client, provider):
    first = begin(client, provider)
    first_nonce = first["nonce"]
    assert come_back(client, first).status_code == 302
    other = app.test_client()
    provider.id_token = lambda nonce: provider.sign(provider.claims(first_nonce))  # the token of the first sign-in
    response = come_back(other, begin(other, provider))
    assert response.status_code == 400 and staff_cookie(other) is None
    # And the first sign-in's state cannot be used twice either.
    assert come_back(other, first).status_code == 400


def test_a_callback_whose_state_this_browser_did_not_start_is_refused_without_asking_the_provider(app, client, provider):
    params = begin(client, provider)
    stranger = app.test_client()
    response = come_back(stranger, params)
    assert response.status_code == 400
    assert provider.token_requests == []
    assert len(refusals(app)) == 1


def test_a_person_whose_claim_maps_to_no_role_gets_the_no_access_page_and_nothing_else(app, client, provider):
    provider.id_token = lambda nonce: provider.sign(provider.claims(nonce, roles=["Directory Readers"]))
    response = come_back(client, begin(client, provider))
    assert response.status_code == 403
    assert translate("sv", "You have no access to the staff area") in response.text
    assert translate("sv", "Access is given by the City Executive Office's registry. Ask your manager to request it for you.") in response.text
    assert staff_cookie(client) is None and client.get("/staff/").status_code == 302
    assert refusals(app) == ["no_role"]


def test_a_discovery_document_naming_another_issuer_is_not_trusted(app, client, provider):
    provider.issuer_in_discovery = "https://login.example.com"
    response = client.get("/staff/auth/login")
    assert response.status_code == 503
    assert not response.headers.get("Location")


def test_a_provider_that_does_not_answer_gets_a_page_that_says_so(tmp_path, assets_dir):
    app = make_app(tmp_path, ASSETS_DIR=str(assets_dir), STAFF_OIDC_ISSUER="http://127.0.0.1:9", STAFF_OIDC_CLIENT_ID=CLIENT_ID)
    response = app.test_client().get("/staff/auth/login")
    assert response.status_code == 503
    assert translate("sv", "The city's sign-in is not answering") in response.text


def test_only_a_signed_in_staff_page_lets_its_form_lead_to_the_provider(app, client, provider):
    def form_action(path):
        csp = client.get(path).headers["Content-Security-Policy"]
        return next(d for d in csp.split("; ") if d.startswith("form-action"))

    assert form_action("/staff/auth/signin") == "form-action 'self'"
    come_back(client, begin(client, provider))
    # Sign-out's answer redirects to the end-session endpoint: browsers check form-action there too.
    assert form_action("/staff/") == f"form-action 'self' {provider.issuer}"
    assert form_action("/sv/") == "form-action 'self'"
