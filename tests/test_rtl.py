"""A right-to-left language added as data: the page's direction comes from CLDR, not from code."""

import re

from tests.helpers import LANGUAGES
from tests.test_languages import FIRST_SENTENCE, app_over
from webapp.i18n.bidi import isolated

# A few sentences in Arabic; the rest falls back to English, as in a draft being translated.
ARABIC = {FIRST_SENTENCE: "غوتنبرغ مدينة مستدامة.", "Skip to main content": "انتقل إلى المحتوى الرئيسي"}
# The pages, a 404 and a 405 (the form's address answers POST only): every page and error page.
PATHS = {"/ar/": 200, "/ar/privacy": 200, "/ar/accessibility": 200, "/ar/nothing-here": 404, "/ar/contact": 405}


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page)[0]


def test_a_published_right_to_left_language_mirrors_every_page(catalogs, tmp_path, assets_dir):
    catalogs.start("ar", ARABIC, publish=True)
    client = app_over(catalogs, tmp_path, assets_dir).test_client()
    for path, status in PATHS.items():
        response = client.get(path)
        assert response.status_code == status, path
        assert html_tag(response.text) == '<html lang="ar" dir="rtl">', path
    front = client.get("/ar/").text
    assert ARABIC[FIRST_SENTENCE] in front
    # The phone number keeps its left-to-right order inside the Arabic text.
    assert re.search(r'<a dir="ltr" href="tel:[^"]+">', front)
    for lang in LANGUAGES:
        page = client.get(f"/{lang}/").text
        assert html_tag(page) == f'<html lang="{lang}" dir="ltr">'
        # The switch's Arabic entry keeps its own direction inside a left-to-right page.
        assert 'lang="ar" dir="rtl" hreflang="ar"' in page


def test_a_right_to_left_draft_previewed_with_make_dev(catalogs, tmp_path, assets_dir):
    catalogs.start("ar", ARABIC)
    client = app_over(catalogs, tmp_path, assets_dir, DEBUG=True).test_client()
    assert html_tag(client.get("/ar/").text) == '<html lang="ar" dir="rtl">'
    missing = client.get("/ar/nothing-here")
    assert missing.status_code == 404 and html_tag(missing.text) == '<html lang="ar" dir="rtl">'


def test_a_mail_isolates_a_reference_only_in_a_right_to_left_language():
    # Plain text has no dir="ltr": FSI ... PDI keep "GBG-2026-00042" in order inside Arabic or Persian.
    assert isolated("GBG-2026-00042", "ar") == isolated("GBG-2026-00042", "fa") == "\u2068GBG-2026-00042\u2069"
    for lang in ("sv", "en", "fi", "de"):
        assert isolated("GBG-2026-00042", lang) == "GBG-2026-00042"
