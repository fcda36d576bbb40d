"""A translation is text: whatever a translator types is shown as typed, never read as HTML.
Markup a sentence needs stays in the template and comes in through a placeholder."""

import re

from flask import render_template_string
from markupsafe import Markup

from tests.helpers import Visitor, rendered

SEND = "Send"
LABEL = "Ask a question or leave a comment."


def test_html_in_a_msgstr_is_shown_as_text(catalogs, catalogs_app):
    catalogs.edit("sv", {SEND: "<b Skicka", LABEL: "<b Ställ en fråga"})
    html = Visitor(catalogs_app.test_client(), "sv").page
    assert '<button class="button" type="submit">&lt;b Skicka</button>' in html
    # The label keeps its words, and the field after it is still there.
    assert '<label class="field__label" for="message">&lt;b Ställ en fråga</label>' in html
    assert re.search(r'</label>\s*<div class="field__hint" id="message-hint">', html)
    assert "<b " not in html


def test_entities_and_markup_in_a_msgstr_are_text_too(catalogs, catalogs_app):
    catalogs.edit("sv", {SEND: "Skicka&nbsp;<i>nu</i>", "There is a problem": "Kontrollera <a href=x>detta</a>"})
    client = catalogs_app.test_client()
    html = Visitor(client, "sv").page
    assert "Skicka&amp;nbsp;&lt;i&gt;nu&lt;/i&gt;</button>" in html
    # In an attribute too (the slot's title, shown by contact.js with textContent).
    assert 'data-title="Kontrollera &lt;a href=x&gt;detta&lt;/a&gt;"' in html


def test_markup_passed_through_a_placeholder_is_kept(client):
    html = client.get("/sv/").text
    link = Markup('<a href="/sv/privacy">%s</a>') % rendered("sv", "How the City processes your personal data")
    sentence = "The City of Gothenburg processes your personal data in accordance with the General Data Protection Regulation (GDPR). For more information, see %(link)s."
    assert f'<p class="privacy-note">{rendered("sv", sentence, link=link)}</p>' in html


def test_a_placeholders_plain_text_is_escaped(app):
    with app.test_request_context("/sv/"):
        out = render_template_string('{{ _("See %(place)s on OpenStreetMap", place="<Torg & Co>") }}')
    assert out == str(rendered("sv", "See %(place)s on OpenStreetMap", place="<Torg & Co>"))
    assert "&lt;Torg &amp; Co&gt;" in out


def test_lazy_translations_from_python_are_escaped(catalogs, catalogs_app):
    # Flask-Babel's lazy strings declare themselves safe HTML; ours do not.
    catalogs.edit("sv", {"Page not found": "Sidan <finns> inte"})
    html = catalogs_app.test_client().get("/sv/ingenting").text
    assert "<h1>Sidan &lt;finns&gt; inte</h1>" in html


def test_without_autoescape_a_translation_is_left_as_it_is(catalogs, catalogs_app):
    catalogs.edit("sv", {SEND: "Skicka & klart"})
    with catalogs_app.test_request_context("/sv/"):
        out = render_template_string('{% autoescape false %}{{ _("Send") }} {{ ngettext("%(num)s x", "%(num)s xs", 2) }}{% endautoescape %}')
    assert out == "Skicka & klart 2 xs"


def test_every_gettext_a_template_can_call_escapes(catalogs, catalogs_app):
    catalogs.edit("sv", {("partner city", "Krakow"): "<Kraków>", "Send": "<Skicka>"})
    with catalogs_app.test_request_context("/sv/"):
        out = render_template_string(
            '{{ gettext("Send") }}|{{ pgettext("partner city", "Krakow") }}|{{ npgettext("x", "<one>", "<many>", 2) }}'
        )
    assert out == "&lt;Skicka&gt;|&lt;Kraków&gt;|&lt;many&gt;"
