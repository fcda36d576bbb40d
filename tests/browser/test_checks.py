"""The checks catch what they are there to catch: each is shown a page made worse on purpose."""

from .checks import axe_violations, focus_problems, focused, horizontal_overflow, low_contrast_text


def test_axe_finds_an_image_without_alt_text(page):
    page.goto("/en/")
    page.evaluate("document.querySelector('main h1').after(document.createElement('img'))")
    assert any(v.startswith("image-alt ") for v in axe_violations(page))


def test_low_contrast_text_is_found(page):
    page.goto("/en/")
    page.evaluate("document.querySelector('.lead').style.color = '#aaaaaa'")
    found = low_contrast_text(page)
    assert len(found) == 1 and found[0].startswith("p.lead ")


def test_invisible_focus_is_found(page):
    page.goto("/en/")
    page.evaluate(
        """(() => { const link = document.querySelector('a.site-header__home');
                    link.style.outline = 'none'; link.style.boxShadow = 'none'; link.style.background = 'transparent';
                    link.style.color = '#ffffff'; })()"""
    )
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")
    assert focus_problems(focused(page)) == ["no outline, box-shadow or background"]


def test_faint_focus_outline_is_found(page):
    page.goto("/en/")
    page.evaluate(
        """(() => { const link = document.querySelector('a.site-header__home');
                    link.style.outline = '3px solid #2a5f8f'; link.style.boxShadow = 'none'; link.style.background = 'transparent';
                    link.style.color = '#ffffff'; })()"""
    )
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focus_problems(focused(page)) == ["focus indicator below 3:1 against its surroundings"]


def test_sideways_scrolling_is_found(page):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/en/")
    page.evaluate("document.querySelector('h1').style.minWidth = '600px'")
    assert horizontal_overflow(page) > 0
