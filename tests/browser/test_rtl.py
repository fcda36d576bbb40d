"""An Arabic catalog published in a copy of translations/ (a few sentences translated, the rest in
English): the page mirrors. Measured by element boxes, Arabic against Swedish, at phone and desktop
width; screenshots go to build/screenshots/ for a person to look at."""

import json
from pathlib import Path

import pytest

from webapp import ROOT

from ..helpers import CatalogCopy, LANGUAGES
from ..live_server import LiveServer
from ..test_rtl import ARABIC
from .checks import assert_accessible
from .conftest import new_context

SCREENSHOTS = Path(ROOT) / "build" / "screenshots"
WIDTHS = {"phone": 375, "desktop": 1280}


@pytest.fixture(scope="module")
def arabic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("arabic")
    catalogs = CatalogCopy(folder / "translations")
    catalogs.start("ar", ARABIC, publish=True)
    env = {"WEBAPP_BABEL_TRANSLATION_DIRECTORIES": json.dumps(str(catalogs.folder))}
    with LiveServer(folder, env=env) as server:
        yield server


def layout(page, lang: str, name: str) -> dict:
    """The form sent empty (its errors shown), then the boxes that must mirror."""
    page.goto(f"/{lang}/")
    page.locator("#contact-form button[type='submit']").click()
    page.locator(".field--error").first.wait_for()
    page.locator(".skip-link").focus()
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
    return page.evaluate("""() => {
        const box = (selector) => document.querySelector(selector).getBoundingClientRect();
        const field = getComputedStyle(document.querySelector('.field--error'));
        const list = getComputedStyle(document.querySelector('.error-summary__list'));
        const width = document.documentElement.clientWidth;
        const skip = box('.skip-link');
        return {
            dir: document.documentElement.dir,
            skipFromStart: document.documentElement.dir === 'rtl' ? width - skip.right : skip.left,
            markLeft: parseFloat(field.borderLeftWidth), markRight: parseFloat(field.borderRightWidth),
            indentLeft: parseFloat(list.paddingLeft), indentRight: parseFloat(list.paddingRight),
        };
    }""")


@pytest.mark.parametrize("size", WIDTHS)
def test_arabic_page_mirrors_the_swedish_one(browser, browser_log, arabic, form_errors_expected, size):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = new_context(browser, arabic, browser_log, viewport={"width": WIDTHS[size], "height": 900})
    try:
        page = context.new_page()
        ltr = layout(page, LANGUAGES[0], f"ltr-{LANGUAGES[0]}-{size}.png")
        rtl = layout(page, "ar", f"rtl-ar-{size}.png")
        assert_accessible(page)
    finally:
        context.close()
    assert (ltr["dir"], rtl["dir"]) == ("ltr", "rtl")
    # The skip link the same distance from where the line begins; the error mark and the list's
    # indent on the line-start side: left in Swedish, right in Arabic.
    assert rtl["skipFromStart"] == ltr["skipFromStart"]
    assert ltr["markLeft"] > 0 == ltr["markRight"] and rtl["markRight"] == ltr["markLeft"] and rtl["markLeft"] == 0
    assert ltr["indentLeft"] > 0 and rtl["indentRight"] == ltr["indentLeft"] and rtl["indentLeft"] == ltr["indentRight"]
    assert not browser_log.unexpected(), browser_log.unexpected()
