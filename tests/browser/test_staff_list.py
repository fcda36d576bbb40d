"""The staff list in Chromium: axe in every state (empty, rows, active search, no hits, a bad
filter, bulk actions done and refused), the search typed with htmx and its live region, and
what a screen reader is told about the table (an ARIA snapshot)."""

import json
import re

from playwright.sync_api import expect

from tests.helpers import ntranslate, translate
from webapp.contact import submissions
from webapp.db import connect

from .checks import assert_accessible, assert_accessible_without_javascript
from .test_staff import at_provider, live_server, sign_in  # noqa: F401 (the fixtures, for this module's own server)

def seed(live_server, *messages: dict) -> list[str]:
    db = connect(live_server.database)
    try:
        return [
            submissions.store(db, locale=m.get("locale", "sv"), email=m.get("email", ""), message=m["message"], form_key=f"{n}{m['message']}"[:32].ljust(32, "x"), status=m.get("status", "new"))
            for n, m in enumerate(messages)
        ]
    finally:
        db.close()


def q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def test_the_list_in_each_state_passes_axe_and_searches_as_you_type(page, at_provider, live_server, browser_log):
    browser_log.allow(r"status of 400|status of 422")
    sign_in(page, "registrar@goteborg.se")
    page.wait_for_url("**/staff/")
    expect(page.locator("#inbox-results")).to_contain_text(translate("sv", "No messages have arrived."))
    assert_accessible(page)

    twin, other, spam = seed(
        live_server,
        {"message": "Om vänortssamarbetet med Åbo\nandra raden", "email": "anna@example.se"},
        {"message": "\u0645\u0631\u062d\u0628\u0627 \u0628\u0643\u0645", "locale": "en"},
        {"message": "Köp klockor", "status": "spam"},
    )
    page.reload()
    expect(page.locator("tr[data-reference]")).to_have_count(3)
    assert_accessible(page)
    assert_accessible_without_javascript(page.context.browser, page)

    page.locator("#q").press_sequentially("vänort")
    page.wait_for_url(re.compile(r"/staff/\?q=v%C3%A4nort&"))  # pushed: back, reload and a bookmark give this list
    expect(page.locator("tr[data-reference]")).to_have_count(1)
    expect(page.locator(f'tr[data-reference="{twin}"]')).to_be_visible()
    expect(page.locator("#inbox-hits")).to_have_text(ntranslate("sv", "%(num)d message", "%(num)d messages", 1, num=1))
    expect(page.locator("#q")).to_be_focused()  # typing goes on where it was
    assert_accessible(page)
    for lang in ("en", "sv"):  # the language switch comes back to the search, not to the page as first loaded
        page.locator(f"form.staff-language button[value={lang}]").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(translate(lang, "Messages"))
        expect(page.locator("#q")).to_have_value("vänort")

    page.locator("#q").fill("ingenting")
    expect(page.locator("#inbox-hits")).to_have_text(translate("sv", "No messages"))
    expect(page.locator("#inbox-results")).to_contain_text(translate("sv", "No message matches. Try fewer words or another filter."))
    assert_accessible(page)
    page.go_back()  # the list as it was a search ago, from the server
    expect(page.locator("#q")).to_have_value("vänort")
    expect(page.locator("tr[data-reference]")).to_have_count(1)

    page.goto("/staff/?from=2026-13-01&state=x")
    expect(page.locator("#error-summary")).to_be_focused()
    assert_accessible(page)

    page.goto("/staff/")
    page.get_by_role("button", name=translate("sv", "Mark as closed")).click()
    expect(page.locator("#error-summary")).to_contain_text(translate("sv", "Tick the messages to change first."))
    assert_accessible(page)
    page.locator(f"#tick-{twin}").check()
    page.locator(f"#tick-{spam}").check()
    page.get_by_role("button", name=translate("sv", "Mark as closed")).click()
    report = page.locator("#inbox-report")
    expect(report).to_be_focused()
    expect(report).to_contain_text(ntranslate("sv", "%(num)d message closed:", "%(num)d messages closed:", 1, num=1))
    expect(report.get_by_role("listitem").first).to_have_text(twin)
    expect(report).to_contain_text(f"{spam}: " + translate("sv", "Not closed: it is %(state)s.", state=translate("sv", "spam")))
    expect(page.locator(f'tr[data-reference="{twin}"]')).to_contain_text(translate("sv", "closed"))
    assert_accessible(page)
    assert other


def test_a_screen_reader_is_told_the_table_as_it_is(page, at_provider, live_server):
    sign_in(page, "reader@goteborg.se")
    page.wait_for_url("**/staff/")
    (reference,) = seed(live_server, {"message": "Fråga om praktik\nmer text", "email": "a@example.se", "locale": "fi"})
    page.goto(f"/staff/?q={reference}")
    caption = q(translate("sv", "Messages, newest first"))
    received = q(f"{translate('sv', 'Received')} ({translate('sv', 'show the oldest first')})")
    header = "\n".join(
        f"        - columnheader {q(translate('sv', name))}" for name in ("State", "Language", "Address given", "First line")
    )
    expect(page.locator("#inbox-results .staff-table")).to_match_aria_snapshot(
        f"""
- /children: deep-equal
- region {caption}:
  - table {caption}:
    - caption: {caption}
    - rowgroup:
      - row:
        - columnheader {q(translate("sv", "Reference"))}
        - columnheader {received}:
          - link {received}:
            - /url: /staff/?q={reference}&sort=oldest
{header}
    - rowgroup:
      - row:
        - cell {q(reference)}:
          - link {q(reference)}:
            - /url: /staff/messages/{reference}
        - cell /\\d{{4}}-\\d{{2}}-\\d{{2}} \\d{{2}}:\\d{{2}}/:
          - time: /\\d{{4}}-\\d{{2}}-\\d{{2}} \\d{{2}}:\\d{{2}}/
        - cell {q(translate("sv", "new"))}
        - cell "finska"
        - cell {q(translate("sv", "yes"))}
        - cell "Fråga om praktik"
"""
    )
    expect(page.locator('th[aria-sort="descending"]')).to_have_count(1)
    assert 'name="ticked"' not in page.content()  # a reader changes nothing


def tab_to(page, test: str, limit: int = 80) -> None:
    """Press Tab until the focused element passes `test` (JavaScript, of `e`), as a keyboard user does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(e => {test})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {test}")


def test_search_open_register_and_back_to_the_list_by_keyboard(page, at_provider, live_server):
    (reference,) = seed(live_server, {"message": "Inbjudan till Nordiska vänortsdagarna i Åbo"})
    sign_in(page, "registrar@goteborg.se")
    page.wait_for_url("**/staff/")
    tab_to(page, "e.id === 'q'")
    page.keyboard.type("vänortsdag")
    expect(page.locator("tr[data-reference]")).to_have_count(1)
    tab_to(page, f"e.textContent === {q(reference)}")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/staff/messages/{reference}")
    tab_to(page, "e.id === 'diary_number'")
    page.keyboard.type("SLK-2026-42")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/staff/messages/{reference}?done=register")
    tab_to(page, f"e.textContent === {q(translate('sv', 'All messages'))}")
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/")
    expect(page.locator(f'tr[data-reference="{reference}"]')).to_contain_text(translate("sv", "registered"))
    assert_accessible(page)
