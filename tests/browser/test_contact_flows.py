"""The contact form in Chromium, in every shipped language, as visitors use it: inline
checks, the character count, the error summary, sending, double clicks, JavaScript off,
and the keyboard alone. Every test also fails on a console error or CSP violation,
except the 422 status that Chromium logs when a form comes back with errors."""

import pytest
from playwright.sync_api import expect
from flask_babel import format_number, get_translations, gettext, ngettext

from webapp.contact.forms import EMAIL_FORMAT_ERROR, MESSAGE_MAX
from tests.helpers import LANGUAGES

from .checks import assert_accessible, assert_accessible_without_javascript, focus_problems, focused, low_contrast_text

MESSAGE = "Hej! Jag undrar över vänortssamarbetet med Åbo och Nelson Mandela Bay – går det att besöka er? 😀🇸🇪"
EMAIL = "åsa.öberg@exempel.se"

SUBMIT = "#contact-form button[type=submit]"


class Texts:
    """What the page should say in a language, from the same catalogs the site uses."""

    @staticmethod
    def count(kind: str, n: int) -> str:
        # The count's numbers are grouped as the language writes them ("4 997" in Swedish).
        template = get_translations().ungettext(
            f"You have %(num)s character {kind}", f"You have %(num)s characters {kind}", n
        )
        return template % {"num": format_number(n)}

    def __init__(self, app, lang):
        with app.test_request_context(f"/{lang}/"):
            self.email_format = str(EMAIL_FORMAT_ERROR)
            self.message_required = gettext("Enter your message")
            self.error_prefix = gettext("Error:")
            self.problem = gettext("There is a problem")
            self.received = gettext("Thank you! We have received your message.")
            self.remaining = {n: self.count("remaining", n) for n in (MESSAGE_MAX, MESSAGE_MAX - 3)}
            self.one_too_many = self.count("too many", 1)
            self.one_too_long = ngettext(
                "Your message is %(count)s character too long", "Your message is %(count)s characters too long", 1, count=format_number(1)
            )


@pytest.fixture
def texts(app):
    return lambda lang: Texts(app, lang)


