"""The staff area in Chromium: signing in through the real provider's login page, the shell in
every language, no-access and signed-out pages; axe-core, the skip link and focus on each."""

import pytest

from tests.helpers import LANGUAGES, translate
from tests.live_server import LiveServer

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
