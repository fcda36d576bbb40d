"""The staff area in Chromium: signing in through the real provider's login page, the shell in
every language, no-access and signed-out pages; axe-core, the skip link and focus on each."""

import secrets

import pytest
from playwright.sync_api import expect

from tests.helpers import LANGUAGES, translate
from tests.browser.test_aria_snapshots import q
from tests.live_server import LiveServer
from webapp.contact import submissions
from webapp.db import connect
from webapp.inbox import cases
from webapp.retention import holds

from .checks import assert_accessible, focus_problems, tab_through


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, oidc_provider_for):
    """The site with sign-in through the test provider (this module's pages are staff pages)."""
    server = LiveServer(tmp_path_factory.mktemp("staff-live"))
    url = server.reserve()
    provider = oidc_provider_for(url)
    server.extra_env = {
        "WEBAPP_PUBLIC_URL": url,
        "WEBAPP_STAFF_OIDC_ISSUER": provider.issuer,
        "WEBAPP_STAFF_OIDC_CLIENT_ID": provider.client_id,
        "WEBAPP_STAFF_OIDC_CLIENT_SECRET": provider.client_secret,
        "WEBAPP_STAFF_OIDC_SCOPE": "openid profile email roles",
    }
    with server:
        yield server


@pytest.fixture
def at_provider(browser_log):
    """The provider's own pages are not ours: its favicon is missing and its sign-out page asks
    Google for a font, which this offline machine cannot reach."""
    browser_log.allow(r"status of 404|fonts\.googleapis|ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED|net::ERR")


def sign_in(page, login):
    page.goto("/staff/")
    page.get_by_role("link", name=translate("sv", "Sign in with your City of Gothenburg account")).click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def test_sign_in_through_the_providers_page_in_every_language(page, at_provider):
    page.goto("/staff/")
    assert page.url.endswith("/staff/auth/signin")
    assert_accessible(page)
    sign_in(page, "admin@goteborg.se")
    page.wait_for_url("**/staff/")
    name = "Märta Förvaltare"
    assert page.get_by_text(translate("sv", "Signed in as %(name)s, %(role)s", name=name, role=translate("sv", "administrator"))).is_visible()
    stops = tab_through(page)  # the keyboard reaches everything, the skip link first, with visible focus
    assert translate("sv", "Skip to main content") in stops[0]["id"]
    assert translate("sv", "Sign out") in " ".join(stop["id"] for stop in stops)
    assert [(stop["id"], focus_problems(stop)) for stop in stops if focus_problems(stop)] == []
    for lang in LANGUAGES:
        page.locator(f"form.staff-language button[value={lang}]").click()
        assert page.locator("html").get_attribute("lang") == lang
        assert page.get_by_role("heading", level=1).inner_text() == translate(lang, "Messages")
        assert_accessible(page)
    for path in ("/staff/log", "/staff/sessions", "/staff/retention/"):
        page.goto(path)
        assert_accessible(page)


def test_a_person_without_a_role_sees_the_no_access_page(page, at_provider, browser_log):
    browser_log.allow(r"status of 403")
    sign_in(page, "nobody@goteborg.se")
    page.wait_for_url("**/staff/auth/callback**")
    assert page.get_by_role("heading", level=1).inner_text() == translate("sv", "You have no access to the staff area")
    assert_accessible(page)


def test_sign_out_there_too_and_land_on_the_signed_out_page(page, at_provider):
    sign_in(page, "reader@goteborg.se")
    page.wait_for_url("**/staff/")
    page.get_by_role("button", name=translate("sv", "Sign out")).click()
    page.locator("button[name=logout][value=yes], button[value=yes]").first.click()
    page.wait_for_url("**/staff/auth/signed-out**")
    assert page.get_by_role("heading", level=1).inner_text() == translate("sv", "You are signed out")
    assert_accessible(page)
    page.goto("/staff/")
    assert page.url.endswith("/staff/auth/signin")


def stored(live_server, message, **fields):
    db = connect(live_server.database)
    try:
        return submissions.store(db, locale="sv", message=message, form_key=secrets.token_hex(16), **{"email": "", **fields})
    finally:
        db.close()