def stored(submissions, reference: str) -> dict:
    rows = [row for row in submissions() if row["reference"] == reference]
    assert len(rows) == 1, f"{reference}: {len(rows)} rows"
    return rows[0]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_bad_email_is_flagged_when_leaving_the_field(page, texts, lang):
    say = texts(lang)
    page.goto(f"/{lang}/")
    email = page.locator("#email")
    email.fill("not-an-address")
    page.keyboard.press("Tab")  # on to the message: the check runs as the visitor leaves
    error = page.locator("#email-error")
    error.wait_for()
    assert error.text_content().split(None, 1)[1] == say.email_format
    email = page.locator("#email")  # the field was replaced by the server's partial
    assert email.get_attribute("aria-invalid") == "true"
    assert "email-error" in email.get_attribute("aria-describedby").split()
    assert email.input_value() == "not-an-address"
    assert page.locator("#contact-live").text_content().strip() == f"{say.error_prefix} {say.email_format}"
    assert page.locator("#contact-live").get_attribute("aria-live") == "polite"
    # Focus stayed where the visitor went, and typing goes on there.
    expect(page.locator("#message")).to_be_focused()
    page.keyboard.type("Hej")
    assert page.locator("#message").input_value() == "Hej"
    assert_accessible(page)

    # Corrected while the error shows: it is re-checked as the visitor types, and goes away.
    email.fill("namn@example.se")
    page.locator("#email-error").wait_for(state="detached")
    assert page.locator("#email").get_attribute("aria-invalid") is None
    assert page.locator("#contact-live").text_content().strip() == ""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_character_count_while_typing_and_pasting(context, texts, lang, live_server):
    say = texts(lang)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(f"/{lang}/")
    status = page.locator(".char-count__status")
    announce = page.locator(".char-count__announce")
    expect(status).to_have_text(say.remaining[MESSAGE_MAX])
    page.locator("#message").focus()
    page.keyboard.type("Åäö")
    expect(status).to_have_text(say.remaining[MESSAGE_MAX - 3])
    # Screen readers hear the count once the visitor pauses, not at every key.
    expect(announce).to_have_text(say.remaining[MESSAGE_MAX - 3])

    page.keyboard.press("ControlOrMeta+A")
    page.evaluate(f"navigator.clipboard.writeText('{'x' * (MESSAGE_MAX + 1)}')")
    page.keyboard.press("ControlOrMeta+V")
    # Nothing is cut off: the visitor sees all they pasted and is told how much is too much.
    assert len(page.locator("#message").input_value()) == MESSAGE_MAX + 1
    expect(status).to_have_text(say.one_too_many)
    assert "char-count__status--over" in status.get_attribute("class")
    assert "field__input--over" in page.locator("#message").get_attribute("class")
    expect(announce).to_have_text(say.one_too_many)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_too_long_message_is_refused_and_kept(page, texts, form_errors_expected, lang):
    say = texts(lang)
    page.goto(f"/{lang}/")
    page.locator("#message").fill("å" * (MESSAGE_MAX + 1))
    page.locator(SUBMIT).click()
    page.locator("#message-error").wait_for()
    assert page.locator("#message-error").text_content().split(None, 1)[1] == say.one_too_long
    assert page.locator("#message").input_value() == "å" * (MESSAGE_MAX + 1)
    # The count comes back once htmx has settled the new form.
    expect(page.locator(".char-count__status")).to_have_text(say.one_too_many)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_empty_submit_focuses_the_error_summary_whose_links_move_focus(page, texts, form_errors_expected, lang):
    say = texts(lang)
    page.goto(f"/{lang}/")
    page.locator("#email").fill("fel@")
    page.locator(SUBMIT).click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    expect(page.locator("#error-summary")).to_be_focused()
    assert summary.get_attribute("role") == "alert"
    assert summary.locator("h4, h3, h2").first.text_content() == say.problem
    links = summary.locator("a")
    assert [links.nth(i).text_content() for i in range(links.count())] == [say.email_format, say.message_required]
    assert_accessible(page)
    assert low_contrast_text(page) == []
    for i, target in enumerate(["email", "message"]):
        assert links.nth(i).get_attribute("href") == f"#{target}"
        links.nth(i).click()
        expect(page.locator(f"#{target}")).to_be_focused()
        # The label is on screen too, so the visitor sees what the field is.
        assert page.locator(f"label[for={target}]").is_visible()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_correcting_a_field_while_typing_never_replaces_it(page, texts, form_errors_expected, lang):
    """The re-check of a field in error answers while the visitor types: the error goes,
    but the text box itself is never swapped out, so no keystroke, caret or focus is lost."""
    say = texts(lang)
    page.goto(f"/{lang}/")
    page.locator(SUBMIT).click()
    page.locator("#error-summary").wait_for()
    page.locator("#error-summary a[href='#message']").click()
    box = page.locator("#message")
    expect(box).to_be_focused()
    page.evaluate("document.getElementById('message').dataset.sameNode = 'yes'")
    expect(page.locator("#message-error")).to_contain_text(say.message_required)

    with page.expect_response(lambda r: "/contact/validate/message" in r.url):
        page.keyboard.type("Hej")  # the pause after it sends the re-check
    page.keyboard.type(" då")
    expect(page.locator("#message-error")).to_have_count(0)
    expect(page.locator("#message-field")).not_to_have_class("field field--error")
    assert box.get_attribute("aria-invalid") is None
    assert box.get_attribute("aria-describedby") == "message-hint"
    assert box.get_attribute("data-hx-trigger") == "change"
    assert box.get_attribute("data-same-node") == "yes"
    expect(box).to_be_focused()
    assert box.input_value() == "Hej då"
    assert box.evaluate("el => el.selectionStart") == len("Hej då")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_valid_message_gets_a_reference_that_is_stored(page, submissions, texts, lang):
    say = texts(lang)
    page.goto(f"/{lang}/")
    page.locator("#email").fill(EMAIL)
    page.locator("#message").fill(MESSAGE)
    page.locator(SUBMIT).click()
    confirmation = page.locator(".confirmation")
    confirmation.wait_for()
    assert say.received in confirmation.text_content()
    reference = page.locator("[data-reference]").get_attribute("data-reference")
    assert page.locator("[data-reference]").text_content() == reference
    expect(page.locator("#contact-form")).to_be_focused()  # focus on the confirmation, so it is read out
    row = stored(submissions, reference)
    assert (row["message"], row["email"], row["locale"], row["status"]) == (MESSAGE, EMAIL, lang, "new")
    assert_accessible(page)
    assert low_contrast_text(page) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_double_click_stores_one_message(page, submissions, lang):
    message = f"Dubbelklick ({lang}) {MESSAGE}"
    page.goto(f"/{lang}/")
    page.locator("#message").fill(message)
    sent = []
    page.on("request", lambda request: request.method == "POST" and sent.append(request))
    page.locator(SUBMIT).dblclick()
    page.locator("[data-reference]").wait_for()
    for request in sent:  # every answer in, so every row the clicks could make is stored
        request.response()
    reference = page.locator("[data-reference]").get_attribute("data-reference")
    assert [row["reference"] for row in submissions() if row["message"] == message] == [reference]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_resized_text_box_survives_an_error_without_a_csp_violation(page, browser_log, form_errors_expected, lang):
    page.goto(f"/{lang}/")
    # What the browser's resize handle does: an inline height on the textarea.
    page.evaluate("document.getElementById('message').style.height = '22rem'")
    page.locator(SUBMIT).click()
    page.locator("#error-summary").wait_for()
    # Setting the style attribute (as htmx's settling does) would break the CSP.
    browser_log.wait_for_reports(page)
    assert browser_log.csp_violations == []


