"""The pages and the error page in Chromium, in every shipped language: axe-core, keyboard,
focus, contrast, the language switch, narrow screens and zoom. Every test also fails on a
console error or a CSP violation (see conftest.py)."""

import pytest

from tests.helpers import LANGUAGES, page_paths

# Every page reachable by GET under /<lang>/, as the sitemap lists them
# (test_every_page_is_listed keeps the sitemap complete).
PAGES = list(page_paths())


def test_every_page_is_listed(app, client):
    lang = LANGUAGES[0]
    html_pages = set()
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.arguments == {"lang"}:
            path = rule.build({"lang": lang}, append_unknown=False)[1]
            if client.get(path).mimetype == "text/html":
                html_pages.add(path.removeprefix(f"/{lang}/"))
    assert html_pages == set(PAGES)

from .checks import (
    assert_accessible,
    describe_focused,
    focus_problems,
    focusable,
    horizontal_overflow,
    low_contrast_text,
    tab_through,
)


@pytest.fixture
def missing_page(page, browser_log):
    """Open the 404 page of a language (Chromium logs the 404 status as a console error)."""
    browser_log.allow(r"status of 404")

    def open_missing(lang):
        response = page.goto(f"/{lang}/no-such-page")
        assert response.status == 404
        return page

    return open_missing


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_page_passes_axe(page, lang, path):
    assert page.goto(f"/{lang}/{path}").status == 200
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").count() == 1
    assert_accessible(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_404_page_passes_axe(missing_page, lang):
    page = missing_page(lang)
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").count() == 1
    assert_accessible(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_text_contrast(page, missing_page, lang):
    for path in PAGES:
        page.goto(f"/{lang}/{path}")
        assert low_contrast_text(page) == [], path
    missing_page(lang)
    assert low_contrast_text(page) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_skip_link_is_first_and_moves_focus_to_main(page, lang):
    page.goto(f"/{lang}/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and box["height"] > 10, "the skip link must show when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)"), describe_focused(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_control_is_reached_by_tab_with_visible_focus(page, missing_page, lang):
    openers = [lambda path=path: page.goto(f"/{lang}/{path}") for path in PAGES] + [lambda: missing_page(lang)]
    for open_page in openers:
        open_page()
        stops = tab_through(page)
        assert stops[0]["element"] == "a.skip-link"
        # Every control, once each, in the order they are read.
        assert [stop["id"] for stop in stops] == focusable(page)
        for stop in stops:
            assert stop["focusVisible"], stop["id"]
            assert focus_problems(stop) == [], f"{stop['id']}: {focus_problems(stop)}"


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_language_switch_keeps_the_page(page, lang, path):
    page.goto(f"/{lang}/{path}")
    title = page.title()
    for other in LANGUAGES:
        if other == lang:
            continue
        page.goto(f"/{lang}/{path}")
        current = page.locator(".language-switch [aria-current]")
        assert current.get_attribute("lang") == lang
        page.locator(f'.language-switch a[hreflang="{other}"]').click()
        page.wait_for_url(f"**/{other}/{path}")
        assert page.locator("html").get_attribute("lang") == other
        assert page.locator(".language-switch [aria-current]").get_attribute("lang") == other
        assert page.title() != title


def test_language_switch_by_keyboard(page):
    lang, other = LANGUAGES[0], LANGUAGES[1]
    page.goto(f"/{lang}/")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.getAttribute('hreflang') === '{other}'"):
            break
    else:
        pytest.fail(f"the link to /{other}/ was not reached by Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{other}/")
    assert page.locator("html").get_attribute("lang") == other


SCREENS = {
    "phone-390": dict(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=3),
    "reflow-320": dict(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True, device_scale_factor=2),
    # A 1280 px window at 200 % browser zoom lays out 640 CSS px at twice the pixel density.
    "zoom-200": dict(viewport={"width": 640, "height": 400}, device_scale_factor=2),
}


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_horizontal_scrolling_and_everything_shown(make_context, lang, screen):
    page = make_context(**SCREENS[screen]).new_page()
    page.goto(f"/{lang}/")
    assert horizontal_overflow(page) == 0
    assert_everything_shown(page)
    page.goto(f"/{lang}/privacy")
    assert horizontal_overflow(page) == 0


@pytest.mark.parametrize("lang", LANGUAGES)
def test_text_at_200_percent(page, lang):
    """Text enlarged to 200 % alone (WCAG 1.4.4), on a desktop window."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"/{lang}/")
    normal = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)") >= 2 * normal - 0.5
    assert horizontal_overflow(page) == 0
    assert_everything_shown(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_form_errors_fit_a_small_screen(make_context, browser_log, lang):
    browser_log.allow(r"status of 422")
    page = make_context(**SCREENS["reflow-320"]).new_page()
    page.goto(f"/{lang}/")
    page.locator("#email").fill("namn.efternamn.med.en.mycket.lang.adress@förvaltning.goteborg.example")
    page.locator("#contact-form button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert horizontal_overflow(page) == 0
    assert_everything_shown(page)


def assert_everything_shown(page):
    """Headings, the contact details and the footer are on screen, nothing is cut off at the side."""
    for selector in ("h1", "main h2", "main h3", ".contact a[href^='tel:']", ".field__label", ".field__input",
                     "#contact-form button[type=submit]", ".site-footer", ".language-switch"):
        items = page.locator(selector)
        assert items.count() > 0, selector
        for i in range(items.count()):
            assert items.nth(i).is_visible(), f"{selector} #{i}"
    cut = page.evaluate(
        """[...document.body.querySelectorAll('*')].filter((e) => {
             const box = e.getBoundingClientRect();
             return box.width > 1 && box.right > document.documentElement.clientWidth + 1;
           }).map((e) => e.tagName + '.' + e.className)"""
    )
    assert cut == []