def test_a_message_by_keyboard_in_every_state_for_axe_and_a_screen_reader(page, at_provider, browser_log, live_server):
    browser_log.allow(r"status of 40[49]|status of 422")
    text = "Hej!\nSe https://phish.example/login <b>nu</b>\nمرحبا بالعالم " + "ö" * 120
    reference = stored(live_server, text, email="visitor@example.org")
    sign_in(page, "registrar@goteborg.se")
    page.wait_for_url("**/staff/")
    page.goto(f"/staff/messages/{reference}")
    expect(page.locator("article")).to_match_aria_snapshot(announced_message(reference, text))
    assert_accessible(page)

    for _ in range(40):  # by keyboard: Tab to the diary number, type it, Enter (the date is today's)
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "diary_number":
            break
    page.keyboard.type("SLK-2026-17")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/staff/messages/{reference}?done=register")
    expect(page.get_by_role("status")).to_have_text(translate("sv", "The message is registered."))
    page.get_by_label(translate("sv", "Internal note")).fill("Ringde upp.\nמחר")
    page.get_by_role("button", name=translate("sv", "Add the note")).click()
    page.wait_for_url("**?done=note")
    assert page.get_by_role("region", name=translate("sv", "History")).get_by_text("SLK-2026-17").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name=translate("sv", "Add the note")).click()  # empty: 422 with the error summary
    expect(page.get_by_role("alert")).to_contain_text(translate("sv", "Write the note"))
    assert_accessible(page)

    page.get_by_label(translate("sv", "Internal note")).fill("Sent i onödan")
    db = connect(live_server.database)
    cases.change(db, reference, "answered", actor="Bo Registrator", version=2)  # someone else, meanwhile
    db.close()
    page.get_by_role("button", name=translate("sv", "Add the note")).click()
    expect(page.get_by_role("alert")).to_contain_text("Bo Registrator")
    assert page.get_by_label(translate("sv", "Internal note")).input_value() == "Sent i onödan"
    assert_accessible(page)

    spam = stored(live_server, "Köp billigt", status="spam")
    page.goto(f"/staff/messages/{spam}")
    assert_accessible(page)
    held = stored(live_server, "Begär ut handlingen")
    db = connect(live_server.database)
    holds.hold(db, held, "Begäran om allmän handling", "Märta Förvaltare")
    db.close()
    page.goto(f"/staff/messages/{held}")
    assert_accessible(page)
    page.goto("/staff/messages/GBG-ZZZZ-ZZZZ")
    assert_accessible(page)


def announced_message(reference: str, text: str) -> str:
    """What a screen reader is told of a new message as a registrar sees it (the times vary)."""
    sv = lambda message, **variables: q(translate("sv", message, **variables))  # noqa: E731
    return f"""
- heading {sv("Message %(reference)s", reference=reference)} [level=1]
- status
- region {sv("About the message")}:
  - heading {sv("About the message")} [level=2]
  - term: {sv("State")}
  - definition: {sv("new")}
  - term: {sv("Received")}
  - definition:
    - time: /\\d{{4}}-\\d\\d-\\d\\d \\d\\d:\\d\\d/
  - term: {sv("Language of the page")}
  - definition: svenska
  - term: {sv("The sender's e-mail address")}
  - definition:
    - link "visitor@example.org":
      - /url: mailto:visitor@example.org
  - term: {sv("Diary number")}
  - definition: {sv("Not registered")}
  - term: {sv("Retention hold")}
  - definition: {sv("Not held")}
- region {sv("The message")}:
  - heading {sv("The message")} [level=2]
  - text: {q(text)}
- region {sv("Handle the message")}:
  - heading {sv("Handle the message")} [level=2]
  - group {sv("Register")}:
    - textbox {sv("Diary number")}
    - textbox {sv("Date registered")}
    - button {sv("Register")}
  - button {sv("Mark as answered")}
  - button {sv("Mark as closed")}
  - button {sv("Mark as spam")}
  - textbox {sv("Internal note")}
  - button {sv("Add the note")}
- region {sv("History")}:
  - heading {sv("History")} [level=2]
  - paragraph: {sv("Nothing has been done with the message yet.")}
"""
