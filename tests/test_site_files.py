"""What crawlers and browsers ask for besides pages: robots.txt, sitemap.xml, favicons, vendored Leaflet."""

import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.helpers import LANGUAGES, page_paths


ROOT = Path(__file__).resolve().parent.parent
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}


def test_robots_txt_allows_crawling_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.text.splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /" not in lines
    assert "Sitemap: http://localhost/sitemap.xml" in lines


def sitemap_entries(client) -> dict[str, dict[str, str]]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    tree = ET.fromstring(response.data)
    entries = {}
    for url in tree.findall("s:url", NS):
        links = {link.get("hreflang"): link.get("href") for link in url.findall("xhtml:link", NS)}
        assert all(link.get("rel") == "alternate" for link in url.findall("xhtml:link", NS))
        entries[url.findtext("s:loc", namespaces=NS)] = links
    return entries


def test_sitemap_lists_every_page_in_every_language_with_alternates(client):
    entries = sitemap_entries(client)
    # The front page's x-default is the language negotiation at /; the others' the first language.
    pages = {f"/{path}": "http://localhost/" if path == "" else None for path in page_paths()}
    expected = {f"http://localhost/{lang}{path}" for path in pages for lang in LANGUAGES}
    assert set(entries) == expected
    for path, x_default in pages.items():
        alternates = {lang: f"http://localhost/{lang}{path}" for lang in LANGUAGES}
        alternates["x-default"] = x_default or alternates[LANGUAGES[0]]
        for lang in LANGUAGES:
            assert entries[f"http://localhost/{lang}{path}"] == alternates
    for loc in entries:
        assert client.get(loc).status_code == 200


def test_every_html_page_is_in_the_sitemap(app, client):
    """A page added under /<lang>/ without a sitemap entry makes this fail."""
    listed = set(sitemap_entries(client))
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("site.") and "GET" in rule.methods and rule.arguments == {"lang"}:
            for lang in LANGUAGES:
                path = rule.rule.replace("<lang>", lang)
                response = client.get(path)
                if response.mimetype == "text/html":
                    assert f"http://localhost{path}" in listed, path


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_favicons_are_linked_and_served(client):
    html = client.get("/sv/").text
    assert re.search(r'<link rel="icon" href="/static/favicon\.[0-9a-f]{12}\.png" sizes="32x32" type="image/png">', html)
    assert re.search(r'<link rel="icon" href="/static/favicon\.[0-9a-f]{12}\.svg" type="image/svg\+xml">', html)
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    root = ET.fromstring(svg.data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox") == "0 0 32 32"
    png = client.get("/static/favicon.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png_size(png.data) == (32, 32)
    for response in (svg, png):
        response.close()


def test_favicon_ico_redirects_to_the_png(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302  # the target's name changes with its content
    assert re.fullmatch(r"/static/favicon\.[0-9a-f]{12}\.png", response.headers["Location"])


@pytest.mark.parametrize(
    "path", ["leaflet.js", "leaflet.css", "LICENSE", "images/marker-icon.png", "images/marker-icon-2x.png", "images/marker-shadow.png"]
)
def test_leaflet_is_vendored_with_its_licence(path):
    assert (ROOT / "static/vendor/leaflet" / path).is_file()


def test_vendored_leaflet_is_the_pinned_version():
    head = (ROOT / "static/vendor/leaflet/leaflet.js").read_text(encoding="utf-8")[:200]
    assert "Leaflet 1.9.4," in head
    assert "LEAFLET_VERSION := 1.9.4" in (ROOT / "Makefile").read_text()
    assert "BSD 2-Clause License" in (ROOT / "static/vendor/leaflet/LICENSE").read_text()
