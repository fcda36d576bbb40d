"""Arabic and Persian catalogs published in a copy of translations/ (a few sentences translated,
the rest in English), in Chromium: the page mirrors (element boxes measured against Swedish at
phone and desktop width, screenshots to build/screenshots/ for a person to look at), Latin data
keeps its order inside Arabic text, the form works in both flows and is announced as in the
left-to-right languages, the count agrees with the server, and the map's controls are mirrored."""

import json
import re
from pathlib import Path

import pytest
from babel import Locale
from babel.numbers import format_decimal
from babel.support import Translations
from playwright.sync_api import expect

from webapp import ROOT, content
from webapp.contact.forms import MESSAGE_MAX

from ..arabic import ARABIC, REMAINING, TOO_MANY
from ..helpers import CatalogCopy, LANGUAGES, make_app
from ..live_server import LiveServer
from .checks import assert_accessible, assert_accessible_without_javascript
from .conftest import new_context
from .test_aria_snapshots import SUBMIT, Announced
from .test_map import Network

SCREENSHOTS = Path(ROOT) / "build" / "screenshots"
WIDTHS = {"phone": 375, "desktop": 1280}
LTR = next(lang for lang in LANGUAGES if Locale.parse(lang).text_direction == "ltr")


class Site:
    """The live server over the copy, and an app over the same copy for the expected texts."""

    def __init__(self, server, app, folder):
        self.server, self.app = server, app
        self.translations = {lang: Translations.load(str(folder), [lang]) for lang in ("ar", "fa")}


@pytest.fixture(scope="module")
def site(tmp_path_factory, assets_dir):
    folder = tmp_path_factory.mktemp("rtl")
    catalogs = CatalogCopy(folder / "translations")
    catalogs.start("ar", ARABIC, publish=True)
    catalogs.start("fa", publish=True)  # all in English: its numbers are what differs
    env = {"WEBAPP_BABEL_TRANSLATION_DIRECTORIES": json.dumps(str(catalogs.folder))}
    app = make_app(folder, ASSETS_DIR=str(assets_dir), BABEL_TRANSLATION_DIRECTORIES=str(catalogs.folder))
    with LiveServer(folder, env=env) as server:
        yield Site(server, app, catalogs.folder)


@pytest.fixture
def open_page(browser, browser_log, site):
    """A page on the right-to-left site (more options: another viewport, JavaScript off)."""
    contexts, scripted = [], []

    def make(**options):
        contexts.append(new_context(browser, site.server, browser_log, **options))
        page = contexts[-1].new_page()
        if options.get("java_script_enabled", True):  # without JavaScript no CSP report comes
            scripted.append(page)
        return page

    yield make
    for page in scripted:
        browser_log.wait_for_reports(page)
    for context in contexts:
        context.close()
    assert not browser_log.csp_violations, browser_log.csp_violations
    assert not browser_log.unexpected(), browser_log.unexpected()


def layout(page, lang: str, name: str) -> dict:
    """The form sent empty (its errors shown), then the boxes that must mirror."""
    page.goto(f"/{lang}/")
    page.locator(SUBMIT).click()
    page.locator(".field--error").first.wait_for()
    page.locator(".skip-link").focus()
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
    return page.evaluate("""() => {
        const box = (selector) => document.querySelector(selector).getBoundingClientRect();
        const field = getComputedStyle(document.querySelector('.field--error'));
        const list = getComputedStyle(document.querySelector('.error-summary__list'));
        const width = document.documentElement.clientWidth;
        const rtl = document.documentElement.dir === 'rtl';
        const fromStart = (b) => rtl ? width - b.right : b.left;
        const skip = box('.skip-link'), home = box('.site-header__home'), languages = box('.language-switch');
        return {
            dir: document.documentElement.dir,
            skipFromStart: fromStart(skip),
            homeFromStart: fromStart(home),
            homeBeforeSwitch: home.bottom > languages.top && languages.bottom > home.top ? (rtl ? home.left > languages.right : home.right < languages.left) : null,
            markLeft: parseFloat(field.borderLeftWidth), markRight: parseFloat(field.borderRightWidth),
            indentLeft: parseFloat(list.paddingLeft), indentRight: parseFloat(list.paddingRight),
        };
    }""")


@pytest.mark.parametrize("size", WIDTHS)
def test_arabic_page_mirrors_the_swedish_one(open_page, form_errors_expected, size):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = open_page(viewport={"width": WIDTHS[size], "height": 900})
    ltr = layout(page, LTR, f"ltr-{LTR}-{size}.png")
    rtl = layout(page, "ar", f"rtl-ar-{size}.png")
    assert_accessible(page)
    assert (ltr["dir"], rtl["dir"]) == ("ltr", "rtl")
    # The skip link and the home link the same distance from where the line begins; the error
    # mark and the list's indent on the line-start side: left in Swedish, right in Arabic.
    assert rtl["skipFromStart"] == ltr["skipFromStart"]
    assert rtl["homeFromStart"] == ltr["homeFromStart"]
    # The language switch after the home link in reading order, where they share a line.
    assert rtl["homeBeforeSwitch"] == ltr["homeBeforeSwitch"] and ltr["homeBeforeSwitch"] in (True, None)
    assert ltr["markLeft"] > 0 == ltr["markRight"] and rtl["markRight"] == ltr["markLeft"] and rtl["markLeft"] == 0
    assert ltr["indentLeft"] > 0 and rtl["indentRight"] == ltr["indentLeft"] and rtl["indentLeft"] == ltr["indentRight"]


