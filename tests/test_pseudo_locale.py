"""No string escapes translation: every page and state, rendered under a pseudo-locale.

At test time the strings are extracted from the code and each msgstr is made its
msgid with accented letters between ⟦ and ⟧ ("⟦Šéñđ⟧"), placeholders such as
%(num)s kept, both plural forms filled. Visible text without those marks was
never marked for translation.

Which locale: "en". The msgids are English and English has no catalog, so a
pseudo catalog for "en" in a temporary translations directory shadows nothing
real, while Babel keeps all of CLDR's English data (plural rules, numbers,
country names). Invented codes such as en_XA or qps-ploc are unknown to Babel:
every CLDR lookup would fail. The app's catalog cache is per app (webapp.i18n),
so the pseudo catalog never leaks into other tests.
"""

import re
import shutil
from html.parser import HTMLParser
from io import BytesIO

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from werkzeug.exceptions import BadRequest

from tests.helpers import page_paths, Visitor, locked_database, make_app
from webapp import ROOT, content
from webapp.i18n import language_name
from tests.helpers import LANGUAGES
from webapp.i18n.cli import Project, extract


PSEUDO = "en"
OPEN, CLOSE = "⟦", "⟧"
ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "åƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
PLACEHOLDER = re.compile(r"(%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%])")

# Text that is the same in every language: proper names and numbers. Country
# and language names come from CLDR for the active locale, not from our catalogs.
ALLOWED = [
    *content.POSTAL_ADDRESS,
    content.OFFICE_STREET,
    content.PHONE_DISPLAY,
    *(Locale.parse(PSEUDO).territories[code] for _, code in content.PARTNER_CITIES),
    *(language_name(code) for code in LANGUAGES),
]
REFERENCE = re.compile(r"GBG-[0-9A-Z]{4}-[0-9A-Z]{4}")  # a submission's reference number
# Attributes whose text people see or hear, besides text nodes.
VISIBLE_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "aria-placeholder", "aria-roledescription", "aria-valuetext"}
# Attributes holding text that the page's scripts show (static/contact.js): the character
# count's data-under-one, data-over-few ... (one per plural category of the language).
SCRIPT_TEXT_ATTRIBUTES = re.compile(r"data-(?:title|message|(?:under|over)-[a-z]+)")


def pseudo(text: str) -> str:
    pieces = PLACEHOLDER.split(text)
    return OPEN + "".join(p if PLACEHOLDER.fullmatch(p) else p.translate(ACCENTED) for p in pieces) + CLOSE


def pseudo_catalog() -> Catalog:
    catalog = Catalog(locale=PSEUDO)
    for message in read_po(BytesIO(extract(Project(ROOT)))):
        if not message.id:
            continue
        string = tuple(pseudo(i) for i in message.id) if message.pluralizable else pseudo(message.id)
        catalog.add(message.id, string, context=message.context, flags=message.flags)
    return catalog


