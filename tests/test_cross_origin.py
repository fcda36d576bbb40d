"""Cross-site forms refused without a token (webapp/web/cross_origin.py), and no cookie for anyone."""

import itertools

import pytest

from tests.helpers import Visitor, make_app, rendered, rows

SITES = [None, "same-origin", "none", "same-site", "cross-site"]
ORIGINS = [None, "http://localhost", "https://localhost", "http://evil.example", "http://localhost.evil.example", "null"]


def expected_refusal(site: str | None, origin: str | None) -> bool:
    """Go's CrossOriginProtection, written out: Sec-Fetch-Site decides when present; else
    an Origin whose host is not ours is refused; neither header passes."""
    if site is not None:
        return site in ("same-site", "cross-site")
    return origin is not None and origin not in ("http://localhost", "https://localhost")


@pytest.mark.parametrize("site, origin", list(itertools.product(SITES, ORIGINS)))
def test_header_matrix(app, client, site, origin):
    headers = {name: value for name, value in (("Sec-Fetch-Site", site), ("Origin", origin)) if value is not None}
    data = Visitor(client).fields(message=f"{site} {origin}")
    response = client.post("/sv/contact", data=data, headers=headers)
    if expected_refusal(site, origin):
        assert response.status_code == 403
        assert rows(app) == []
    else:
        assert response.status_code == 303
        assert len(rows(app)) == 1


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_safe_methods_pass_from_anywhere(client, method):
    response = client.open("/sv/", method=method, headers={"Sec-Fetch-Site": "cross-site", "Origin": "null"})
    assert response.status_code in (200, 204)


def test_every_unsafe_method_is_checked(client):
    # Not only the form: any POST, PUT or DELETE another site's page sends (a 405 here otherwise),
    # answered with the site's page in the visitor's language.
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = client.open("/sv/", method=method, headers={"Sec-Fetch-Site": "cross-site"})
        assert response.status_code == 403
        assert f"<h1>{rendered('sv', 'This was sent from another website')}</h1>" in response.text


@pytest.mark.parametrize(
    "forwarded, origin, refused",
    [
        ("www.goteborg.se", "https://www.goteborg.se", False),
        ("www.goteborg.se", "http://127.0.0.1:8000", True),  # the app's own address is not the site's
        ("www.goteborg.se", "https://evil.example", True),
    ],
)
def test_behind_a_proxy_the_forwarded_host_is_the_sites(tmp_path, forwarded, origin, refused):
    app = make_app(tmp_path, PROXY_COUNT=1)
    client = app.test_client()
    proxy = {"X-Forwarded-Host": forwarded, "X-Forwarded-Proto": "https", "Host": "127.0.0.1:8000"}
    data = Visitor(client).fields(message="Via nginx")
    response = client.post("/sv/contact", data=data, headers={**proxy, "Origin": origin})
    assert (response.status_code == 403) is refused


@pytest.mark.parametrize(
    "origin, refused",
    [
        ("https://internationella.goteborg.se", False),
        ("http://internationella.goteborg.se", True),  # same host, other scheme: not the site's origin
        ("https://localhost", True),  # the request's Host, but the public URL says who we are
        ("null", True),
    ],
)
def test_with_a_public_url_the_origin_must_be_exactly_it(tmp_path, origin, refused):
    app = make_app(tmp_path, PUBLIC_URL="https://internationella.goteborg.se")
    client = app.test_client()
    response = client.post("/sv/contact", data=Visitor(client).fields(message="Hej"), headers={"Origin": origin})
    assert (response.status_code == 403) is refused


def test_origin_without_referer_over_https_is_a_real_visitor(tmp_path):
    # Privacy settings strip the Referer; Flask-WTF's strict check used to refuse this (issue 18).
    app = make_app(tmp_path, HTTPS=True)
    client = app.test_client()
    visitor = Visitor(client)
    data = visitor.fields(message="Utan Referer")
    response = client.post("/sv/contact", data=data, base_url="https://localhost", headers={"Origin": "https://localhost"})
    assert response.status_code == 303
    assert [r["message"] for r in rows(app)] == ["Utan Referer"]


def public_responses(client):
    """Every public page, and every state of the form (refused, invalid, stored, thanks, resend)."""
    visitor = Visitor(client)
    yield client.get("/")
    for path in ("/sv/", "/en/", "/fi/", "/sv/privacy", "/en/accessibility", "/sv/office.geojson",
                 "/robots.txt", "/sitemap.xml", "/favicon.ico", "/sv/finns-inte", "/static/site.css", "/sv"):
        yield client.get(path)
    yield visitor.submit(message="")
    yield visitor.submit(message="x" * 6000)
    yield visitor.submit(htmx=True, message="")
    yield visitor.check("message", message="Hej")
    yield client.post("/sv/contact", data=visitor.fields(message="Hej"), headers={"Sec-Fetch-Site": "cross-site"})
    stored = visitor.submit(message="Hej")
    yield stored
    yield visitor.submit(message="Hej")  # the resend
    yield visitor.submit(htmx=True, message="Hej igen")
    yield client.get(stored.headers["Location"])


def test_no_public_response_sets_a_cookie(client):
    statuses = set()
    for response in public_responses(client):
        statuses.add(response.status_code)
        assert "Set-Cookie" not in response.headers, response.request.path
        assert "Cookie" not in response.headers.get("Vary", "")
    assert {200, 302, 303, 308, 403, 404, 422} <= statuses


@pytest.mark.parametrize("lang", ["sv", "en", "fi"])
def test_the_privacy_page_says_so(client, lang):
    sentence = rendered(lang, "The site sets no cookies: reading it or sending the form leaves nothing in your browser.")
    assert str(sentence) in client.get(f"/{lang}/privacy").text


def test_a_cookie_sent_is_not_read(app, client):
    # A browser that kept the old session cookie: the form works the same without reading it.
    client.set_cookie("gbg_session", "eyJjc3JmX3Rva2VuIjoiMSJ9.x.y")
    assert Visitor(client).submit(message="Med gammal kaka").status_code == 303
    assert len(rows(app)) == 1