# Where each character of `text` is drawn, inside the first element matching the selector; with
# `unisolated`, after its isolation is taken away (as if the template had none).
DRAWN = """([selector, text, unisolated]) => {
    const element = document.querySelector(selector);
    if (unisolated) element.style.unicodeBidi = 'normal';
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.data.indexOf(text);
        if (at < 0) continue;
        return Array.from(text, (_, i) => {
            const range = document.createRange();
            range.setStart(node, at + i);
            range.setEnd(node, at + i + 1);
            const box = range.getBoundingClientRect();
            return [box.left, box.top];
        });
    }
    return null;
}"""


def reads_left_to_right(page, selector: str, text: str, unisolated: bool = False) -> bool:
    boxes = page.evaluate(DRAWN, [selector, text, unisolated])
    assert boxes, f"{text!r} not in {selector}"
    assert len({top for _, top in boxes}) == 1, f"{text!r} wraps"
    lefts = [left for (left, _), char in zip(boxes, text) if not char.isspace()]
    return lefts == sorted(lefts)


def test_latin_data_keeps_its_order_in_arabic_text(open_page, browser_log):
    browser_log.allow(r"status of 404")
    page = open_page()
    page.goto("/ar/")
    phone, postcode = content.PHONE_DISPLAY, content.POSTAL_ADDRESS[1]
    assert reads_left_to_right(page, ".contact a[href^='tel:']", phone)
    assert reads_left_to_right(page, ".contact__block p bdi:nth-of-type(2)", postcode)
    # Without the isolation the same text turns around ("Göteborg 82 404"): the check can fail.
    assert not reads_left_to_right(page, ".contact__block p bdi:nth-of-type(2)", postcode, unisolated=True)
    response = page.goto("/ar/no-such-page")
    assert response.status == 404
    sentence = page.locator("main p", has=page.locator("a[href^='tel:']"))
    assert ARABIC["You can also call Gothenburg’s contact centre on %(phone)s."].split("%")[0] in sentence.inner_text()
    assert reads_left_to_right(page, "main a[href^='tel:']", phone)
    assert not reads_left_to_right(page, "main a[href^='tel:']", phone, unisolated=True)


def sent_reference(page) -> str:
    reference = page.locator("[data-reference]")
    expect(reference).to_be_visible()
    text = reference.get_attribute("data-reference")
    assert reads_left_to_right(page, "[data-reference]", text)
    return text


def test_the_form_works_in_arabic_with_javascript(open_page, form_errors_expected):
    page = open_page()
    page.goto("/ar/")
    # The inline check flags a bad address on leaving the field; the mark is on the right.
    page.locator("#email").fill("x@")
    page.locator("#message").focus()
    field = page.locator("#email-field.field--error")
    expect(field).to_be_visible()
    assert field.evaluate("e => [getComputedStyle(e).borderRightWidth, getComputedStyle(e).borderLeftWidth]") == ["5px", "0px"]
    page.locator("#email").fill("asa@example.se")
    page.locator("#message").fill("مرحبا، سؤال عن المدن الشريكة.")
    page.locator(SUBMIT).click()
    assert ARABIC["Thank you! We have received your message."] in page.locator(".confirmation").inner_text()
    sent_reference(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "rtl-ar-desktop-sent.png"), full_page=True)
    assert_accessible(page)


def test_the_form_works_in_arabic_without_javascript(browser, open_page, form_errors_expected):
    page = open_page(java_script_enabled=False)
    page.goto("/ar/")
    page.locator("#email").fill("x@")
    page.locator("#message").fill("Hello from Gothenburg")
    with page.expect_navigation():
        page.locator(SUBMIT).click()
    expect(page.locator("#error-summary")).to_be_focused()
    # The text comes back as written, in its own direction (Latin here) inside the Arabic page.
    assert page.locator("#message").input_value() == "Hello from Gothenburg"
    assert page.locator("#message").evaluate("e => e.matches(':dir(ltr)')")
    assert_accessible_without_javascript(browser, page)
    page.locator("#email").fill("")
    with page.expect_navigation():
        page.locator(SUBMIT).click()
    assert "/ar/contact/thanks/" in page.url
    assert page.locator("html").get_attribute("dir") == "rtl"
    sent_reference(page)
    assert_accessible_without_javascript(browser, page)


