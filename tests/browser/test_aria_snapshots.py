"""What assistive technology is told about the contact form, empty, with errors and sent, in
every language: Playwright's ARIA snapshots pin the roles, names and states Chromium hands a
screen reader (axe checks rules; this fails when what is announced changes), and the fields'
descriptions, which snapshots leave out, are checked beside them.

Every expected text comes from the form and the catalogs, rendered in the page's language.
"""

import json
import re

import pytest
from flask import url_for
from flask_babel import gettext
from playwright.sync_api import expect

from webapp.contact.forms import ContactForm
from tests.helpers import LANGUAGES

SUBMIT = "#contact-form button[type=submit]"


def q(text: str) -> str:
    """A text as a quoted YAML scalar (JSON's quoting is YAML's), so colons and quotes are just text."""
    return json.dumps(re.sub(r"\s+", " ", str(text)).strip(), ensure_ascii=False)


def around(sentence: str, placeholder: str) -> tuple[str, str]:
    """A translated sentence's text before and after its placeholder (a link or a reference)."""
    before, after = sentence.split(f"%({placeholder})s")
    return q(before), q(after)


class Announced:
    """The snapshots and descriptions expected in one language."""

    def __init__(self, app, lang: str):
        with app.test_request_context(f"/{lang}/"):
            form = ContactForm()
            email, message = form.email, form.message
            self.email_hint, self.message_hint = str(email.description), str(message.description)
            self.error = f"{gettext('Error:')} {gettext('Enter your message')}"
            privacy_link = gettext("How the City processes your personal data")
            before_link, after_link = around(
                gettext(
                    "The City of Gothenburg processes your personal data in accordance with the General Data Protection"
                    " Regulation (GDPR). For more information, see %(link)s."
                ),
                "link",
            )
            fields = f"""
- text: {q(email.label.text + " " + self.email_hint)}
- textbox {q(email.label.text)}
- text: {q(message.label.text + " " + self.message_hint)}
{{message_error}}- textbox {q(message.label.text)}{{message_state}}
- paragraph
- paragraph:
  - text: {before_link}
  - link {q(privacy_link)}:
    - /url: {url_for("site.privacy", lang=lang)}
  - text: {after_link}
- button {q(gettext("Send"))}
"""
            self.empty = "- /children: deep-equal" + fields.format(message_error="", message_state="")
            problem = q(gettext("There is a problem"))
            self.with_errors = f"""- /children: deep-equal
- alert {problem}:
  - heading {problem} [level=4]
  - list:
    - listitem:
      - link {q(gettext("Enter your message"))}:
        - /url: "#message"
""" + fields.format(message_error=f"- paragraph: {q(self.error)}\n", message_state=" [invalid]").lstrip("\n")
            before_reference, after_reference = around(gettext("Your reference number is %(reference)s."), "reference")
            self.sent = f"""- /children: deep-equal
- heading {q(gettext("Thank you! We have received your message."))} [level=3]
- paragraph:
  - text: {before_reference}
  - strong: /GBG-[0-9A-Z]{{4}}-[0-9A-Z]{{4}}/
  - text: {after_reference}
- paragraph: {q(gettext("You did not give an e-mail address, so we cannot reply to you. Quote the reference number if you contact us about this matter."))}
- paragraph:
  - link {q(gettext("Send another message"))}:
    - /url: {url_for("site.index", lang=lang)}#contact
"""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_form_as_a_screen_reader_gets_it_empty_with_errors_and_sent(app, page, form_errors_expected, lang):
    announced = Announced(app, lang)
    page.goto(f"/{lang}/")
    form = page.locator("#contact-form")
    expect(form).to_match_aria_snapshot(announced.empty)
    expect(page.locator("#email")).to_have_accessible_description(announced.email_hint)
    expect(page.locator("#message")).to_have_accessible_description(announced.message_hint)

    page.locator(SUBMIT).click()
    page.locator("#error-summary").wait_for()
    expect(form).to_match_aria_snapshot(announced.with_errors)
    expect(page.locator("#message")).to_have_accessible_description(f"{announced.message_hint} {announced.error}")

    page.locator("#message").fill("Hej")
    page.locator(SUBMIT).click()
    page.locator("[data-reference]").wait_for()
    expect(form).to_match_aria_snapshot(announced.sent)


def test_a_snapshot_fails_when_what_is_announced_changes(app, page):
    """The snapshots can fail: the same page with the button's name changed does not match."""
    announced = Announced(app, "en")
    page.goto("/en/")
    page.locator(SUBMIT).evaluate("button => { button.textContent = 'Submit' }")
    with pytest.raises(AssertionError):
        expect(page.locator("#contact-form")).to_match_aria_snapshot(announced.empty, timeout=500)
