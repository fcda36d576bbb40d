"""`make dev`: a catalog saved by its translator shows on the next reload, with no restart."""

import logging
import os

from tests.helpers import make_app

FIRST_SENTENCE = "Gothenburg is a sustainable city that is open to the world. We believe that international relations are important for the future. There is also great international interest in Gothenburg. By being receptive and sharing, we create good relationships with the outside world."


def dev_app(catalogs, tmp_path, assets_dir, **config):
    return make_app(tmp_path, ASSETS_DIR=str(assets_dir), BABEL_TRANSLATION_DIRECTORIES=str(catalogs.folder), **config)


def save(catalogs, lang, texts):
    """What a translator's editor does: the .po only, with a newer time than the .mo."""
    mo = catalogs.po(lang).with_suffix(".mo")
    catalogs.edit(lang, texts, compile=False)
    later = mo.stat().st_mtime_ns + 1_000_000_000
    os.utime(catalogs.po(lang), ns=(later, later))


def test_a_saved_catalog_shows_on_the_next_request(catalogs, tmp_path, assets_dir):
    client = dev_app(catalogs, tmp_path, assets_dir, DEBUG=True).test_client()
    assert "Göteborg är en hållbar stad" in client.get("/sv/").text
    save(catalogs, "sv", {FIRST_SENTENCE: "Göteborg är en hållbar och öppen stad.", "Send": "Skicka nu"})
    html = client.get("/sv/").text  # the front page is cached: it must be rendered again
    assert "Göteborg är en hållbar och öppen stad." in html and "Skicka nu</button>" in html
    compiled = catalogs.po("sv").with_suffix(".mo").stat().st_mtime_ns
    client.get("/sv/")
    assert catalogs.po("sv").with_suffix(".mo").stat().st_mtime_ns == compiled  # once per save


def test_a_catalog_that_cannot_be_read_keeps_the_last_good_one(catalogs, tmp_path, assets_dir, caplog):
    client = dev_app(catalogs, tmp_path, assets_dir, DEBUG=True).test_client()
    before = client.get("/sv/").text
    po = catalogs.po("sv")
    # Saved as Windows' "ANSI" rather than UTF-8: Babel cannot read it.
    po.write_bytes(po.read_text(encoding="utf-8").replace('msgstr "Skicka"', 'msgstr "Skicka nu"').encode("cp1252", errors="replace"))
    with caplog.at_level(logging.WARNING):
        response = client.get("/sv/")
        client.get("/sv/")
    assert response.status_code == 200 and "Skicka</button>" in response.text
    assert response.text.count("Skicka</button>") == before.count("Skicka</button>")
    warnings = [r for r in caplog.records if "not compiled" in r.getMessage()]
    assert len(warnings) == 1 and "messages.po" in warnings[0].getMessage()  # once per save, not per request


def test_production_does_not_recompile(catalogs, tmp_path, assets_dir):
    client = dev_app(catalogs, tmp_path, assets_dir).test_client()
    client.get("/sv/")
    save(catalogs, "sv", {"Send": "Skicka nu"})
    assert "Skicka nu" not in client.get("/sv/").text
