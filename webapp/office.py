"""The City Executive Office as a place: GeoJSON for the map, a link to
OpenStreetMap, and schema.org data for search engines."""

import json
from urllib.parse import urlsplit

from flask import current_app, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from . import content


def feature() -> dict:
    """The office as a GeoJSON Feature, titled in the active language."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": list(content.OFFICE_COORDINATES)},
        "properties": {"title": _("City Executive Office"), "content": content.OFFICE_STREET},
    }


def openstreetmap_url() -> str:
    """The office on openstreetmap.org, with a marker; a plain link, so it needs no JavaScript."""
    lon, lat = (f"{c:.6f}" for c in content.OFFICE_COORDINATES)
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"


def tile_host() -> str:
    """The host the map's images come from, named in the note beside the button."""
    return urlsplit(current_app.config["MAP_TILE_URL"]).hostname or ""


def schema_org() -> dict:
    lon, lat = content.OFFICE_COORDINATES
    return {
        "@context": "https://schema.org",
        "@type": "GovernmentOffice",
        "name": _("City Executive Office"),
        "parentOrganization": {"@type": "GovernmentOrganization", "name": _("City of Gothenburg")},
        "address": {
            "@type": "PostalAddress",
            "streetAddress": content.OFFICE_STREET,
            "addressLocality": content.OFFICE_LOCALITY,
            "addressCountry": "SE",
        },
        "geo": {"@type": "GeoCoordinates", "latitude": lat, "longitude": lon},
        "telephone": content.PHONE_TEL,
        "url": url_for("site.index", _external=True),
        "hasMap": openstreetmap_url(),
    }


def script_json(data) -> Markup:
    """JSON for a <script> data block. "<", ">" and "&" become \\u escapes, which
    JSON reads back unchanged, so no value can close the element with "</script>"
    or open a "<!--" that changes how the browser parses it."""
    text = json.dumps(data, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def json_ld() -> Markup:
    return script_json(schema_org())
