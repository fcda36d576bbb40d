"""The Host header: absolute URLs from WEBAPP_PUBLIC_URL, unknown hosts refused with a plain 400."""

import pytest

from tests.helpers import make_app
from webapp.web import public_url

PUBLIC = "https://internationellt.goteborg.se"
FORGED = "evil.example"


@pytest.fixture
def public_app(tmp_path, assets_dir):
    return make_app(tmp_path, ASSETS_DIR=str(assets_dir), PUBLIC_URL=PUBLIC, TRUSTED_HOSTS="localhost, .goteborg.se")


@pytest.mark.parametrize("path", ["/sv/", "/sitemap.xml", "/robots.txt", "/sv/privacy", "/nowhere", "/sv", "/healthz"])
def test_untrusted_host_gets_a_plain_400(public_app, path):
    response = public_app.test_client().get(path, headers={"Host": FORGED})
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert FORGED not in response.get_data(as_text=True)


def test_untrusted_host_on_a_post_gets_a_plain_400(public_app):
    response = public_app.test_client().post("/sv/contact", data={"name": "x"}, headers={"Host": FORGED})
    assert response.status_code == 400
    assert response.mimetype == "text/plain"


@pytest.mark.parametrize("host", ["internationellt.goteborg.se", "localhost", "www.goteborg.se"])
def test_trusted_hosts_are_served(public_app, host):
    assert public_app.test_client().get("/sv/", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("path", ["/sitemap.xml", "/robots.txt", "/sv/", "/en/privacy", "/fi/accessibility"])
def test_absolute_urls_name_the_public_url_whatever_the_host(public_app, path):
    body = public_app.test_client().get(path, headers={"Host": "localhost"}).get_data(as_text=True)
    assert PUBLIC + "/" in body
    assert "http://localhost" not in body


def test_slash_redirect_goes_to_the_public_url(public_app):
    response = public_app.test_client().get("/sv", headers={"Host": "localhost"})
    assert response.status_code == 308
    assert response.headers["Location"] == PUBLIC + "/sv/"


def test_without_a_public_url_the_slash_redirect_is_relative(client):
    response = client.get("/sv", headers={"Host": FORGED})
    assert response.status_code == 308
    assert response.headers["Location"] == "/sv/"


def test_external_urls_outside_a_request_use_the_public_url(public_app):
    with public_app.app_context():
        from flask import url_for

        assert url_for("site.privacy", lang="en", _external=True) == PUBLIC + "/en/privacy"
        assert public_url.public_url("/staff/callback") == PUBLIC + "/staff/callback"


def test_public_url_with_a_path_is_refused(tmp_path, assets_dir):
    with pytest.raises(ValueError, match="PUBLIC_URL"):
        make_app(tmp_path, ASSETS_DIR=str(assets_dir), PUBLIC_URL="https://goteborg.se/international")


def test_without_settings_every_host_is_served(client):
    assert client.get("/sv/", headers={"Host": FORGED}).status_code == 200
