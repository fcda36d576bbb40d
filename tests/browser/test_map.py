"""The office map in Chromium: nothing from the tile server until the visitor asks, then the
marker where the office is, a popup reached by keyboard, and no CSP violation.

Tile requests never leave the machine: Playwright answers them with a small PNG.
"""

import math
import re
import struct
import zlib

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from webapp import content
from tests.helpers import LANGUAGES

from ..helpers import translate

TILE_ORIGIN = "https://tile.openstreetmap.org"  # the default MAP_TILE_URL's host, as the live server runs
TILE = re.compile(r"/(\d+)/(\d+)/(\d+)\.png$")
LABELS = {
    lang: {
        key: translate(lang, message)
        for key, message in {"show": "Show map", "hide": "Hide map", "title": "City Executive Office", "close": "Close"}.items()
    }
    for lang in LANGUAGES
}


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain-coloured PNG, made here so the test needs no image file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


TILE_PNG = png(256, 256, (224, 232, 240))

# WCAG 2.0 and 2.1, A and AA, and axe's best practices.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}


class Network:
    """Every request the page makes, with the tile server answered locally."""

    def __init__(self, page):
        self.urls: list[str] = []
        self.tiles: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))
        page.route(f"{TILE_ORIGIN}/**", self._tile)

    def _tile(self, route):
        self.tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=TILE_PNG)

    def asked_for(self, fragment: str) -> list[str]:
        return [url for url in self.urls if fragment in url]


def lat_lng_at(page, x: float, y: float) -> tuple[float, float]:
    """The latitude and longitude at a point on the screen, read from a drawn tile:
    its z/x/y names the Web Mercator square it covers, its box where that square is."""
    tile = page.locator(".leaflet-tile-loaded").first
    z, tx, ty = map(int, TILE.search(tile.get_attribute("src")).groups())
    box = tile.bounding_box()
    world = 256 * 2**z
    px = tx * 256 + (x - box["x"]) * 256 / box["width"]
    py = ty * 256 + (y - box["y"]) * 256 / box["height"]
    lng = px / world * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * py / world))))
    return lat, lng


def open_map(page, lang: str):
    page.goto(f"/{lang}/")
    page.get_by_role("button", name=LABELS[lang]["show"]).click()
    page.locator(".leaflet-marker-icon").wait_for()
    # A locator, not wait_for_function: a string predicate that must be polled is eval'd, which the CSP refuses.
    page.locator(".leaflet-tile-loaded").first.wait_for(state="attached")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_nothing_is_fetched_for_the_map_until_the_button_is_pressed(page, live_server, lang):
    network = Network(page)
    page.goto(f"/{lang}/")  # after the load event: map.js has run
    button = page.get_by_role("button", name=LABELS[lang]["show"])
    expect(button).to_be_visible()
    assert button.get_attribute("aria-expanded") == "false"
    assert network.tiles == []
    assert network.asked_for("leaflet") == []
    assert network.asked_for("office.geojson") == []

    button.click()
    page.locator(".leaflet-marker-icon").wait_for()
    # A locator, not wait_for_function: a string predicate that must be polled is eval'd, which the CSP refuses.
    page.locator(".leaflet-tile-loaded").first.wait_for(state="attached")
    assert network.tiles, "the map asked for tiles once the button was pressed"
    assert all(url.startswith(f"{TILE_ORIGIN}/") for url in network.tiles)
    assert network.asked_for(f"/{lang}/office.geojson")
    assert any(re.search(r"/static/vendor/leaflet/leaflet\.[0-9a-f]{12}\.js$", url) for url in network.urls)
    # Our own server and the tile host, nothing else.
    assert [u for u in network.urls if not u.startswith((f"{live_server.url}/", f"{TILE_ORIGIN}/"))] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_marker_stands_on_the_office(page, lang):
    Network(page)
    open_map(page, lang)
    marker = page.locator(".leaflet-marker-icon")
    box = marker.bounding_box()
    # Leaflet's default icon is 25 x 41 px with its point at (12, 41): the tip of the pin.
    lat, lng = lat_lng_at(page, box["x"] + 12, box["y"] + 41)
    expected_lng, expected_lat = content.OFFICE_COORDINATES
    # A pixel at zoom 17 is about 1e-5 degrees; allow a couple of metres.
    assert lat == pytest.approx(expected_lat, abs=3e-5)
    assert lng == pytest.approx(expected_lng, abs=3e-5)
    assert marker.get_attribute("alt") == LABELS[lang]["title"]
    # The map is inside its box on the page, with the text alternative under it.
    canvas = page.locator(".office-map__canvas").bounding_box()
    assert canvas["x"] <= box["x"] and box["x"] + box["width"] <= canvas["x"] + canvas["width"]
    assert "Gustaf Adolfs Torg 4A" in page.locator("#office-map-caption").inner_text()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_popup_by_keyboard_alone(page, lang):
    Network(page)
    labels = LABELS[lang]
    page.goto(f"/{lang}/")
    button = page.locator(".office-map__toggle")  # its name changes as it is pressed
    assert button.inner_text() == labels["show"]
    button.focus()
    page.keyboard.press("Enter")
    page.locator(".leaflet-marker-icon").wait_for()
    assert button.get_attribute("aria-expanded") == "true"
    assert button.inner_text() == labels["hide"]

    # Tab on from the button: the map itself, then the marker.
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('leaflet-marker-icon')"):
            break
    else:
        pytest.fail("the marker was not reached with Tab")
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.inner_text().split("\n") == [labels["title"], content.OFFICE_STREET]

    page.keyboard.press("Tab")
    close = page.locator(".leaflet-popup-close-button")
    assert page.evaluate("document.activeElement.classList.contains('leaflet-popup-close-button')")
    assert close.get_attribute("aria-label") == labels["close"]
    page.keyboard.press("Enter")
    popup.wait_for(state="detached")
    assert page.evaluate("document.activeElement.classList.contains('leaflet-marker-icon')")

    # Escape closes it too; the button hides and shows the map again.
    page.keyboard.press("Enter")
    popup.wait_for()
    page.keyboard.press("Escape")
    popup.wait_for(state="detached")
    button.click()
    assert page.locator("#office-map").is_hidden()
    assert button.inner_text() == labels["show"]
    button.click()
    assert page.locator(".leaflet-marker-icon").is_visible()


