"""Signing in through a real OpenID Provider (npm's oidc-provider, started by the suite on
127.0.0.1) with its development login page, played over HTTP; in Chromium:
tests/browser/test_staff.py."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.helpers import make_app, translate
from tests.oidc_provider import DEFAULT_ACCOUNTS, sign_in_over_http, sign_out_over_http
from tests.staff_helpers import post, staff_cookie

pytestmark = pytest.mark.slow
PUBLIC_URL = "http://localhost"


def staff_app(tmp_path, assets_dir, provider, **config):
    return make_app(
        tmp_path,
        ASSETS_DIR=str(assets_dir),
        PUBLIC_URL=PUBLIC_URL,
        STAFF_OIDC_ISSUER=provider.issuer,
        STAFF_OIDC_CLIENT_ID=provider.client_id,
        STAFF_OIDC_CLIENT_SECRET=provider.client_secret,
        STAFF_OIDC_SCOPE="openid profile email roles",
        **config,
    )


@pytest.fixture
def provider(oidc_provider_for):
    return oidc_provider_for(PUBLIC_URL)


@pytest.fixture
def app(tmp_path, assets_dir, provider):
    return staff_app(tmp_path, assets_dir, provider)


def sign_in(client, login, at_provider=None):
    """Our sign-in, the provider's login page, and back: the app's answer to the callback."""
    authorization = client.get("/staff/auth/login").headers["Location"]
    callback = sign_in_over_http(authorization, login, at_provider)
    assert callback.startswith(PUBLIC_URL + "/staff/auth/callback?"), callback
    return client.get(callback.removeprefix(PUBLIC_URL))


def log(app) -> list[dict]:
    result = app.test_cli_runner().invoke(args=["staff", "log", "--json"])
    return [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]


def test_a_registrar_signs_in_at_the_provider_and_lands_in_the_staff_area(app, client, provider):
    authorization = client.get("/staff/auth/login").headers["Location"]
    params = parse_qs(urlsplit(authorization).query)
    assert authorization.startswith(provider.discovery["authorization_endpoint"])
    assert params["code_challenge_method"] == ["S256"] and params["nonce"] and params["state"]
    callback = sign_in_over_http(authorization, "registrar@goteborg.se")
    response = client.get(callback.removeprefix(PUBLIC_URL))
    assert response.status_code == 302 and response.headers["Location"] == "/staff/"
    landing = client.get("/staff/")
    name = DEFAULT_ACCOUNTS["registrar@goteborg.se"]["name"]
    expected = translate("sv", "Signed in as %(name)s, %(role)s", name=name, role=translate("sv", "registrar"))
    assert expected in landing.text
    (signin,) = [e for e in log(app) if e["action"] == "signin"]
    assert (signin["actor"], signin["actor_name"], signin["role"], signin["details"]) == (
        "registrar@goteborg.se", name, "registrar", {"with": "oidc"})


def test_the_code_cannot_be_used_twice(app, client):
    authorization = client.get("/staff/auth/login").headers["Location"]
    callback = sign_in_over_http(authorization, "reader@goteborg.se").removeprefix(PUBLIC_URL)
    assert client.get(callback).status_code == 302
    assert app.test_client().get(callback).status_code == 400


def test_a_person_without_a_role_gets_the_no_access_page(app, client):
    response = sign_in(client, "nobody@goteborg.se")
    assert response.status_code == 403
    assert translate("sv", "You have no access to the staff area") in response.text
    assert staff_cookie(client) is None
    assert [e["details"]["reason"] for e in log(app) if e["action"] == "signin_refused"] == ["no_role"]


def test_sign_out_ends_the_session_here_and_at_the_provider(app, client, provider):
    at_provider = requests.Session()
    sign_in(client, "admin@goteborg.se", at_provider)
    cookie = staff_cookie(client)
    response = post(client, "/staff/auth/signout", client.get("/staff/").text)
    end_session = response.headers["Location"]
    assert end_session.startswith(provider.discovery["end_session_endpoint"])
    params = parse_qs(urlsplit(end_session).query)
    assert params["post_logout_redirect_uri"] == [PUBLIC_URL + "/staff/auth/signed-out"] and params["id_token_hint"]
    # Ended here at once, before the browser has even reached the provider.
    replay = app.test_client()
    replay.set_cookie("staff", cookie, path="/")
    assert replay.get("/staff/").status_code == 302
    back = sign_out_over_http(end_session, at_provider)
    assert back.startswith(PUBLIC_URL + "/staff/auth/signed-out")
    assert client.get(back.removeprefix(PUBLIC_URL)).status_code == 200
    # The provider's session is over too: the next sign-in asks for the login again.
    authorization = client.get("/staff/auth/login").headers["Location"]
    page = at_provider.get(authorization, timeout=10)
    assert 'name="login"' in page.text


def test_roles_can_come_from_groups(tmp_path, assets_dir, oidc_provider_for):
    accounts = {"grp@goteborg.se": {"name": "Greta Grupp", "roles": [], "groups": ["0b7e-registry"]}}
    provider = oidc_provider_for("http://localhost", accounts)
    app = staff_app(tmp_path, assets_dir, provider, STAFF_ROLE_CLAIM="groups", STAFF_ROLES={"0b7e-registry": "admin"})
    client = app.test_client()
    assert sign_in(client, "grp@goteborg.se").status_code == 302
    assert client.get("/staff/log").status_code == 200
