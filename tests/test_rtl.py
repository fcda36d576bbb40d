"""A right-to-left language added as data: the page's direction comes from CLDR, not from code,
and the Latin data inside its text (phone number, reference, addresses, city names) is isolated."""

import re
from html.parser import HTMLParser

from tests.arabic import ARABIC
from tests.helpers import LANGUAGES
from webapp.i18n import text_direction
from tests.mail_helpers import mail_config, send, submit
from tests.test_html_valid import collect
from tests.test_languages import FIRST_SENTENCE, app_over
from webapp import ROOT, content, office
from webapp.i18n.bidi import isolated

# The pages, a 404 and a 405 (the form's address answers POST only).
PATHS = {"/ar/": 200, "/ar/privacy": 200, "/ar/accessibility": 200, "/ar/nothing-here": 404, "/ar/contact": 405}
# Text that reads left to right whatever the page: inside an Arabic sentence each must sit alone
# in an element that isolates it (<bdi>, or dir= on the element), or its parts reorder.
LATIN_DATA = [
    re.escape(content.PHONE_DISPLAY),
    re.escape(content.OFFICE_STREET),
    re.escape(", ".join(content.POSTAL_ADDRESS)),
    *map(re.escape, content.POSTAL_ADDRESS),
    r"GBG-[0-9A-Z]{4}-[0-9A-Z]{4}",
    r"https?://localhost/\S*",
    # The partner cities, untranslated in the draft, so in Latin letters (the msgid of each lazy name).
    *(rf"\b{re.escape(city._args[-1])}\b" for city, _country in content.PARTNER_CITIES),
]


# The published languages written left to right (Arabic, published some day, is not one).
LTR_LANGUAGES = [lang for lang in LANGUAGES if text_direction(lang) == "ltr"]


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page)[0]


def arabic_app(catalogs, tmp_path, assets_dir, **config):
    catalogs.start("ar", ARABIC, publish=True)
    return app_over(catalogs, tmp_path, assets_dir, **config)


def test_a_published_right_to_left_language_mirrors_every_page(catalogs, tmp_path, assets_dir):
    client = arabic_app(catalogs, tmp_path, assets_dir).test_client()
    for path, status in PATHS.items():
        response = client.get(path)
        assert response.status_code == status, path
        assert html_tag(response.text) == '<html lang="ar" dir="rtl">', path
    front = client.get("/ar/").text
    assert ARABIC[FIRST_SENTENCE] in front
    for lang in LTR_LANGUAGES:
        page = client.get(f"/{lang}/").text
        assert html_tag(page) == f'<html lang="{lang}" dir="ltr">'
        # The switch's Arabic entry keeps its own direction inside a left-to-right page.
        assert 'lang="ar" dir="rtl" hreflang="ar"' in page


def test_every_page_error_page_and_form_state_is_right_to_left(catalogs, tmp_path, assets_dir):
    # Everything the Nu HTML Checker gets: every GET page, every error page the site has, the form's states.
    app = arabic_app(catalogs, tmp_path, assets_dir)
    documents = collect(app, app.test_client(), ["ar"])
    pages = {name: html for name, (_lang, html) in documents.items() if not name.endswith(".fragment")}
    assert {"ar-site.index", "ar-404", "ar-500", "ar-thanks", "ar-contact-invalid-page"} <= set(pages)
    for name, html in pages.items():
        assert html_tag(html) == '<html lang="ar" dir="rtl">', name


def test_a_right_to_left_draft_previewed_with_make_dev(catalogs, tmp_path, assets_dir):
    catalogs.start("ar", ARABIC)
    client = app_over(catalogs, tmp_path, assets_dir, DEBUG=True).test_client()
    assert html_tag(client.get("/ar/").text) == '<html lang="ar" dir="rtl">'
    missing = client.get("/ar/nothing-here")
    assert missing.status_code == 404 and html_tag(missing.text) == '<html lang="ar" dir="rtl">'
RIGHT_TO_LEFT = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


class LatinData(HTMLParser):
    """Each text of the page that holds Latin data, with the element around it and whether that
    element isolates it (scripts' JSON and the page's <title> are not laid out as text)."""

    def __init__(self, patterns: list[str]):
        super().__init__()
        self.pattern = re.compile("|".join(f"(?:{p})" for p in patterns))
        self.stack: list[tuple[str, bool]] = []
        self.found: list[tuple[str, str, bool]] = []  # (text, element, isolated and alone in it)

    VOID = {"br", "img", "input", "link", "meta", "hr", "source", "wbr"}

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append((tag, tag == "bdi" or (tag != "html" and "dir" in dict(attrs))))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if not self.stack or self.stack[-1][0] in ("script", "style", "title", "textarea"):
            return
        if match := self.pattern.search(data):
            tag, isolates = self.stack[-1]
            # Alone in it, or with other left-to-right text only (a Message-ID holds a reference).
            alone = self.pattern.fullmatch(data.strip()) is not None or not RIGHT_TO_LEFT.search(data)
            self.found.append((data.strip(), tag, isolates and alone))


def latin_data(html: str, patterns=None) -> list[tuple[str, str, bool]]:
    parser = LatinData(patterns or LATIN_DATA)
    parser.feed(html)
    return parser.found