def test_each_field_has_its_direction_whatever_the_page(open_page):
    page = open_page()
    for lang, text, direction in (("ar", "Hello", "ltr"), (LTR, "مرحبا بكم", "rtl"), ("ar", "مرحبا بكم", "rtl")):
        page.goto(f"/{lang}/")
        # An address reads left to right everywhere; the message follows its own first letters.
        assert page.locator("#email").evaluate("e => e.matches(':dir(ltr)')"), lang
        page.locator("#message").fill(text)
        assert page.locator("#message").evaluate(f"e => e.matches(':dir({direction})')"), (lang, text)


def test_arabic_form_is_announced_as_the_left_to_right_ones(site, open_page, form_errors_expected):
    # The same snapshots as tests/browser/test_aria_snapshots.py, the texts from the Arabic catalog.
    announced = Announced(site.app, "ar")
    page = open_page()
    page.goto("/ar/")
    form = page.locator("#contact-form")
    expect(form).to_match_aria_snapshot(announced.empty)
    expect(page.locator("#message")).to_have_accessible_description(announced.message_hint)
    page.locator(SUBMIT).click()
    page.locator("#error-summary").wait_for()
    expect(form).to_match_aria_snapshot(announced.with_errors)
    expect(page.locator("#message")).to_have_accessible_description(f"{announced.message_hint} {announced.error}")
    page.locator("#message").fill("مرحبا")
    page.locator(SUBMIT).click()
    page.locator("[data-reference]").wait_for()
    expect(form).to_match_aria_snapshot(announced.sent)


# Characters left (below 0: over the limit) -> Arabic's CLDR category, its index in ARABIC's forms.
ARABIC_CASES = [(0, 0), (1, 1), (2, 2), (3, 3), (10, 3), (11, 4), (99, 4), (100, 5), (103, 3), (-1, 1), (-2, 2), (-7, 3), (-12, 4), (-101, 5)]


def test_arabic_count_uses_its_six_plural_forms(site, open_page):
    page = open_page()
    page.goto("/ar/")
    status = page.locator(".char-count__status")
    for left, index in ARABIC_CASES:
        page.locator("#message").fill("x" * (MESSAGE_MAX - left))
        forms = REMAINING if left >= 0 else TOO_MANY
        n = abs(left)
        expected = site.translations["ar"].ungettext(forms, forms.replace("character", "characters"), n) % {"num": n}
        assert expected == ARABIC[forms][index] % {"num": n}
        expect(status).to_have_text(expected)


NUMBER = re.compile(r"\d[\d\s,.\u066b\u066c]*\d|\d")


@pytest.mark.parametrize("lang", ["ar", "fa"])
def test_the_count_and_the_server_write_the_same_number(open_page, form_errors_expected, lang):
    # Persian's own digits are CLDR's default; the server's Babel writes Latin ones, so the count must too.
    page = open_page()
    page.goto(f"/{lang}/")
    page.locator("#message").fill("x" * (MESSAGE_MAX + 1234))
    counted = NUMBER.search(page.locator(".char-count__status").inner_text())[0]
    page.locator(SUBMIT).click()
    error = page.locator("#message-error")
    expect(error).to_be_visible()
    assert NUMBER.search(error.inner_text())[0] == counted == format_decimal(1234, locale=lang)


def map_corners(page, lang: str) -> dict:
    Network(page)
    page.goto(f"/{lang}/")
    page.locator(".office-map__toggle").click()
    page.locator(".leaflet-marker-icon").wait_for()
    page.locator(".leaflet-marker-icon").click()
    page.locator(".leaflet-popup-close-button").wait_for()
    return page.evaluate("""() => {
        const box = (selector) => document.querySelector(selector).getBoundingClientRect();
        const canvas = box('.office-map__canvas'), popup = box('.leaflet-popup-content-wrapper');
        const side = (b, within) => (b.left + b.right) / 2 < (within.left + within.right) / 2 ? 'left' : 'right';
        return {
            zoom: side(box('.leaflet-control-zoom'), canvas),
            attribution: side(box('.leaflet-control-attribution'), canvas),
            close: side(box('.leaflet-popup-close-button'), popup),
            align: getComputedStyle(document.querySelector('.leaflet-popup-content-wrapper')).textAlign,
            // The credit reads as in English: Leaflet's flag, then "Leaflet".
            flagFirst: (() => {
                const link = document.querySelector('.leaflet-control-attribution a');
                const text = [...link.childNodes].find((node) => node.nodeType === 3 && node.data.includes('Leaflet'));
                const range = document.createRange();
                range.selectNodeContents(text);
                return link.querySelector('svg').getBoundingClientRect().left < range.getBoundingClientRect().left;
            })(),
        };
    }""")


def test_the_maps_controls_are_mirrored_in_arabic(open_page):
    page = open_page()
    expected = {"align": "start", "flagFirst": True}
    assert map_corners(page, LTR) == {"zoom": "left", "attribution": "right", "close": "right", **expected}
    assert map_corners(page, "ar") == {"zoom": "right", "attribution": "left", "close": "left", **expected}
