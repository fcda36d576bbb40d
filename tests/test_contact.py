"""The contact form: rules, the htmx and no-JS paths, storage, and every failure keeping the text."""

import io
import re
import sqlite3

import pytest

from babel import Locale
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from tests.helpers import Visitor, hidden_value, locked_database, make_app, ntranslate, rendered, rows, textarea
from webapp.i18n import text_direction
from webapp.contact.forms import MESSAGE_MAX
from tests.helpers import LANGUAGES

LANGS = list(LANGUAGES)
# The form's texts by their English; what a page shows comes from its language's catalog.
MESSAGES = {
    "required": "Enter your message",
    "email": "Enter an e-mail address in the correct format, like name@example.com",
    "summary": "There is a problem",
    "prefix": "Error:",
    "thanks": "Thank you! We have received your message.",
    "reply": "We will reply to the e-mail address you gave. Quote the reference number if you contact us about this matter.",
    "no_reply": "You did not give an e-mail address, so we cannot reply to you. Quote the reference number if you contact us about this matter.",
    "cross_origin": "Your message was not sent: it came from a page on another website. Your text is still here: send it again from this page.",
    "busy": "We could not save your message just now. Wait a moment and send it again, or call us.",
    "rate": "You have sent many messages in a short time. Wait a while and send again, or call us.",
    "control": "Your message contains characters that cannot be saved. Remove them and try again.",
    "label": "Ask a question or leave a comment.",
    "email_hint": "Fill in your e-mail address if you would like a reply.",
}
HINT = "Describe your matter in as much detail as possible. Max %(max)s characters."
PRIVACY = "The City of Gothenburg processes your personal data in accordance with the General Data Protection Regulation (GDPR). For more information, see %(link)s."
PRIVACY_LINK = "How the City processes your personal data"
TOO_LONG = ("Your message is %(count)s character too long", "Your message is %(count)s characters too long")
# The seed's own Swedish, word for word (../shared/seed/).
SEED_SV = {
    "label": "Ställ en fråga eller lämna en synpunkt.",
    "email_hint": "Fyll i din e-postadress om du vill ha svar.",
    "hint": "Beskriv ditt ärende så detaljerat som möjligt. Max 5000 tecken.",
    "privacy": 'Göteborgs Stad behandlar dina personuppgifter i enlighet med bestämmelserna i dataskyddsförordningen, DSF. För mer information, se <a href="/sv/privacy">Så här behandlar kommunen dina personuppgifter</a>.',
}


def text(lang: str, key: str) -> str:
    return str(rendered(lang, MESSAGES[key]))


def too_long(lang: str, n: int) -> str:
    return str(escape(ntranslate(lang, *TOO_LONG, n, count=format_decimal(n, locale=lang))))


@pytest.fixture(params=LANGS)
def lang(request):
    return request.param


@pytest.fixture
def visitor(client, lang):
    return Visitor(client, lang)


def test_form_is_on_the_page_with_labels_hints_and_privacy_sentence(visitor, lang):
    html = visitor.page
    assert f'<form id="contact-form" class="contact-form" method="post" action="/{lang}/contact" novalidate' in html
    assert f'<label class="field__label" for="message">{text(lang, "label")}</label>' in html
    assert f'<div class="field__hint" id="message-hint">{rendered(lang, HINT, max=MESSAGE_MAX)}</div>' in html
    assert f'<div class="field__hint" id="email-hint">{text(lang, "email_hint")}</div>' in html
    assert 'aria-describedby="message-hint"' in html and 'aria-describedby="email-hint"' in html
    assert 'type="email"' in html
    link = Markup(f'<a href="/{lang}/privacy">{rendered(lang, PRIVACY_LINK)}</a>')
    assert rendered(lang, PRIVACY, link=link) in html
    assert f'href="/{lang}/privacy"' in html
    # A live region for inline errors exists from page load, outside the form that gets swapped.
    assert '<div id="contact-live" class="visually-hidden" role="status" aria-live="polite"></div>' in html
    # htmx is configured safely and loaded with defer.
    assert '"allowEval":false' in html and '"selfRequestsOnly":true' in html and '"historyCacheSize":0' in html
    assert re.search(r'<script src="/static/vendor/htmx-2\.0\.\d+\.min\.[0-9a-f]{12}\.js" defer></script>', html)