@pytest.fixture
def no_js_page(make_context, form_errors_expected):
    return make_context(java_script_enabled=False).new_page()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_whole_flow_without_javascript(browser, no_js_page, submissions, texts, lang):
    say, page = texts(lang), no_js_page
    page.goto(f"/{lang}/")
    assert page.locator(".char-count__status").text_content() == ""  # the count needs JavaScript; the hint says the limit

    with page.expect_navigation():
        page.locator(SUBMIT).click()
    assert page.url.endswith(f"/{lang}/contact")
    expect(page.locator("#error-summary")).to_be_focused()
    assert_accessible_without_javascript(browser, page)
    page.locator("#error-summary a").first.click()
    expect(page.locator("#message")).to_be_focused()

    # A bad address: the page comes back with both texts as the visitor wrote them.
    page.locator("#email").fill("åsa@")
    page.locator("#message").fill(MESSAGE)
    with page.expect_navigation():
        page.locator(SUBMIT).click()
    assert page.locator("#email-error").text_content().split(None, 1)[1] == say.email_format
    assert page.locator("#message").input_value() == MESSAGE
    assert page.locator("#email").input_value() == "åsa@"

    page.locator("#email").fill(EMAIL)
    with page.expect_navigation():
        page.locator(SUBMIT).click()
    assert "/contact/thanks/" in page.url
    reference = page.locator("[data-reference]").get_attribute("data-reference")
    assert page.url.endswith(f"/{lang}/contact/thanks/{reference}")
    assert page.locator("h1").count() == 1
    assert say.received in page.locator(".confirmation").text_content()
    row = stored(submissions, reference)
    assert (row["message"], row["email"], row["locale"]) == (MESSAGE, EMAIL, lang)
    assert_accessible_without_javascript(browser, page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_double_click_without_javascript_stores_one_message(no_js_page, submissions, lang):
    page = no_js_page
    message = f"Dubbelklick utan JavaScript ({lang}) {MESSAGE}"
    page.goto(f"/{lang}/")
    page.locator("#message").fill(message)
    fields = {name: page.locator(f"input[name={name}]").input_value() for name in ("form_key",)}
    posts = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" else None)
    page.locator(SUBMIT).dblclick()
    page.wait_for_url("**/contact/thanks/*")
    reference = page.locator("[data-reference]").get_attribute("data-reference")
    # However many of the clicks reached the server, and once more for certain: the same
    # form sent again (same key) is answered with the same reference.
    again = page.request.post(
        f"/{lang}/contact", form={**fields, "email": "", "message": message}, max_redirects=0
    )
    assert again.status == 303 and again.headers["location"].endswith(f"/thanks/{reference}")
    assert posts, "the browser sent the form"
    assert [row["reference"] for row in submissions() if row["message"] == message] == [reference]


def tab_to(page, selector: str, limit: int = 40) -> list[dict]:
    """Press Tab until `selector` has focus; every stop on the way must show its focus."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = focused(page)
        assert state, "focus left the page"
        assert focus_problems(state) == [], f"{state['element']}: {focus_problems(state)}"
        stops.append(state)
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return stops
    raise AssertionError(f"{selector} not reached by Tab")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_whole_flow_by_keyboard_alone(page, submissions, texts, form_errors_expected, lang):
    say = texts(lang)
    message = f"Tangentbord ({lang}) {MESSAGE}"
    page.goto(f"/{lang}/")

    stops = tab_to(page, "#email")
    assert stops[0]["element"] == "a.skip-link"
    # Sent empty with Enter on the button: the summary takes focus, its link leads to the field.
    tab_to(page, SUBMIT)
    page.keyboard.press("Enter")
    page.locator("#error-summary").wait_for()
    expect(page.locator("#error-summary")).to_be_focused()
    tab_to(page, "#error-summary a")
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_be_focused()
    page.keyboard.type(message)

    page.keyboard.press("Shift+Tab")
    expect(page.locator("#email")).to_be_focused()
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")
    expect(page.locator("#message")).to_be_focused()
    tab_to(page, SUBMIT)
    page.keyboard.press("Enter")
    page.locator(".confirmation").wait_for()
    expect(page.locator("#contact-form")).to_be_focused()
    assert say.received in page.locator(".confirmation").text_content()
    reference = page.locator("[data-reference]").get_attribute("data-reference")
    row = stored(submissions, reference)
    assert (row["message"], row["email"]) == (message, EMAIL)
