"""The accessibility statement the DOS law requires, in every language, linked from every page's footer."""

import re

import pytest

from webapp import content
from webapp.i18n import LANGUAGES

from .helpers import translate

# What Digg asks a statement to hold, in the words of the two languages whose texts are checked here.
REQUIRED = {
    "sv": {
        "title": "Tillgänglighetsredogörelse",
        "body": "Göteborgs Stad, genom stadsledningskontoret, står bakom webbplatsen Internationella relationer",
        "status": "Den här webbplatsen är delvis förenlig med lagen (2018:1937) om tillgänglighet till digital offentlig service",
        "shortcomings": "<h3>Innehåll som inte är tillgängligt</h3>",
        "exempt": "<h3>Innehåll som inte omfattas av lagen</h3>",
        "method": "Vi har gjort en självskattning (intern testning) av webbplatsen.",
        "assessed": "Senaste bedömningen gjordes den ",
        "updated": "Redogörelsen uppdaterades senast den ",
        "report": "Rapportera ett tillgänglighetsproblem via kontaktformuläret",
        "supervision": "Myndigheten för digital förvaltning (Digg) har ansvaret för tillsyn",
        "digg": "Anmäl till Myndigheten för digital förvaltning (Digg)",
        "date": "27 november 2026",
    },
    "en": {
        "title": "Accessibility statement",
        "body": "The City of Gothenburg, through the City Executive Office, is responsible for the website International relations",
        "status": "This website is partly compliant with the Act (2018:1937) on accessibility to digital public service",
        "shortcomings": "<h3>Content that is not accessible</h3>",
        "exempt": "<h3>Content that is not covered by the law</h3>",
        "method": "We have assessed the website ourselves (internal testing).",
        "assessed": "The latest assessment was made on ",
        "updated": "This statement was last updated on ",
        "report": "Report an accessibility problem through the contact form",
        "supervision": "The Agency for Digital Government (Digg) supervises",
        "digg": "Report to the Agency for Digital Government (Digg)",
        "date": "November 27, 2026",
    },
}


@pytest.mark.parametrize("lang", REQUIRED)
def test_statement_holds_what_digg_requires(client, lang):
    texts = REQUIRED[lang]
    response = client.get(f"/{lang}/accessibility")
    assert response.status_code == 200
    html = response.text
    assert f'<html lang="{lang}">' in html
    assert html.count("<h1") == 1
    assert f"<h1>{texts['title']}</h1>" in html
    assert f"<title>{texts['title']} – " in html
    for key in ("body", "status", "shortcomings", "exempt", "method", "supervision", "report", "digg"):
        assert texts[key] in html, key
    assert f"{texts['body']} på http://localhost/{lang}/" in html or f"at http://localhost/{lang}/" in html
    # Fully compliant is claimed nowhere: the tests cannot back it.
    assert "fullt förenlig" not in html and "fully compliant" not in html


# Every message of the statement, which every language's catalog must translate.
STATEMENT_MESSAGES = [
    "Accessibility statement",
    "This website is partly compliant with the Act (2018:1937) on accessibility to digital public service, because of the shortcomings described below.",
    "Content that is not accessible",
    "Content that is not covered by the law",
    "How we tested the website",
    "Report an accessibility problem through the contact form",
    "Report to the Agency for Digital Government (Digg)",
    "Supervision",
]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_statement_in_every_language(client, lang):
    html = client.get(f"/{lang}/accessibility").text
    assert f'<html lang="{lang}">' in html
    for message in STATEMENT_MESSAGES:
        text = translate(lang, message)
        assert lang == "en" or text != message, f"{lang} catalog lacks {message!r}"
        assert text in html, text


@pytest.mark.parametrize("lang", REQUIRED)
def test_dates_come_from_one_place(client, lang):
    texts = REQUIRED[lang]
    html = client.get(f"/{lang}/accessibility").text
    assessed = content.ACCESSIBILITY_ASSESSED.isoformat()
    updated = content.ACCESSIBILITY_UPDATED.isoformat()
    assert f'{texts["assessed"]}<time datetime="{assessed}">' in html
    assert f'{texts["updated"]}<time datetime="{updated}">' in html
    assert f'<time datetime="{assessed}">{texts["date"]}</time>' in html


def test_dates_are_real_and_in_order():
    assert content.ACCESSIBILITY_ASSESSED <= content.ACCESSIBILITY_UPDATED


@pytest.mark.parametrize("lang", LANGUAGES)
def test_statement_links_to_the_contact_form_and_to_digg(client, lang):
    html = client.get(f"/{lang}/accessibility").text
    report = translate(lang, "Report an accessibility problem through the contact form")
    digg = translate(lang, "Report to the Agency for Digital Government (Digg)")
    assert f'<a href="/{lang}/#contact-form">{report}</a>' in html
    assert '<form id="contact-form"' in client.get(f"/{lang}/").text
    assert f'<a href="https://www.digg.se/tdosanmalan">{digg}</a>' in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_statement_has_alternates_in_every_language(client, lang):
    html = client.get(f"/{lang}/accessibility").text
    assert f'<link rel="canonical" href="http://localhost/{lang}/accessibility">' in html
    for code in LANGUAGES:
        assert f'<link rel="alternate" hreflang="{code}" href="http://localhost/{code}/accessibility">' in html
    assert f'<link rel="alternate" hreflang="x-default" href="http://localhost/{LANGUAGES[0]}/accessibility">' in html


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", ["/", "/accessibility", "/no-such-page"])
def test_footer_links_to_the_statement_on_every_page(client, lang, path):
    html = client.get(f"/{lang}{path}").text
    footer = html.split('<footer class="site-footer">', 1)[1]
    link = re.search(rf'<a href="/{lang}/accessibility">([^<]+)</a>', footer)
    assert link and link.group(1) == translate(lang, "Accessibility statement")