def test_swedish_form_has_the_seeds_own_sentences(client):
    html = client.get("/sv/").text
    assert f'<label class="field__label" for="message">{SEED_SV["label"]}</label>' in html
    assert f'<div class="field__hint" id="message-hint">{SEED_SV["hint"]}</div>' in html
    assert f'<div class="field__hint" id="email-hint">{SEED_SV["email_hint"]}</div>' in html
    assert f'<p class="privacy-note">{SEED_SV["privacy"]}</p>' in html


def test_valid_submission_without_js_redirects_to_confirmation(app, client, visitor, lang):
    response = visitor.submit(message="Hej! Åsa från Göteborg 😀", email="asa@example.se")
    assert response.status_code == 303
    reference = response.headers["Location"].rsplit("/", 1)[1]
    assert re.fullmatch(r"GBG-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", reference)
    [row] = rows(app)
    assert row["reference"] == reference
    assert row["message"] == "Hej! Åsa från Göteborg 😀"
    assert row["email"] == "asa@example.se"
    assert row["locale"] == lang and row["status"] == "new"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", row["created_at"])
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert f'data-reference="{reference}">{reference}</strong>' in page.text
    assert text(lang, "thanks") in page.text and text(lang, "reply") in page.text


def test_valid_submission_with_htmx_returns_confirmation_fragment(app, visitor, lang):
    response = visitor.submit(htmx=True, message="A question")
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" not in response.text
    reference = rows(app)[0]["reference"]
    assert f'data-reference="{reference}"' in response.text
    assert text(lang, "no_reply") in response.text
    assert rows(app)[0]["email"] is None


def test_empty_form_without_js_rerenders_page_with_summary(app, visitor, lang):
    response = visitor.submit(message="   \n\t ", email="")
    assert response.status_code == 422
    html = response.text
    assert "<html" in html and html.count("<h1") == 1
    summary = re.search(r'<div class="error-summary" id="error-summary" role="alert" tabindex="-1" autofocus[^>]*>(.*?)</div>', html, re.S)
    assert summary and text(lang, "summary") in summary.group(1)
    assert f'<a href="#message">{text(lang, "required")}</a>' in summary.group(1)
    assert f'<p class="field__error" id="message-error"><span class="visually-hidden">{text(lang, "prefix")}</span> {text(lang, "required")}</p>' in html
    assert 'aria-describedby="message-hint message-error" aria-invalid="true"' in html
    assert rows(app) == []


def test_invalid_submission_keeps_the_visitors_text(visitor):
    response = visitor.submit(message="Mitt långa meddelande", email="inte-en-adress")
    assert response.status_code == 422
    assert textarea(response.text) == "Mitt långa meddelande"
    assert 'value="inte-en-adress"' in response.text


def test_invalid_submission_with_htmx_returns_form_fragment(visitor, lang):
    response = visitor.submit(htmx=True, message="", email="x@")
    assert response.status_code == 422
    assert response.text.startswith('<form id="contact-form"')
    assert "<html" not in response.text
    assert "HX-Request" in response.headers["Vary"]
    assert f'<a href="#email">{text(lang, "email")}</a>' in response.text


@pytest.mark.parametrize("length, ok", [(5000, True), (5001, False)])
def test_message_length_limit_is_5000_characters(app, visitor, length, ok):
    response = visitor.submit(message="å" * length)
    assert (response.status_code == 303) is ok
    assert len(rows(app)) == (1 if ok else 0)


def test_length_counts_code_points_after_crlf_and_strip(app, visitor):
    # 4998 astral characters + 2 line breaks sent as CRLF = 5000 after normalising.
    message = "  " + "😀" * 2499 + "\r\n\r\n" + "😀" * 2499 + " \n "
    assert visitor.submit(message=message).status_code == 303
    stored = rows(app)[0]["message"]
    assert stored == "😀" * 2499 + "\n\n" + "😀" * 2499
    assert len(stored) == 5000


def test_too_long_message_says_by_how_much(visitor, lang):
    response = visitor.submit(message="a" * 5001)
    assert too_long(lang, 1) in response.text
    response = visitor.submit(message="a" * 6234)
    assert too_long(lang, 1234) in response.text


