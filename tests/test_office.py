"""The office as a place: its GeoJSON, the OpenStreetMap link, the map button and the JSON-LD."""

import html as htmllib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from webapp import content, create_app, office
from tests.helpers import LANGUAGES

from .helpers import translate

ROOT = Path(__file__).resolve().parent.parent
OSM_LINK = "https://www.openstreetmap.org/?mlat=57.707395&amp;mlon=11.966450#map=18/57.707395/11.966450"


def seed_feature() -> dict:
    """The GeoJSON Feature in the seed text (shared/seed beside the repository)."""
    seed = next((p / "shared" / "seed" for p in ROOT.parents if (p / "shared" / "seed").is_dir()), None)
    if seed is None:
        pytest.skip("no shared/seed beside the repository")
    decoder = json.JSONDecoder()
    for path in sorted(seed.iterdir()):
        text = path.read_text(encoding="utf-8")
        for start in (m.start() for m in re.finditer(r"[\[{]", text)):
            try:
                value, _ = decoder.raw_decode(text, start)
            except ValueError:
                continue
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict) and item.get("type") == "Feature":
                    return item
    pytest.fail(f"no GeoJSON Feature in {seed}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_geojson_is_the_seed_point_titled_in_the_pages_language(client, lang):
    response = client.get(f"/{lang}/office.geojson")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    feature = json.loads(response.data)
    seed = seed_feature()
    assert feature["type"] == "Feature"
    assert feature["geometry"] == seed["geometry"]
    assert feature["geometry"]["coordinates"] == [11.966450219140533, 57.70739467390328]
    assert feature["properties"] == {"title": translate(lang, "City Executive Office"), "content": seed["properties"]["content"]}


def test_geojson_title_in_swedish(client):
    assert client.get("/sv/office.geojson").json["properties"]["title"] == "Stadsledningskontoret"


def test_kept_copy_of_the_point_is_the_seeds():
    assert list(content.OFFICE_COORDINATES) == seed_feature()["geometry"]["coordinates"]


def test_geojson_in_unknown_language_is_404(client):
    assert client.get("/xx/office.geojson").status_code == 404


@pytest.mark.parametrize("lang", LANGUAGES)
def test_openstreetmap_link_beside_the_address_needs_no_javascript(client, lang):
    html = client.get(f"/{lang}/").text
    street = html.index(f"<p><bdi>{content.OFFICE_STREET}</bdi></p>")
    link = html.index(f'<a href="{OSM_LINK}">')
    assert street < link < html.index('<div class="office-map"')
    assert html.count('href="https://www.openstreetmap.org/') == 1


NOTE = "The map loads its images from %(host)s, which then gets your IP address."
CAPTION = "Map of central Gothenburg with a marker at the City Executive Office, %(place)s."


def map_widget(html: str) -> str:
    widget = re.search(r'<div class="office-map" hidden\s[^>]*></div>', html)
    assert widget, "the map's wrapper is sent empty and hidden: map.js makes what goes in it"
    return widget.group(0)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_map_button_is_made_by_the_script_from_translated_data(client, lang):
    html = client.get(f"/{lang}/").text
    widget = map_widget(html)
    data = {name: htmllib.unescape(value) for name, value in re.findall(r' data-([\w-]+)="([^"]*)"', widget)}
    assert data["label-show"] == translate(lang, "Show map")
    assert data["label-hide"] == translate(lang, "Hide map")
    assert data["note"] == translate(lang, NOTE) % {"host": "tile.openstreetmap.org"}
    # A text alternative to the drawn map.
    assert data["caption"] == translate(lang, CAPTION) % {"place": content.OFFICE_STREET}
    assert data["geojson"] == f"/{lang}/office.geojson"
    assert data["tile-url"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert "OpenStreetMap</a>" in data["attribution"]  # the credit, as data
    # Nothing from the tile host in the HTML itself.
    assert "tile.openstreetmap.org/" not in html.replace(widget, "")
    # map.js comes in the site's script bundle (webapp/web/assets.py).
    assert re.search(r'<script src="/static/site\.[0-9a-f]{12}\.js" defer></script>', html)
    # Leaflet is loaded by map.js on the first press, not by the page.
    assert "leaflet.js" not in html.replace(widget, "")


def as_w3m_shows(page: bytes) -> str:
    w3m = shutil.which("w3m")
    assert w3m, "w3m is missing: make test installs Debian's w3m"
    command = [w3m, "-dump", "-T", "text/html", "-I", "UTF-8", "-O", "UTF-8", "-cols", "300"]
    return subprocess.run(command, input=page, capture_output=True, check=True).stdout.decode()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_text_browser_shows_the_link_and_no_map_button(client, lang):
    """w3m ignores `hidden` and runs no script: it must find nothing of the map but the link."""
    shown = as_w3m_shows(client.get(f"/{lang}/").data)
    assert translate(lang, "See %(place)s on OpenStreetMap") % {"place": content.OFFICE_STREET} in shown
    for absent in (translate(lang, "Show map"), translate(lang, NOTE) % {"host": "tile.openstreetmap.org"},
                   translate(lang, CAPTION) % {"place": content.OFFICE_STREET}):
        assert absent not in shown


def test_the_text_browser_check_sees_what_it_should_not(client):
    """The check above can fail: w3m does show a hidden button sent in the HTML."""
    page = client.get("/en/").data
    old_markup = page.replace(b'<div class="office-map" hidden', b'<div hidden><button>Show map</button></div><div class="office-map" hidden')
    assert "Show map" in as_w3m_shows(old_markup)


def test_empty_tile_url_removes_the_button_and_keeps_the_link(app, client):
    app.config["MAP_TILE_URL"] = ""
    html = client.get("/en/").text
    assert "office-map" not in html
    assert "map.js" not in html
    assert "Show map" not in html
    assert f'<a href="{OSM_LINK}">' in html


def test_map_settings_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("WEBAPP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("WEBAPP_SECRET_KEY", "x")
    monkeypatch.setenv("WEBAPP_MAP_TILE_URL", "https://tiles.example.org/{z}/{x}/{y}.png")
    monkeypatch.setenv("WEBAPP_MAP_ATTRIBUTION", "© Example maps")
    app = create_app()
    html = app.test_client().get("/sv/").text
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in html
    assert 'data-attribution="© Example maps"' in html
    assert translate("sv", NOTE) % {"host": "tiles.example.org"} in htmllib.unescape(html)

    monkeypatch.setenv("WEBAPP_MAP_TILE_URL", "")
    assert "office-map" not in create_app().test_client().get("/sv/").text


@pytest.mark.parametrize(
    "url",
    ["https://tiles.example.org/{z}/{x}.png", "https://tiles.example.org/tiles.png", "tile.openstreetmap.org/{z}/{x}/{y}.png"],
)
def test_unusable_tile_url_stops_start_up(tmp_path, url):
    with pytest.raises(ValueError, match="MAP_TILE_URL"):
        create_app({"SECRET_KEY": "x", "DATABASE": str(tmp_path / "db"), "MAP_TILE_URL": url})


def json_ld(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_json_ld_describes_the_office(client, lang):
    html = client.get(f"/{lang}/").text
    assert html.index("application/ld+json") < html.index("</head>")
    data = json_ld(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "GovernmentOffice"
    assert data["name"] == translate(lang, "City Executive Office")
    assert data["parentOrganization"] == {"@type": "GovernmentOrganization", "name": translate(lang, "City of Gothenburg")}
    assert data["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "Gustaf Adolfs Torg 4A",
        "addressLocality": "Göteborg",
        "addressCountry": "SE",
    }
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 57.70739467390328, "longitude": 11.966450219140533}
    assert data["telephone"] == "+46313650000"
    assert data["url"] == f"http://localhost/{lang}/"
    assert data["hasMap"] == OSM_LINK.replace("&amp;", "&")
    # "&" in the URL travels as \u0026, so the block holds no character HTML would read.
    assert "&" not in re.search(r"ld\+json\">(.*?)</script>", html, re.S).group(1)


def test_json_ld_names_in_swedish(client):
    data = json_ld(client.get("/sv/").text)
    # "Göteborgs Stad" is the city's own name (../shared/seed/); the office's from the catalog.
    assert (data["name"], data["parentOrganization"]["name"]) == (translate("sv", "City Executive Office"), "Göteborgs Stad")


def test_script_json_cannot_close_its_element(app):
    hostile = {"name": "</script><script>alert(1)</script><!-- & -->"}
    with app.test_request_context():
        text = str(office.script_json(hostile))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == hostile
