"""Languages come from translations/LANGUAGES: a published one is everywhere the languages are
(switch, hreflang, sitemap, negotiation, error pages), a draft only in `make dev`'s preview; and
the tests follow the list and the catalogs, so a language or a better translation needs no test edit."""

import re

import pytest
from babel.messages.pofile import read_po

from tests import helpers, test_contact, test_pages
from tests.helpers import make_app
from webapp import startup
from tests.helpers import LANGUAGES

from .test_site_files import sitemap_entries


FIRST_SENTENCE = test_pages.PAGE_TEXTS[1]
CALL_US = "You can also call Gothenburg’s contact centre on %(phone)s."


def shouted(text: str) -> str:
    """A stand-in translation: the English in capitals, placeholders untouched."""
    return "".join(part if helpers.PLACEHOLDER.fullmatch(part) else part.upper() for part in re.split(f"({helpers.PLACEHOLDER.pattern})", text))


def every_text(catalogs) -> dict:
    """Every msgid of messages.pot "translated" by `shouted` (each plural form too)."""
    with (catalogs.folder / "messages.pot").open("rb") as f:
        template = read_po(f)
    texts = {}
    for message in template:
        if not message.id:
            continue
        msgid = message.id[0] if message.pluralizable else message.id
        key = (message.context, msgid) if message.context else msgid
        texts[key] = [shouted(form) for form in message.id] if message.pluralizable else shouted(msgid)
    return texts


def app_over(catalogs, tmp_path, assets_dir, **config):
    return make_app(tmp_path, ASSETS_DIR=str(assets_dir), BABEL_TRANSLATION_DIRECTORIES=str(catalogs.folder), **config)


# Drafts ---------------------------------------------------------------------


def test_production_serves_no_draft(catalogs, tmp_path, assets_dir):
    catalogs.start("de", every_text(catalogs))
    client = app_over(catalogs, tmp_path, assets_dir).test_client()
    for path in ("/de/", "/de/privacy", "/de/accessibility"):
        assert client.get(path).status_code == 404
    page = client.get(f"/{LANGUAGES[0]}/").text
    assert 'hreflang="de"' not in page and "Deutsch" not in page
    assert not any("/de/" in url for url in sitemap_entries(client))
    assert client.get("/", headers={"Accept-Language": "de"}).headers["Location"] == f"/{LANGUAGES[0]}/"


def test_make_dev_previews_a_draft_without_publishing_it(catalogs, tmp_path, assets_dir):
    catalogs.start("de", {FIRST_SENTENCE: "Göteborg ist eine nachhaltige Stadt."})
    client = app_over(catalogs, tmp_path, assets_dir, DEBUG=True).test_client()
    page = client.get("/de/")
    assert page.status_code == 200
    assert '<html lang="de">' in page.text
    assert "Göteborg ist eine nachhaltige Stadt." in page.text
    # Untranslated texts show in English, as they will until they are translated.
    assert "Contact the City Executive Office" in page.text
    # Not offered to anybody: no switch entry, no alternate, not in the sitemap or negotiation.
    assert 'hreflang="de"' not in page.text and 'lang="de" hreflang' not in page.text
    assert not any("/de/" in url for url in sitemap_entries(client))
    assert client.get("/", headers={"Accept-Language": "de"}).headers["Location"] == f"/{LANGUAGES[0]}/"
    missing = client.get("/de/nichts")
    assert missing.status_code == 404 and '<html lang="de">' in missing.text


def test_a_published_language_is_everywhere_the_languages_are(catalogs, tmp_path, assets_dir):
    catalogs.start("de", every_text(catalogs), publish=True)
    app = app_over(catalogs, tmp_path, assets_dir)
    client = app.test_client()
    page = client.get(f"/{LANGUAGES[0]}/").text
    assert '<a href="/de/" lang="de" hreflang="de">Deutsch</a>' in page
    assert '<link rel="alternate" hreflang="de" href="http://localhost/de/">' in page
    assert "http://localhost/de/privacy" in sitemap_entries(client)
    assert client.get("/", headers={"Accept-Language": "de-AT,de;q=0.9"}).headers["Location"] == "/de/"
    assert "PAGE NOT FOUND" in client.get("/de/nichts").text
    assert client.get("/de/").text.count('<span class="partner-cities__country">Deutschland</span>') == 2
    assert startup.catalog_problems(app) == []
    (catalogs.po("de").with_suffix(".mo")).unlink()
    assert any("de catalog is not compiled" in problem for problem in startup.catalog_problems(app))