class VisibleText(HTMLParser):
    """Text nodes and the attributes that carry text, in document order."""

    HIDDEN = {"script", "style", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if value and (name in VISIBLE_ATTRIBUTES or SCRIPT_TEXT_ATTRIBUTES.fullmatch(name)):
                self.texts.append(value)
        if tag == "meta" and attrs.get("name") == "description":
            self.texts.append(attrs.get("content") or "")
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
            self.texts.append(attrs["value"])
        if tag in self.HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.texts.append(data)


def untranslated(html: str) -> list[str]:
    """The pieces of visible text that are neither pseudo-translated nor allowed."""
    parser = VisibleText()
    parser.feed(html)
    text = "\n".join(parser.texts)
    # Innermost first: a translated string may hold another (a link's text) as its value.
    while (shorter := re.sub(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", " ", text)) != text:
        text = shorter
    for allowed in sorted(ALLOWED, key=len, reverse=True):
        text = text.replace(allowed, " ")
    text = REFERENCE.sub(" ", text)
    return [line.strip() for line in text.splitlines() if re.search(r"[^\W\d_]", line)]


@pytest.fixture(scope="module")
def pseudo_translations(tmp_path_factory):
    """The pseudo catalog, extracted and compiled once for this module's tests."""
    mo = tmp_path_factory.mktemp("translations") / PSEUDO / "LC_MESSAGES" / "messages.mo"
    mo.parent.mkdir(parents=True)
    with mo.open("wb") as f:
        write_mo(f, pseudo_catalog())
    shutil.copy(ROOT / "translations" / "LANGUAGES", mo.parents[2])
    return mo.parents[2]


@pytest.fixture
def pseudo_app(tmp_path, pseudo_translations):
    app = make_app(tmp_path, BABEL_TRANSLATION_DIRECTORIES=str(pseudo_translations), PROPAGATE_EXCEPTIONS=False)

    # Errors no URL of the site produces on demand, raised the way real ones are.
    @app.get("/<lang>/test-error/<int:code>")
    def test_error(lang, code):
        if code == 400:
            raise BadRequest()
        raise RuntimeError("an unexpected failure")

    return app


def submit_while_locked(app, visitor, **submit):
    with locked_database(app):
        return visitor.submit(**submit)


def rate_limited(app, visitor, **submit):
    app.config["CONTACT_RATE_LIMIT"] = "1 per minute"
    visitor.submit(message="1")
    return visitor.submit(**submit)


def page_left_open(app, visitor, **submit):
    """The time trap on, and a stamp that does not verify: the visitor is asked to send again."""
    app.config["MAIL_SPAM_MIN_SECONDS"] = 3
    return visitor.submit(served="", **submit)


def from_another_site(visitor, htmx=False, **values):
    headers = {"Sec-Fetch-Site": "cross-site", **({"HX-Request": "true"} if htmx else {})}
    return visitor.client.post(f"/{visitor.lang}/contact", data=visitor.fields(**values), headers=headers)


def confirmation_page(app, visitor, **submit):
    return visitor.client.get(visitor.submit(**submit).headers["Location"])


# Every page and state a visitor can meet: (status, how to get there). One line each.
# The visitor's own text is digits, which need no translation.
STATES = {
    **{f"page /en/{path}": (200, lambda app, v, path=path: v.client.get(f"/en/{path}")) for path in page_paths()},
    "field errors and error summary": (422, lambda app, v: v.submit(email="1@", message="")),
    "field errors and error summary, htmx": (422, lambda app, v: v.submit(htmx=True, email="1@", message="")),
    "inline check of a field, htmx": (200, lambda app, v: v.check("email", email="1@", attempted="1")),
    "inline check saying required, htmx": (200, lambda app, v: v.check("message", message="", attempted="1")),
    "message 1 character too long": (422, lambda app, v: v.submit(message="1" * 5001)),
    "message 1234 characters too long": (422, lambda app, v: v.submit(message="1" * 6234)),
    "message with control characters": (422, lambda app, v: v.submit(message="1\x01")),
    "unreadable form key": (422, lambda app, v: v.submit(message="1", form_key="1")),
    "confirmation page with e-mail": (200, lambda app, v: confirmation_page(app, v, email="1@example.com", message="1")),
    "confirmation page without e-mail": (200, lambda app, v: confirmation_page(app, v, message="1")),
    "confirmation, htmx": (200, lambda app, v: v.submit(htmx=True, email="1@example.com", message="1")),
    "page open too long, send again": (422, lambda app, v: page_left_open(app, v, message="1")),
    "page open too long, send again, htmx": (422, lambda app, v: page_left_open(app, v, htmx=True, message="1")),
    "form from another site": (403, lambda app, v: from_another_site(v, message="1")),
    "form from another site, htmx": (403, lambda app, v: from_another_site(v, htmx=True, message="1")),
    "429 too many messages": (429, lambda app, v: rate_limited(app, v, message="1")),
    "429 too many messages, htmx": (429, lambda app, v: rate_limited(app, v, htmx=True, message="1")),
    "503 database busy": (503, lambda app, v: submit_while_locked(app, v, message="1")),
    "503 database busy, htmx": (503, lambda app, v: submit_while_locked(app, v, htmx=True, message="1")),
    "413 too much sent": (413, lambda app, v: v.client.post("/en/contact", data={"message": "1" * 70_000})),
    "413 too much sent, htmx": (413, lambda app, v: v.client.post("/en/contact", data={"message": "1" * 70_000}, headers={"HX-Request": "true"})),
    "400 unreadable request": (400, lambda app, v: v.client.get("/en/test-error/400")),
    "404 page not found": (404, lambda app, v: v.client.get("/en/missing")),
    "405 method not allowed": (405, lambda app, v: v.client.delete("/en/")),
    "500 unexpected error": (500, lambda app, v: v.client.get("/en/test-error/500")),
}


@pytest.mark.parametrize("state", STATES)
def test_every_visible_string_is_translated(pseudo_app, state):
    status, reach = STATES[state]
    response = reach(pseudo_app, Visitor(pseudo_app.test_client(), PSEUDO))
    assert response.status_code == status
    assert OPEN in response.text, "the pseudo catalog was not used"
    assert untranslated(response.text) == []


def test_pseudo_strings_keep_placeholders_and_mark_the_rest():
    assert pseudo("Your message is %(count)s characters too long") == "⟦Ýöûŕ ɱéššåĝé îš %(count)s çĥåŕåçţéŕš ţöö ļöñĝ⟧"
    assert pseudo("100%% of %(num)d") == "⟦100%% öƒ %(num)d⟧"


def test_pseudo_catalog_covers_plural_forms():
    catalog = pseudo_catalog()
    message = catalog.get("Your message is %(count)s character too long")
    assert message.string == ("⟦Ýöûŕ ɱéššåĝé îš %(count)s çĥåŕåçţéŕ ţöö ļöñĝ⟧", "⟦Ýöûŕ ɱéššåĝé îš %(count)s çĥåŕåçţéŕš ţöö ļöñĝ⟧")


def test_the_check_finds_text_that_escaped_translation():
    html = (
        '<title>⟦Ĥöɱé⟧ – Home</title><p>⟦Ŵŕîţé ţö ûš⟧ today</p><img alt="A map">'
        '<button aria-label="Close">×</button><p>⟦Ýöûŕ ŕéƒéŕéñçé îš <strong>GBG-7K3F-9Q2M</strong>.⟧</p>'
        '<p>⟦Šéé <a>⟦Ĥöŵ⟧</a> ƒöŕ ɱöŕé⟧</p><p>Göteborgs Stad, 404 82 Göteborg</p><script>var untranslated;</script>'
    )
    assert untranslated(html) == ["– Home", "today", "A map", "Close"]
