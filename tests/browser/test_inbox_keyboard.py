"""The inbox by keyboard alone, in Chromium (issue 20's "works with the keyboard alone"): a registrar
signed in with a one-time link types a word into the search box (htmx's active search), tabs to the
result, opens it with Enter, registers it with a diary number, adds a note and goes back to the
list, with page.keyboard only; focus is visible at every stop and lands where it should (beyond
test_staff_list.py's walk: the sign-in, the note, each stop's focus). Then axe on each page the walk
passed through, in every language."""

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.helpers import LANGUAGES, ntranslate, translate
from tests.live_server import LiveServer
from webapp.contact import submissions
from webapp.db import connect

from .checks import assert_accessible, describe_focused, focus_problems, focused

REGISTRAR = "rut.registrator@goteborg.se"
WANTED = "Hej! Vi undrar hur vänortssamarbetet med Åbo fungerar.\nMed vänlig hälsning, Aino"
OTHERS = ("Fråga om praktik på stadsledningskontoret", "Hello, a question about the student exchange", "Hyvää päivää, kysymys")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """A site of its own (no provider: a sign-in link is the way in), with a few messages."""
    with LiveServer(tmp_path_factory.mktemp("inbox-keyboard")) as server:
        yield server


@pytest.fixture(scope="module")
def wanted(live_server) -> str:
    db = connect(live_server.database)
    try:
        reference = submissions.store(db, locale="sv", form_key=secrets.token_hex(16), email="aino@example.fi", message=WANTED)
        for text in OTHERS:
            submissions.store(db, locale="sv", form_key=secrets.token_hex(16), email="", message=text)
    finally:
        db.close()
    return reference


def tab_to(page, wanted, limit: int = 60) -> list[str]:
    """Press Tab until `wanted(description, id, href)` holds for the focused element; every stop on
    the way must show its focus. Returns the stops."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = focused(page)
        assert state is not None, f"focus left the page after {stops}"
        stop = describe_focused(page)
        assert not focus_problems(state), f"{stop}: {focus_problems(state)}"
        stops.append(stop)
        if wanted(stop, page.evaluate("document.activeElement.id"), page.evaluate("document.activeElement.getAttribute('href')")):
            return stops
    raise AssertionError(f"not reached in {limit} Tab presses: {stops}")


def by_id(wanted_id):
    return lambda stop, element_id, href: element_id == wanted_id


def by_href(wanted_href):
    return lambda stop, element_id, href: href == wanted_href


def by_text(text):
    return lambda stop, element_id, href: stop.split(" ", 1)[-1].strip() == text


def test_a_registrar_finds_registers_and_notes_a_message_by_keyboard_alone(page, live_server, wanted):
    sv = lambda message, **variables: translate("sv", message, **variables)  # noqa: E731
    page.goto(live_server.sign_in_link(REGISTRAR, "registrar"))
    tab_to(page, by_text(sv("Sign in")))
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/")

    stops = tab_to(page, by_id("q"))  # the search box, after the skip link and the header
    assert sv("Skip to main content") in stops[0]
    page.keyboard.type("vänort")  # htmx searches as one types, and puts the search in the address
    page.wait_for_url(re.compile(r"/staff/\?q=v%C3%A4nort"))
    expect(page.locator("tr[data-reference]")).to_have_count(1)
    expect(page.locator("#inbox-hits")).to_have_text(ntranslate("sv", "%(num)d message", "%(num)d messages", 1, num=1))
    expect(page.locator("#q")).to_be_focused()
    assert_accessible(page)

    tab_to(page, by_href(f"/staff/messages/{wanted}"))  # on to the one result's link
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/staff/messages/{wanted}")
    expect(page.locator(".staff-message").first).to_have_text(WANTED)
    assert_accessible(page)

    stops = tab_to(page, by_id("diary_number"))
    assert sv("Skip to main content") in stops[0]  # a new page: focus starts at its top
    page.keyboard.type("KS 2026-00417")
    tab_to(page, by_id("registered_on"), limit=1)  # today's date is filled in
    tab_to(page, by_text(sv("Register")), limit=5)  # past the date's day, month and year
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/staff/messages/{wanted}?done=register")
    expect(page.get_by_role("status")).to_have_text(sv("The message is registered."))

    tab_to(page, by_id("note"))
    page.keyboard.type("Vidarebefordrat till enheten för internationellt samarbete.")
    tab_to(page, by_text(sv("Add the note")), limit=1)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/staff/messages/{wanted}?done=note")
    expect(page.get_by_role("status")).to_have_text(sv("Your note is saved."))
    history = page.get_by_role("region", name=sv("History"))
    expect(history).to_contain_text("KS 2026-00417")
    expect(history).to_contain_text("Vidarebefordrat till enheten för internationellt samarbete.")
    assert_accessible(page)

    tab_to(page, by_text(sv("All messages")))  # back to the list
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/")
    expect(page.locator(f'tr[data-reference="{wanted}"]')).to_contain_text(sv("registered"))
    assert_accessible(page)


def test_each_page_of_the_walk_passes_axe_in_every_language(page, live_server, wanted):
    page.goto(live_server.sign_in_link(REGISTRAR, "registrar"))
    page.get_by_role("button", name=translate("sv", "Sign in")).click()
    page.wait_for_url("**/staff/")
    for lang in LANGUAGES:
        page.locator(f"form.staff-language button[value={lang}]").click()
        expect(page.locator("html")).to_have_attribute("lang", lang)
        for path in ("/staff/", "/staff/?q=v%C3%A4nort", f"/staff/messages/{wanted}", f"/staff/messages/{wanted}?done=register", f"/staff/messages/{wanted}?done=note"):
            page.goto(path)
            expect(page.locator("html")).to_have_attribute("lang", lang)
            assert_accessible(page)
