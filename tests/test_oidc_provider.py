"""The test OpenID Provider (tests/oidc_provider.py) is a real one: discovery, the authorization
code flow with PKCE over its development pages, signed ID tokens with the accounts' claims."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.oidc_provider import OpenIDProvider, sign_in_over_http, sign_out_over_http

pytestmark = pytest.mark.slow

PUBLIC_URL = "http://127.0.0.1:9"  # the app side is not started here: only its URLs are named


@pytest.fixture(scope="module")
def provider(oidc_provider_for):
    return oidc_provider_for(PUBLIC_URL)


def challenge_of(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def authorization_url(provider, **params) -> str:
    query = {
        "client_id": provider.client_id,
        "response_type": "code",
        "redirect_uri": provider.redirect_uri,
        "scope": "openid profile email roles",
        "state": secrets.token_urlsafe(16),
        **params,
    }
    return provider.discovery["authorization_endpoint"] + "?" + urlencode(query)


def callback_parameters(provider, url: str) -> dict[str, str]:
    assert url.split("?")[0] == provider.redirect_uri
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def token_request(provider, code: str, verifier: str) -> requests.Response:
    return requests.post(
        provider.discovery["token_endpoint"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": provider.redirect_uri,
              "code_verifier": verifier},
        auth=(provider.client_id, provider.client_secret),  # client_secret_basic
        timeout=10,
    )


def test_discovery_names_the_endpoints(provider):
    discovery = provider.discovery
    assert discovery["issuer"] == provider.issuer
    assert not provider.issuer.endswith("/")
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri", "end_session_endpoint"):
        assert discovery[endpoint].startswith(provider.issuer + "/")
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert "RS256" in discovery["id_token_signing_alg_values_supported"]
    assert {"openid", "profile", "email", "roles"} <= set(discovery["scopes_supported"])


def test_authorization_code_flow_with_pkce_gives_a_signed_id_token_with_the_roles(provider):
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(16)
    url = authorization_url(provider, code_challenge=challenge_of(verifier), code_challenge_method="S256",
                            nonce=nonce, state="the-state")

    callback = callback_parameters(provider, sign_in_over_http(url, "registrar@goteborg.se"))
    assert callback["state"] == "the-state"
    assert callback["iss"] == provider.issuer

    response = token_request(provider, callback["code"], verifier)
    assert response.status_code == 200, response.text
    keys = KeySet.import_key_set(requests.get(provider.discovery["jwks_uri"], timeout=10).json())
    token = jwt.decode(response.json()["id_token"], keys, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": provider.client_id},
        nonce={"essential": True, "value": nonce},
        exp={"essential": True},
    ).validate(token.claims)
    assert token.header["alg"] == "RS256"
    assert token.claims["sub"] == "registrar@goteborg.se"
    assert token.claims["name"] == "Åke Diarieförare"
    assert token.claims["email"] == "registrar@goteborg.se"
    assert token.claims["roles"] == ["registrar"]


def signed_in_id_token(provider, login: str, session: requests.Session | None = None) -> str:
    """The ID token after a whole sign-in as `login`."""
    verifier = secrets.token_urlsafe(48)
    url = authorization_url(provider, code_challenge=challenge_of(verifier), code_challenge_method="S256")
    code = callback_parameters(provider, sign_in_over_http(url, login, session))["code"]
    return token_request(provider, code, verifier).json()["id_token"]


def signed_in_claims(provider, login: str, session: requests.Session | None = None) -> dict:
    keys = KeySet.import_key_set(requests.get(provider.discovery["jwks_uri"], timeout=10).json())
    return jwt.decode(signed_in_id_token(provider, login, session), keys, algorithms=["RS256"]).claims


def test_an_account_without_roles_gets_an_empty_list(provider):
    claims = signed_in_claims(provider, "nobody@goteborg.se")
    assert claims["roles"] == []
    assert claims["name"] == "Örjan Utanför"


def test_an_unknown_login_is_signed_in_with_no_roles_and_no_name(provider):
    claims = signed_in_claims(provider, "stranger@example.com")
    assert claims["sub"] == "stranger@example.com"
    assert claims["roles"] == []
    assert "name" not in claims and "email" not in claims


def test_a_request_without_code_challenge_is_refused(provider):
    callback = callback_parameters(provider, sign_in_over_http(authorization_url(provider), "admin@goteborg.se"))
    assert callback["error"] == "invalid_request"
    assert "code" not in callback


def test_a_wrong_verifier_is_refused(provider):
    url = authorization_url(provider, code_challenge=challenge_of(secrets.token_urlsafe(48)),
                            code_challenge_method="S256")
    code = callback_parameters(provider, sign_in_over_http(url, "admin@goteborg.se"))["code"]
    response = token_request(provider, code, secrets.token_urlsafe(48))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_a_kept_session_is_signed_in_without_a_login(provider):
    session = requests.Session()
    assert signed_in_claims(provider, "reader@goteborg.se", session)["sub"] == "reader@goteborg.se"
    # The second login name is never typed: the provider's session cookie signs the reader in.
    assert signed_in_claims(provider, "admin@goteborg.se", session)["sub"] == "reader@goteborg.se"


def test_signing_out_returns_to_the_post_logout_uri_and_ends_the_providers_session(provider):
    session = requests.Session()
    id_token = signed_in_id_token(provider, "reader@goteborg.se", session)
    end_session = provider.discovery["end_session_endpoint"] + "?" + urlencode({
        "id_token_hint": id_token, "post_logout_redirect_uri": provider.post_logout_redirect_uri, "state": "bye"})

    assert sign_out_over_http(end_session, session) == provider.post_logout_redirect_uri + "?state=bye"
    assert signed_in_claims(provider, "admin@goteborg.se", session)["sub"] == "admin@goteborg.se"


def test_an_unregistered_post_logout_uri_is_refused(provider):
    session = requests.Session()
    id_token = signed_in_id_token(provider, "reader@goteborg.se", session)
    end_session = provider.discovery["end_session_endpoint"] + "?" + urlencode({
        "id_token_hint": id_token, "post_logout_redirect_uri": "http://127.0.0.1:9/elsewhere"})
    with pytest.raises(requests.HTTPError) as refused:
        sign_out_over_http(end_session, session)
    assert refused.value.response.status_code == 400


def test_accounts_of_ones_own_with_groups(oidc_provider_for):
    accounts = {"group@goteborg.se": {"name": "Gun Grupp", "roles": ["reader"], "groups": ["Internationella"]}}
    provider = oidc_provider_for(PUBLIC_URL, accounts)
    assert provider is oidc_provider_for(PUBLIC_URL, accounts)  # one provider for the session
    claims = signed_in_claims(provider, "group@goteborg.se")
    assert (claims["roles"], claims["groups"], claims["name"]) == (["reader"], ["Internationella"], "Gun Grupp")


@pytest.mark.parametrize("how", ["closing stdin", "SIGTERM"])
def test_the_program_stops(tmp_path, how):
    with OpenIDProvider({}, PUBLIC_URL + "/back", PUBLIC_URL + "/", folder=tmp_path) as provider:
        process = provider.process
        if how == "SIGTERM":
            process.terminate()
        else:
            process.stdin.close()
        assert process.wait(timeout=10) == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(provider.issuer + "/.well-known/openid-configuration", timeout=10)
