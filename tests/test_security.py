"""Security headers, cache rules, and templates that a strict CSP can serve."""

import re
from pathlib import Path

import pytest

from webapp import create_app
from webapp.db import migrate

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

# The map is on by default (OpenStreetMap's tiles), so img-src names that one host.
DEFAULT_CSP = CSP.replace("img-src 'self' data:;", "img-src 'self' data: https://tile.openstreetmap.org;")

# One of each kind of response: page, redirect, error page, JSON, static file.
PATHS = ["/sv/", "/en/", "/fi/", "/", "/sv/finns-inte", "/nothing", "/healthz", "/static/site.css"]


@pytest.fixture
def make_app(tmp_path):
    def make(**config):
        database = tmp_path / "test.sqlite3"
        migrate(database)
        return create_app({"TESTING": True, "SECRET_KEY": "k" * 40, "DATABASE": str(database), **config})

    return make


@pytest.mark.parametrize("path", PATHS)
def test_headers_on_every_response(client, path):
    headers = client.get(path).headers
    assert headers["Content-Security-Policy"] == DEFAULT_CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(item.split("=", 1) for item in headers["Permissions-Policy"].split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
        assert policy[feature] == "()"
    assert set(policy.values()) == {"()"}
    assert "Strict-Transport-Security" not in headers


def test_headers_on_405_and_500(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/en/boom")
    def boom():
        raise RuntimeError("boom")

    for response in (client.delete("/en/"), client.get("/en/boom")):
        assert response.status_code in (405, 500)
        assert response.headers["Content-Security-Policy"] == DEFAULT_CSP
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_over_https(make_app):
    response = make_app(HTTPS=True).test_client().get("/sv/")
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000"


@pytest.mark.parametrize(
    "url, img_src",
    [
        ("https://tiles.example.org/{z}/{x}/{y}.png", "img-src 'self' data: https://tiles.example.org;"),
        ("https://Tiles.Example.org:8443/styles/{z}/{x}/{y}@2x.png?key=abc", "img-src 'self' data: https://tiles.example.org:8443;"),
        ("", "img-src 'self' data:;"),
        (None, "img-src 'self' data:;"),
    ],
)
def test_map_tile_host_widens_img_src_only(make_app, url, img_src):
    csp = make_app(MAP_TILE_URL=url).test_client().get("/en/").headers["Content-Security-Policy"]
    assert img_src in csp
    # Nothing else moves: the rest of the policy is the strict one.
    assert re.sub(r"img-src [^;]*;", "img-src 'self' data:;", csp) == CSP


@pytest.mark.parametrize(
    "url",
    ["https://{s}.tile.example.org/{z}/{x}/{y}.png", "ftp://tiles.example.org/x", "/tiles/{z}.png", "https://u@tiles.example.org/x"],
)
def test_map_tile_url_that_is_not_one_host_is_refused_at_start(make_app, url):
    with pytest.raises(ValueError, match="MAP_TILE_URL"):
        make_app(MAP_TILE_URL=url)


@pytest.mark.parametrize("path", ["/sv/", "/en/", "/en/missing"])
def test_pages_are_revalidated_or_not_stored(client, path):
    response = client.get(path)
    if 'name="form_key"' in response.text:  # a key of this view alone
        assert response.headers["Cache-Control"] == "no-store"
    else:
        assert response.headers["Cache-Control"] == "no-cache"


def test_static_files_stay_cacheable(client):
    response = client.get("/static/site.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["ETag"]


INLINE = [
    # A script element with content or without src; JSON-LD data blocks are allowed.
    (re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/ld\+json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\s(?:data-)?on[a-z]+\s*=", re.I), "on* event handler"),
    (re.compile(r"\s(?:data-)?hx-on\b", re.I), "htmx hx-on handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_template_has_nothing_inline(template):
    source = template.read_text()
    for pattern, what in INLINE:
        match = pattern.search(source)
        assert match is None, f"{template.name}: {what}: {match.group(0) if match else ''}"


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<p style="color:red">',
        '<button onclick="go()">',
        '<div data-hx-on:click="x()">',
        '<script type="module">import "/x.js"</script>',
        '<a href="javascript:void(0)">',
    ],
)
def test_inline_checks_catch_what_they_should(snippet):
    assert any(pattern.search(snippet) for pattern, _ in INLINE)


def test_inline_checks_allow_what_the_csp_allows():
    for snippet in ('<script src="/static/contact.js" defer></script>', '<script type="application/ld+json">{}</script>'):
        assert not any(pattern.search(snippet) for pattern, _ in INLINE), snippet
