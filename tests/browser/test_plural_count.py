"""The character count in a language with more than two plural forms: Polish, published in a
copy of translations/ (a draft is not served in production). The browser picks the form with
Intl.PluralRules and writes the number with Intl.NumberFormat; both must agree with what the
server's Babel says for the same number."""

import json

import pytest
from babel.support import Translations
from playwright.sync_api import expect

from webapp.contact.forms import MESSAGE_MAX

from ..helpers import CatalogCopy
from ..live_server import LiveServer
from .conftest import new_context

REMAINING = ("You have %(num)s character remaining", "You have %(num)s characters remaining")
TOO_MANY = ("You have %(num)s character too many", "You have %(num)s characters too many")
POLISH = {
    REMAINING[0]: ["Został %(num)s znak", "Zostały %(num)s znaki", "Zostało %(num)s znaków"],
    TOO_MANY[0]: ["O %(num)s znak za dużo", "O %(num)s znaki za dużo", "O %(num)s znaków za dużo"],
}


@pytest.fixture(scope="module")
def polish(tmp_path_factory):
    folder = tmp_path_factory.mktemp("polish")
    catalogs = CatalogCopy(folder / "translations")
    catalogs.start("pl", POLISH, publish=True)
    env = {"WEBAPP_BABEL_TRANSLATION_DIRECTORIES": json.dumps(str(catalogs.folder))}
    with LiveServer(folder, env=env) as server:
        yield server, Translations.load(str(catalogs.folder), ["pl"])


# Characters left (below 0: over the limit) -> the CLDR category Polish puts the number in.
# Small numbers: how digits are grouped is another matter (Babel groups "5 000" in Polish,
# CLDR and the browser write "5000"), tested in every published language by test_contact_flows.
CASES = [(0, "many"), (1, "one"), (2, "few"), (5, "many"), (12, "many"), (22, "few"), (-1, "one"), (-2, "few"), (-5, "many"), (-22, "few"), (-112, "many")]


@pytest.mark.parametrize("left, category", CASES)
def test_polish_count_uses_the_right_plural_form(browser, browser_log, polish, left, category):
    server, translations = polish
    context = new_context(browser, server, browser_log)
    try:
        page = context.new_page()
        page.goto("/pl/")
        page.locator("#message").fill("x" * (MESSAGE_MAX - left))
        n = abs(left)
        forms = REMAINING if left >= 0 else TOO_MANY
        expected = translations.ungettext(*forms, n) % {"num": n}  # the form the server's catalog picks
        assert expected == POLISH[forms[0]][{"one": 0, "few": 1, "many": 2}[category]] % {"num": n}
        expect(page.locator(".char-count__status")).to_have_text(expected)
    finally:
        context.close()
    assert not browser_log.unexpected(), browser_log.unexpected()