def test_latin_data_in_arabic_text_is_isolated(catalogs, tmp_path, assets_dir):
    app = arabic_app(catalogs, tmp_path, assets_dir)
    documents = collect(app, app.test_client(), ["ar"])
    seen = set()
    for name, (_lang, html) in documents.items():
        for text, tag, isolated_alone in latin_data(html):
            assert isolated_alone, f"{name}: {text!r} in <{tag}> is not isolated on its own"
            seen.add(name)
    # The phone number in the error page and in the error summary, the reference on the thanks page.
    assert {"ar-404", "ar-500", "ar-contact-busy-page", "ar-thanks", "ar-site.index", "ar-site.accessibility"} <= seen


def test_the_check_finds_latin_data_left_in_a_sentence():
    found = latin_data(f"<html dir='rtl'><p>اتصل على {content.PHONE_DISPLAY}.</p><p><bdi>Kiel</bdi></p></html>")
    assert found == [(f"اتصل على {content.PHONE_DISPLAY}.", "p", False), ("Kiel", "bdi", True)]


def test_the_maps_texts_isolate_the_address_and_the_tile_host_in_arabic(catalogs, tmp_path, assets_dir):
    app = arabic_app(catalogs, tmp_path, assets_dir)
    client = app.test_client()
    with app.app_context():
        host = office.tile_host()
    for lang in ("ar", *LANGUAGES):
        page = client.get(f"/{lang}/").text
        caption = re.search(r'data-caption="([^"]*)"', page)[1]
        note = re.search(r'data-note="([^"]*)"', page)[1]
        # Plain text a script shows: no markup to isolate with, so FSI ... PDI, in a right-to-left page only.
        assert isolated(content.OFFICE_STREET, lang) in caption
        assert isolated(host, lang) in note
        assert ("\u2068" in caption + note) == (text_direction(lang) == "rtl")


def test_the_form_gives_the_address_and_the_message_their_own_direction(catalogs, tmp_path, assets_dir):
    # An e-mail address reads left to right in any page; the visitor's text in the direction of its letters.
    client = arabic_app(catalogs, tmp_path, assets_dir).test_client()
    for lang in ("ar", *LANGUAGES):
        page = client.get(f"/{lang}/").text
        assert re.search(r'<input [^>]*dir="ltr"[^>]* id="email"', page), lang
        assert re.search(r'<textarea [^>]*dir="auto"[^>]* id="message"', page), lang


# A side named in the style sheet stays on that side in Arabic: only logical properties mirror.
PHYSICAL = re.compile(
    r"(?:^|[;{\s])(?:(?:margin|padding|border|inset)-(?:left|right)[\w-]*|left|right|float|clear)\s*:"
    r"|text-align\s*:\s*(?:left|right)|border-(?:top|bottom)-(?:left|right)-radius"
)


def physical_sides(css: str) -> list[str]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = [m.group(0).strip(" ;{") for m in PHYSICAL.finditer(css)]
    # Four values for margin or padding name the right one second and the left one last.
    for prop, values in re.findall(r"\b(margin|padding)\s*:\s*([^;}]+)", css):
        parts = values.split()
        if len(parts) == 4 and parts[1] != parts[3]:
            found.append(f"{prop}: {values.strip()}")
    return found


def test_the_style_sheet_names_no_physical_side():
    assert physical_sides((ROOT / "static" / "site.css").read_text(encoding="utf-8")) == []


def test_the_side_check_finds_physical_sides():
    css = ".a { padding-left: 1rem } .b{left:0} .c { text-align: right; } .d { margin: 0 1rem 0 2rem } /* left: 0 */ .e { inset-inline-start: 0 }"
    assert physical_sides(css) == ["padding-left:", "left:", "text-align: right", "margin: 0 1rem 0 2rem"]


def test_a_mail_isolates_a_reference_only_in_a_right_to_left_language():
    # Plain text has no dir="ltr": FSI ... PDI keep "GBG-2026-00042" in order inside Arabic or Persian.
    assert isolated("GBG-2026-00042", "ar") == isolated("GBG-2026-00042", "fa") == "\u2068GBG-2026-00042\u2069"
    for lang in ("sv", "en", "fi", "de"):
        assert isolated("GBG-2026-00042", lang) == "GBG-2026-00042"


def test_an_arabic_receipt_and_an_arabic_office_mail_isolate_their_latin_data(catalogs, tmp_path, assets_dir, smtp):
    # The office's language is a setting, so it may be a right-to-left one too.
    app = arabic_app(catalogs, tmp_path, assets_dir, **mail_config(smtp.port, MAIL_OFFICE_LANGUAGE="ar"))
    reference = submit(app, "ar", email="visitor@example.org", message="مرحبا")
    assert send(app) == 2
    notification, receipt = smtp.recorder.wait_for(2)
    assert receipt["Content-Language"] == "ar"
    assert ARABIC["Your reference number is %(reference)s."] % {"reference": f"\u2068{reference}\u2069"} in receipt.text
    assert f"\u2068{content.PHONE_DISPLAY}\u2069" in receipt.text
    for text in (reference, "visitor@example.org", f"https://internationella.example/staff/messages/{reference}"):
        assert f"\u2068{text}\u2069" in notification.text, text
    assert "\u2068" not in notification["Subject"]  # the registry sorts by the reference at its end
