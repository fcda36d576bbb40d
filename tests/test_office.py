"""The office as a place: its GeoJSON, the OpenStreetMap link, the map button and the JSON-LD."""

import json
import re
from pathlib import Path

import pytest

from webapp import content, create_app, office
from webapp.i18n import LANGUAGES

from .helpers import rendered, translate

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
    street = html.index(f"<p>{content.OFFICE_STREET}</p>")
    link = html.index(f'<a href="{OSM_LINK}">')
    assert street < link < html.index('<div class="office-map"')
    assert html.count('href="https://www.openstreetmap.org/') == 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_map_button_is_hidden_until_the_script_shows_it(client, lang):
    button = rendered(lang, "Show map")
    note = rendered(lang, "The map loads its images from %(host)s, which then gets your IP address.", host="tile.openstreetmap.org")
    html = client.get(f"/{lang}/").text
    widget = re.search(r'<div class="office-map" hidden\s.*?\n        </div>', html, re.S)
    assert widget, "the map's wrapper carries the hidden attribute in the HTML"
    widget = widget.group(0)
    assert re.search(rf'<button type="button" class="office-map__toggle"[^>]*>{button}</button>', widget)
    assert 'aria-describedby="office-map-note"' in widget
    assert f'<p class="office-map__note" id="office-map-note">{note}</p>' in widget
    assert f'data-geojson="/{lang}/office.geojson"' in widget
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in widget
    assert "OpenStreetMap&lt;/a&gt;" in widget  # the attribution, as data
    # A text alternative to the drawn map, and nothing from the tile host in the HTML itself.
    assert re.search(r'<figcaption id="office-map-caption">[^<]*Gustaf Adolfs Torg 4A\.</figcaption>', widget)
    assert "tile.openstreetmap.org/" not in html.replace(widget, "")
    # map.js comes in the site's script bundle (webapp/assets.py).
    assert re.search(r'<script src="/static/site\.[0-9a-f]{12}\.js" defer></script>', html)
    # Leaflet is loaded by map.js on the first press, not by the page.
    assert "leaflet.js" not in html.replace(widget, "")


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
    note = "The map loads its images from %(host)s, which then gets your IP address."
    assert str(rendered("sv", note, host="tiles.example.org")) in html

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