def test_control_characters_are_refused(app, visitor, lang):
    response = visitor.submit(message="hello\x00world")
    assert response.status_code == 422
    assert text(lang, "control") in response.text
    assert rows(app) == []


@pytest.mark.parametrize(
    "email, ok",
    [
        ("name@example.com", True),
        ("åsa.öberg@exempel.se", True),
        ("  padded@example.com  ", True),
        ("no-at-sign", False),
        ("a@b", False),
        ("a@example.com\r\nBcc: victim@example.com", False),
        ("a\n@example.com", False),
        ("x" * 244 + "@example.com", False),
        ('"quoted"@example.com<script>', False),
    ],
)
def test_email_rules(app, visitor, email, ok):
    response = visitor.submit(message="Hej", email=email)
    assert response.status_code == (303 if ok else 422)
    if ok:
        assert rows(app)[0]["email"] == email.strip()
    else:
        assert rows(app) == []


def test_email_check_makes_no_dns_lookups(app, visitor, monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("DNS look-up attempted")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    assert visitor.submit(message="Hej", email="someone@no-such-domain-xyz.example").status_code == 303


def test_a_stored_post_checks_its_address_once(app, visitor, monkeypatch):
    # The form, the receipt cap's key and the mail all ask about the address: email_validator
    # reads it once (counted where every call of its validate_email splits the address).
    import sys

    from webapp.mail.messages import visitor_address

    validator = sys.modules["email_validator.validate_email"]
    real, split = validator.split_email, []

    def counted(value):
        split.append(value)
        return real(value)

    monkeypatch.setattr(validator, "split_email", counted)
    visitor_address.cache_clear()
    assert visitor.submit(message="Hej", email="once.only@exempel.se").status_code == 303
    assert visitor.submit(message="Hej igen", email="once.only@exempel.se").status_code == 303
    assert split == ["once.only@exempel.se"]
    assert [row["email"] for row in rows(app)] == ["once.only@exempel.se"] * 2


def test_inline_check_returns_the_field_partial_with_error(visitor, lang):
    response = visitor.check("email", email="bad@")
    assert response.status_code == 200
    html = response.text
    assert html.startswith('<div class="field field--error" id="email-field">')
    assert f'<span class="visually-hidden">{text(lang, "prefix")}</span> {text(lang, "email")}' in html
    assert 'aria-describedby="email-hint email-error" aria-invalid="true"' in html
    assert 'id="email"' in html and 'value="bad@"' in html
    # Re-checked as the visitor corrects it, and announced in the live region.
    assert 'data-hx-trigger="change, input changed delay:600ms"' in html
    assert f'<div id="contact-live" data-hx-swap-oob="innerHTML">{text(lang, "prefix")} {text(lang, "email")}</div>' in html
    assert "HX-Request" in response.headers["Vary"]


def test_inline_check_of_a_good_value_clears_the_error(visitor):
    html = visitor.check("email", email="ok@example.com").text
    assert html.startswith('<div class="field" id="email-field">')
    assert "aria-invalid" not in html and 'data-hx-trigger="change"' in html
    assert '<div id="contact-live" data-hx-swap-oob="innerHTML"></div>' in html


def test_inline_check_says_required_only_after_a_submit_attempt(visitor, lang):
    assert text(lang, "required") not in visitor.check("message", message="  ").text
    assert text(lang, "required") in visitor.check("message", message="  ", attempted="1").text


def test_inline_check_reports_length(visitor, lang):
    assert too_long(lang, 1) in visitor.check("message", message="x" * 5001).text


def test_inline_check_of_unknown_field_is_404(visitor, lang):
    assert visitor.client.post(f"/{lang}/contact/validate/form_key", data=visitor.fields()).status_code == 404


def test_same_form_sent_twice_stores_one_row(app, visitor):
    first = visitor.submit(message="Double click")
    second = visitor.submit(message="Double click")
    third = visitor.submit(htmx=True, message="Double click")
    assert first.headers["Location"] == second.headers["Location"]
    [row] = rows(app)
    assert row["reference"] in first.headers["Location"]
    assert f'data-reference="{row["reference"]}"' in third.text


def test_edited_resend_of_the_same_form_is_a_new_message(app, visitor):
    visitor.submit(message="First version")
    visitor.submit(message="Second version")
    assert [r["message"] for r in rows(app)] == ["First version", "Second version"]


def test_unreadable_form_key_is_refused_and_replaced(app, visitor):
    response = visitor.submit(message="Hej", form_key="not-a-key")
    assert response.status_code == 422
    assert rows(app) == []
    assert re.fullmatch(r"[0-9a-f]{32}", hidden_value(response.text, "form_key"))
    assert textarea(response.text) == "Hej"


@pytest.mark.parametrize("htmx", [False, True])
def test_form_from_another_site_is_refused_with_the_text_kept(app, visitor, lang, htmx):
    other_site = {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
    headers = {"HX-Request": "true", **other_site} if htmx else other_site
    data = visitor.fields(message="Min viktiga text", email="a@example.com")
    response = visitor.client.post(f"/{lang}/contact", data=data, headers=headers)
    assert response.status_code == 403
    assert text(lang, "cross_origin") in response.text
    assert textarea(response.text) == "Min viktiga text"
    assert 'value="a@example.com"' in response.text
    assert rows(app) == []
    # Sent again from the site's own page (the refusal is that page), it goes through.
    resend = {name: hidden_value(response.text, name) for name in ("form_key", "served")}
    assert visitor.submit(message="Min viktiga text", **resend).status_code == 303


def test_inline_check_from_another_site_swaps_nothing(visitor, lang):
    headers = {"HX-Request": "true", "Sec-Fetch-Site": "cross-site"}
    response = visitor.client.post(f"/{lang}/contact/validate/email", data={"email": "x"}, headers=headers)
    assert response.status_code == 204


@pytest.mark.parametrize("htmx", [False, True])
def test_locked_database_gives_503_and_keeps_the_text(app, visitor, lang, htmx):
    with locked_database(app):
        response = visitor.submit(htmx=htmx, message="Sparas inte än")
    assert response.status_code == 503
    assert text(lang, "busy") in response.text
    assert "031-365 00 00" in response.text
    assert textarea(response.text) == "Sparas inte än"
    assert rows(app) == []
    # Once the database is free, the same form goes through.
    assert visitor.submit(message="Sparas inte än").status_code == 303


def test_unwritable_database_gives_503(app, visitor, tmp_path):
    app.config["DATABASE"] = str(tmp_path / "missing-dir" / "db.sqlite3")
    assert visitor.submit(message="Hej").status_code == 503


def test_full_disk_gives_503(app, visitor):
    # SQLite's max_page_count makes the file "full" exactly as a full disk does.
    from webapp import db as db_module

    real_connect = db_module.connect

    def full(path, timeout=5.0):
        db = real_connect(path, timeout)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")
        return db

    app.config["DATABASE_TIMEOUT"] = 0.05
    import webapp.db

    webapp.db.connect = full
    try:
        response = visitor.submit(message="x" * 4000)
    finally:
        webapp.db.connect = real_connect
    assert response.status_code == 503
    assert rows(app) == []


@pytest.mark.parametrize("htmx", [False, True])
def test_rate_limit_gives_429_and_keeps_the_text(app, visitor, lang, htmx):
    app.config["CONTACT_RATE_LIMIT"] = "2 per minute"
    assert visitor.submit(message="one").status_code == 303
    assert visitor.submit(message="two").status_code == 303
    response = visitor.submit(htmx=htmx, message="three is too many")
    assert response.status_code == 429
    assert text(lang, "rate") in response.text
    assert textarea(response.text) == "three is too many"
    assert len(rows(app)) == 2


def test_rate_limit_can_be_switched_off(tmp_path):
    from webapp import create_app
    from webapp.db import migrate

    migrate(tmp_path / "db.sqlite3")
    app = create_app({"SECRET_KEY": "k", "DATABASE": str(tmp_path / "db.sqlite3"), "CONTACT_RATE_LIMIT": "1 per minute", "RATELIMIT_ENABLED": False})
    visitor = Visitor(app.test_client())
    assert [visitor.submit(message=f"m{i}").status_code for i in range(3)] == [303, 303, 303]


def test_body_over_64kb_gets_413(client, lang):
    response = client.post(f"/{lang}/contact", data={"message": "x" * 70_000})
    assert response.status_code == 413
    assert "<h1>" in response.text


def test_honeypot_stores_as_spam_and_answers_like_success(app, client, visitor):
    response = visitor.submit(message="Buy now", website="http://spam.example")
    assert response.status_code == 303
    [row] = rows(app)
    assert row["status"] == "spam"
    assert client.get(response.headers["Location"]).status_code == 200


def test_honeypot_is_hidden_from_people(visitor):
    assert '<div class="honeypot">' in visitor.page
    css = open("static/site.css").read()
    assert ".honeypot { display: none; }" in css


def test_message_with_html_is_shown_escaped_everywhere(app, client, visitor):
    payload = '<script>alert(1)</script><img src=x onerror=alert(2)>"\''
    response = visitor.submit(message=payload, email="bad<script>@x")
    assert "<script>alert(1)" not in response.text and "<img src=x" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    ok = visitor.submit(message=payload)
    assert rows(app)[0]["message"] == payload
    assert "<script>alert" not in client.get(ok.headers["Location"]).text


def test_no_ip_address_or_user_agent_is_stored(app, visitor):
    visitor.client.post(
        f"/{visitor.lang}/contact",
        data=visitor.fields(message="Hej"),
        headers={"User-Agent": "UniqueAgent/1.0"},
        environ_base={"REMOTE_ADDR": "203.0.113.77"},
    )
    dump = "\n".join(sqlite3.connect(app.config["DATABASE"]).iterdump())
    assert "203.0.113.77" not in dump and "UniqueAgent" not in dump


REMAINING = ("You have %(num)s character remaining", "You have %(num)s characters remaining")
TOO_MANY = ("You have %(num)s character too many", "You have %(num)s characters too many")


def count_attributes(lang: str, numbers=range(0, 112)) -> set[str]:
    """The attributes the character count needs, one per CLDR plural category that a
    count can fall in, each with its catalog's form for such a number."""
    rule = Locale.parse(lang).plural_form
    return {
        f'data-{kind}-{rule(n)}="{escape(ntranslate(lang, *forms, n, num="{num}"))}"'
        for n in numbers
        for kind, forms in (("under", REMAINING), ("over", TOO_MANY))
    }


def test_character_count_messages_are_rendered_for_the_script(visitor, lang):
    counter = re.search(r'<div class="char-count" id="message-count"(.*?)>', visitor.page, re.S).group(1)
    assert f'data-max="{MESSAGE_MAX}"' in counter
    for attribute in count_attributes(lang):
        assert attribute in counter
    assert len(re.findall(r"data-(?:under|over)-", counter)) == len(count_attributes(lang))


def test_character_count_has_every_plural_form_of_a_language_with_more_than_two(catalogs, tmp_path, assets_dir):
    forms = {REMAINING: ["Został %(num)s znak", "Zostały %(num)s znaki", "Zostało %(num)s znaków"],
             TOO_MANY: ["O %(num)s znak za dużo", "O %(num)s znaki za dużo", "O %(num)s znaków za dużo"]}
    catalogs.start("pl", {key[0]: value for key, value in forms.items()})
    app = make_app(tmp_path, ASSETS_DIR=str(assets_dir), BABEL_TRANSLATION_DIRECTORIES=str(catalogs.folder), DEBUG=True)
    page = app.test_client().get("/pl/").text
    counter = re.search(r'<div class="char-count" id="message-count"(.*?)>', page, re.S).group(1)
    assert count_attributes("pl") <= set(re.findall(r'data-(?:under|over)-\w+="[^"]*"', counter))
    assert 'data-under-one="Został {num} znak"' in counter
    assert 'data-under-few="Zostały {num} znaki"' in counter  # 2, 3, 4, 22 ...
    assert 'data-under-many="Zostało {num} znaków"' in counter  # 0, 5, 12, 25 ...


def test_unknown_reference_is_404(client, lang):
    assert client.get(f"/{lang}/contact/thanks/GBG-0000-0000").status_code == 404


PRIVACY_PAGE = [
    "The City Executive Board (kommunstyrelsen) of the City of Gothenburg is the data controller for the personal data that the City Executive Office processes when you use the contact form.",
    "Messages become public records",
    "Your rights",
    "We keep your message as long as the City’s archive rules require. Some messages are kept permanently as part of the public archive; others are deleted when they are no longer needed.",
]


def test_privacy_page(client, lang):
    html = client.get(f"/{lang}/privacy").text
    assert f"<h1>{rendered(lang, 'How the City of Gothenburg processes your personal data')}</h1>" in html
    for message in PRIVACY_PAGE:
        assert str(rendered(lang, message)) in html
    imy = Markup(f'<a href="https://www.imy.se/">{rendered(lang, "Swedish Authority for Privacy Protection (IMY)")}</a>')
    assert rendered(lang, "If you think that we process your personal data wrongly, you can complain to the %(authority)s.", authority=imy) in html
    phone = Markup('<a dir="ltr" href="tel:+46313650000">031-365 00 00</a>')
    assert rendered(lang, "To use your rights, contact Gothenburg’s contact centre on %(phone)s.", phone=phone) in html


def test_body_over_64kb_with_htmx_shows_the_problem_above_the_untouched_fields(client, lang):
    response = client.post(f"/{lang}/contact", data={"message": "x" * 70_000}, headers={"HX-Request": "true"})
    assert response.status_code == 413
    assert response.headers["HX-Retarget"] == "#send-problem"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert response.text.startswith('<div class="error-summary" id="send-problem" role="alert"')
    assert "<textarea" not in response.text


def test_form_has_a_slot_for_sending_problems(visitor, lang):
    slot = re.search(r'<div id="send-problem" data-title="([^"]+)"\s+data-message="([^"]+)"></div>', visitor.page)
    assert slot and slot.group(1) == text(lang, "summary")


@pytest.mark.parametrize("htmx", [False, True])
def test_language_switch_on_a_rerendered_form_goes_to_the_front_page(visitor, lang, htmx):
    # A form sent with errors is the answer to a POST: no address to offer in another
    # language but the front page, whose form is where the visitor was.
    html = visitor.submit(message="", htmx=htmx).text
    for other in LANGUAGES:
        if other != lang and not htmx:
            assert f'<a href="/{other}/" lang="{other}" dir="{text_direction(other)}" hreflang="{other}">' in html
    if not htmx:
        assert f'<link rel="canonical" href="http://localhost/{lang}/">' in html
    else:
        assert "hreflang" not in html  # the fragment replaces the form, not the page around it


@pytest.mark.parametrize(
    "body, headers, status",
    [
        ("message=" + "x" * 70_000, {}, 413),
        ("message=%FF", {}, 400),  # not UTF-8
        ('{"message": "x"}', {"Content-Type": "application/json"}, 415),
    ],
)
def test_unreadable_sends_with_htmx_show_the_problem_above_the_untouched_fields(client, lang, body, headers, status):
    # The body is read while the view builds the form: the contact blueprint's handler
    # answers, as it does for what a before_request hook refuses (routing has found the endpoint).
    headers = {"Content-Type": "application/x-www-form-urlencoded", **headers}
    plain = client.post(f"/{lang}/contact", data=body, headers=headers)
    assert plain.status_code == status and "<h1>" in plain.text and "HX-Retarget" not in plain.headers
    response = client.post(f"/{lang}/contact", data=body, headers={**headers, "HX-Request": "true"})
    assert response.status_code == status
    assert response.headers["HX-Retarget"] == "#send-problem" and response.headers["HX-Reswap"] == "outerHTML"
    assert "HX-Request" in response.headers["Vary"]
    assert response.text.startswith('<div class="error-summary" id="send-problem" role="alert"')


def test_chunked_body_over_the_limit_with_htmx_shows_the_problem(client, lang):
    # No length to refuse it by: the 413 comes while the body is read (form_bodies.py).
    response = client.post(
        f"/{lang}/contact",
        input_stream=io.BytesIO(b"message=" + b"x" * 70_000),
        content_type="application/x-www-form-urlencoded",
        headers={"Transfer-Encoding": "chunked", "HX-Request": "true"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert response.headers["HX-Retarget"] == "#send-problem"


def test_other_errors_under_contact_are_the_site_wide_pages(client, lang):
    response = client.get(f"/{lang}/contact/thanks/GBG-0000-0000", headers={"HX-Request": "true"})
    assert response.status_code == 404 and "<h1>" in response.text and "HX-Retarget" not in response.headers
    response = client.post(f"/{lang}/contact/validate/email", data="email=%FF", headers={"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true"})
    assert response.status_code == 400 and "HX-Retarget" not in response.headers