def test_adding_a_language_needs_no_test_edit(catalogs, tmp_path, assets_dir, monkeypatch):
    """The per-language tests, run for a language published in a copy of translations/,
    take everything they expect from its catalog and CLDR."""
    catalogs.start("de", every_text(catalogs), publish=True)
    languages = (*LANGUAGES, "de")
    for module in (test_pages, test_contact):
        monkeypatch.setattr(module, "LANGUAGES", languages)
    app = app_over(catalogs, tmp_path, assets_dir)
    client = app.test_client()
    test_pages.test_page_has_all_its_text_in_its_language(client, "de")
    test_pages.test_page_has_no_text_of_another_language(client, "de")
    test_pages.test_language_markup(client, "de")
    test_pages.test_partner_cities_in_the_pages_language_with_country_names_from_cldr(client, "de")
    test_pages.test_404_in_the_visitors_language(client, "/de/nichts", {}, "de")
    test_contact.test_privacy_page(client, "de")
    visitor = helpers.Visitor(client, "de")
    test_contact.test_form_is_on_the_page_with_labels_hints_and_privacy_sentence(visitor, "de")
    test_contact.test_character_count_messages_are_rendered_for_the_script(visitor, "de")
    test_contact.test_empty_form_without_js_rerenders_page_with_summary(app, visitor, "de")


# Expectations follow the catalogs --------------------------------------------


def test_a_better_translation_passes(catalogs, catalogs_app):
    better = "Göteborg är en hållbar stad, öppen för världen. Internationella relationer är viktiga för framtiden."
    catalogs.edit("sv", {FIRST_SENTENCE: better, test_contact.MESSAGES["required"]: "Du behöver skriva ett meddelande"})
    client = catalogs_app.test_client()
    assert better in client.get("/sv/").text
    test_pages.test_page_has_all_its_text_in_its_language(client, "sv")
    test_pages.test_swedish_page_has_the_seeds_own_sentences(client)
    test_contact.test_empty_form_without_js_rerenders_page_with_summary(catalogs_app, helpers.Visitor(client, "sv"), "sv")


def test_a_finnish_reviewers_fix_passes(catalogs, catalogs_app):
    catalogs.edit("fi", {test_contact.MESSAGES["label"]: "Kysy tai kommentoi."})
    visitor = helpers.Visitor(catalogs_app.test_client(), "fi")
    assert "Kysy tai kommentoi." in visitor.page
    test_contact.test_form_is_on_the_page_with_labels_hints_and_privacy_sentence(visitor, "fi")


def test_a_missing_translation_fails(catalogs, catalogs_app):
    catalogs.edit("sv", {FIRST_SENTENCE: ""})  # untranslated: the Swedish page shows the English
    client = catalogs_app.test_client()
    assert FIRST_SENTENCE in client.get("/sv/").text
    with pytest.raises(AssertionError, match="no translation"):
        test_pages.test_page_has_all_its_text_in_its_language(client, "sv")


def test_a_broken_placeholder_fails(catalogs, catalogs_app):
    catalogs.edit("sv", {CALL_US: "Du kan också ringa Göteborgs Stads kontaktcenter."})
    with pytest.raises(AssertionError, match="lacks %\\(phone\\)s"):
        test_pages.test_404_in_the_visitors_language(catalogs_app.test_client(), "/sv/x", {}, "sv")


def test_changing_the_seeds_own_sentence_fails(catalogs, catalogs_app):
    catalogs.edit("sv", {"Phone and e-mail": "Telefon och mejl"})
    with pytest.raises(AssertionError):
        test_pages.test_swedish_page_has_the_seeds_own_sentences(catalogs_app.test_client())