def test_without_javascript_the_link_is_there_and_no_button(make_context):
    page = make_context(java_script_enabled=False).new_page()
    network = Network(page)
    page.goto("/sv/")
    link = page.get_by_role("link", name=translate("sv", "See %(place)s on OpenStreetMap") % {"place": content.OFFICE_STREET})
    assert link.is_visible()
    assert link.get_attribute("href").startswith("https://www.openstreetmap.org/?mlat=57.707395&mlon=11.966450")
    assert page.get_by_role("button").filter(has_text=LABELS["sv"]["show"]).count() == 0
    assert page.locator(".office-map").inner_html() == ""  # no note, no caption: map.js makes them
    assert network.tiles == []


def test_a_map_that_cannot_load_says_so_and_can_be_tried_again(page, browser_log):
    Network(page)
    browser_log.allow("Failed to load resource: the server responded with a status of 503")
    page.route("**/en/office.geojson", lambda route: route.fulfill(status=503, body="busy"))
    page.goto("/en/")
    button = page.locator(".office-map__toggle")
    button.click()
    status = page.get_by_role("status").filter(has_text="The map could not be loaded")
    status.wait_for()
    assert button.get_attribute("aria-expanded") == "false"
    assert page.locator("#office-map").is_hidden()

    page.unroute("**/en/office.geojson")
    button.click()
    page.locator(".leaflet-marker-icon").wait_for()
    assert page.locator(".office-map__status").inner_text() == ""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_json_ld_is_read_by_the_browser_without_a_csp_report(page, lang):
    page.goto(f"/{lang}/")
    data = page.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
    )
    assert data["@type"] == "GovernmentOffice"
    assert data["geo"]["latitude"] == content.OFFICE_COORDINATES[1]
    # The page fixture fails the test on any CSP violation or console error.


def axe_violations(page) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS)
    return [f"{v['id']}: {v['help']} at {node['target']}" for v in results.response["violations"] for node in v["nodes"]]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_open_map_with_its_popup_passes_axe(page, lang):
    Network(page)
    open_map(page, lang)
    page.locator(".leaflet-marker-icon").click()
    page.locator(".leaflet-popup-content").wait_for()
    assert axe_violations(page) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_accessibility_statement_passes_axe(page, lang):
    page.goto(f"/{lang}/accessibility")
    assert axe_violations(page) == []
