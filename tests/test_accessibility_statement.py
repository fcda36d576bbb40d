"""The accessibility statement the DOS law requires, in every language, linked from every page's footer."""

import re

import pytest
from babel.dates import format_date
from markupsafe import Markup

from webapp import content
from tests.helpers import LANGUAGES

from .helpers import rendered, translate


# What Digg asks a statement to hold, by the English of the statement's texts; each language
# shows them as its catalog has them.
SERVICE = "International relations"
REQUIRED = {
    "body": "The City of Gothenburg, through the City Executive Office, is responsible for the website %(service)s at %(address)s. We want as many people as possible to be able to use it.",
    "status": "This website is partly compliant with the Act (2018:1937) on accessibility to digital public service, because of the shortcomings described below.",
    "shortcomings": "Content that is not accessible",
    "exempt": "Content that is not covered by the law",
    "method": "We have assessed the website ourselves (internal testing). Its automated tests run on every change: they check every page in every language with axe-core in a real browser and with the Nu Html Checker, use the map with the keyboard only, and check that the pages work without JavaScript.",
    "report": "Report an accessibility problem through the contact form",
    "supervision": "The Agency for Digital Government (Digg) supervises the Act on accessibility to digital public service. If you are not satisfied with how we handle your comments, you can contact Digg and tell them.",
    "digg": "Report to the Agency for Digital Government (Digg)",
}
ASSESSED = "The latest assessment was made on %(date)s."
UPDATED = "This statement was last updated on %(date)s."


@pytest.mark.parametrize("lang", LANGUAGES)
def test_statement_holds_what_digg_requires(client, lang):
    response = client.get(f"/{lang}/accessibility")
    assert response.status_code == 200
    html = response.text
    title = rendered(lang, "Accessibility statement")
    assert f'<html lang="{lang}" dir=' in html
    assert html.count("<h1") == 1
    assert f"<h1>{title}</h1>" in html
    assert f"<title>{title} – " in html
    body = rendered(lang, REQUIRED["body"], service=translate(lang, SERVICE), address=Markup(f"<bdi>http://localhost/{lang}/</bdi>"))
    assert f'<p class="lead">{body}</p>' in html
    for key in ("shortcomings", "exempt"):
        assert f"<h3>{rendered(lang, REQUIRED[key])}</h3>" in html
    for key in ("status", "method", "supervision", "report", "digg"):
        assert str(rendered(lang, REQUIRED[key])) in html, key
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


SWEDISH_DATE = "27 november 2026"  # a fact, as Swedish writes it


@pytest.mark.parametrize("lang", LANGUAGES)
def test_statement_in_every_language(client, lang):
    html = client.get(f"/{lang}/accessibility").text
    assert f'<html lang="{lang}" dir=' in html
    for message in STATEMENT_MESSAGES:
        assert str(rendered(lang, message)) in html, message


@pytest.mark.parametrize("lang", LANGUAGES)
def test_dates_come_from_one_place(client, lang):
    html = client.get(f"/{lang}/accessibility").text
    for message, day in ((ASSESSED, content.ACCESSIBILITY_ASSESSED), (UPDATED, content.ACCESSIBILITY_UPDATED)):
        shown = Markup(f'<time datetime="{day.isoformat()}">{format_date(day, "long", locale=lang)}</time>')
        assert f"<p>{rendered(lang, message, date=shown)}</p>" in html
    assert f'<time datetime="2026-11-27">{SWEDISH_DATE}</time>' in client.get("/sv/accessibility").text


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
