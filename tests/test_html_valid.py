"""Every page and fragment the site sends is valid HTML, by the Nu HTML Checker (vnu.jar);
the stylesheets and SVG images under static/ are checked in the same run, and so is every
page of an Arabic catalog published beside the site's languages (a right-to-left page has its
own markup: dir on the page and on the isolated Latin data, <bdi>).

The documents are collected through the test client into a folder and checked in one
Java run, which takes a few seconds whatever their number.
"""

import json
import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from babel import Locale

from tests.helpers import BROWSER, Visitor, hidden_value, locked_database
from webapp import ROOT, pages
from webapp.web import errors
from webapp.contact import submissions
from webapp.contact.forms import MESSAGE_MAX
from webapp.db import connect
from webapp.retention import holds
from tests.helpers import LANGUAGES
from tests.staff_helpers import link_path, post, sign_in
from webapp.i18n import published
from tests.arabic import ARABIC
from tests.test_languages import app_over

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# A fragment is checked inside the smallest valid document around it.
FRAGMENT_PAGE = """<!doctype html>
<html lang="{lang}" dir="{dir}"><head><meta charset="utf-8"><title>Fragment</title></head>
<body>
{fragment}
</body></html>
"""


def pages_without_arguments(app, area="public"):
    """The GET pages whose only URL argument is the language, of the public site or of the staff
    area (whose language is the session's): new ones are checked without listing them here."""
    for rule in app.url_map.iter_rules():
        staff = rule.endpoint.startswith("staff.")
        if "GET" in rule.methods and rule.endpoint != "static" and rule.arguments <= {"lang"} and staff == (area == "staff"):
            yield rule


def staff_documents(app, lang) -> dict[str, tuple[str, str]]:
    """Every page of the staff area in `lang`, as an admin sees it, and the sign-in link's pages."""
    client = staff_client(app, lang)
    sign_in(client, app, "ada@goteborg.se", "admin")
    documents = {}
    for rule in pages_without_arguments(app, "staff"):
        response = client.get(rule.rule)
        if response.mimetype == "text/html" and response.status_code == 200:
            documents[f"{lang}-{rule.endpoint}"] = (lang, response.get_data(as_text=True))
    refused = post(client, "/staff/retention/holds", client.get("/staff/retention/").text, reference="GBG-ZZZZ-ZZZZ", reason="")
    assert refused.status_code == 422
    documents[f"{lang}-staff-retention-hold-invalid"] = (lang, refused.get_data(as_text=True))
    documents.update(message_documents(app, client, lang))
    documents[f"{lang}-staff-forbidden"] = (lang, sign_in_as_reader_and_ask_for_the_log(app, lang))
    documents.update(inbox_states(app, client, lang))
    path = link_path(app, "rut@goteborg.se", "reader")
    fresh = staff_client(app, lang)
    documents[f"{lang}-staff-link"] = (lang, fresh.get(path).get_data(as_text=True))
    post(fresh, path, fresh.get(path).text)
    documents[f"{lang}-staff-link-used"] = (lang, staff_client(app, lang).get(path).get_data(as_text=True))
    return documents


def message_documents(app, client, lang) -> dict[str, tuple[str, str]]:
    """A message's page in its states, each action's confirmation and error, the conflict, the 404."""
    db = connect(app.config["DATABASE"])
    text = 'Hej <b>då</b>\nhttps://example.org/x\nمرحبا GBG-1234'
    new, spam, held = (
        submissions.store(db, locale=lang, email=email, message=text, form_key=f"{lang}-{status}".ljust(32, "0"), status=status)
        for email, status in (("a@example.org", "new"), ("", "spam"), ("b@example.org", "new"))
    )
    holds.hold(db, held, "Överklagande", "ada@goteborg.se")  # held once before, then lifted: both shown
    holds.unhold(db, held, "ada@goteborg.se")
    holds.hold(db, held, "Begäran om allmän handling", "ada@goteborg.se")
    db.close()
    documents = {}

    def add(name, response, status):
        assert response.status_code == status, f"{name}: {response.status_code}"
        documents[f"{lang}-staff-message-{name}"] = (lang, response.get_data(as_text=True))

    def act(reference, action, page, **fields):
        return post(client, f"/staff/messages/{reference}/{action}", page, version=hidden_value(page, "version"), **fields)

    first = client.get(f"/staff/messages/{new}")
    add("new", first, 200)
    add("register-invalid", act(new, "register", first.text, diary_number="", registered_on="x"), 422)
    add("note-invalid", act(new, "note", first.text, note=""), 422)
    for action, fields in (("register", {"diary_number": "SLK-2026-1", "registered_on": "2026-12-03"}), ("note", {"note": "Ringde.\nמחר"})):
        done = act(new, action, client.get(f"/staff/messages/{new}").text, **fields)
        assert done.status_code == 303
        add(f"{action}-done", client.get(done.headers["Location"]), 200)
    add("conflict", act(new, "note", first.text, note="Sent i onödan"), 409)
    add("spam", client.get(f"/staff/messages/{spam}"), 200)
    add("held", client.get(f"/staff/messages/{held}"), 200)
    add("missing", client.get("/staff/messages/GBG-ZZZZ-ZZZZ"), 404)
    return documents


def inbox_states(app, client, lang) -> dict[str, tuple[str, str]]:
    """The staff list in each state: rows (one due for deletion soon, one right-to-left), a later
    page, filters, a search with no hits, a bad filter, bulk actions done and refused, htmx's
    partials, and the list with no messages at all."""
    db = connect(app.config["DATABASE"])
    day = (datetime.now(timezone.utc) - timedelta(days=25)).isoformat(timespec="seconds")
    spam = submissions.store(db, locale="ar", email="", message="مرحبا https://example.org", form_key=f"{lang}-spam".ljust(32, "x"), status="spam")
    db.execute("UPDATE submissions SET created_at = ? WHERE reference = ?", [day, spam])
    db.conn.commit()
    for n in range(51):
        submissions.store(db, locale="sv", email="asa@example.se", message=f"Hej {n}\nåäö", form_key=f"{lang}-{n}".ljust(32, "x"))
    documents = {}

    def add(name, response, status):
        assert response.status_code == status, f"{name}: {response.status_code}"
        fragment = response.request.headers.get("HX-Request") == "true"
        documents[f"{lang}-staff-inbox-{name}{'.fragment' if fragment else ''}"] = (lang, response.get_data(as_text=True))

    app.config["RETENTION_RULES"] = [{"name": "spam-30", "applies_to": "spam", "keep_days": 30, "counted_from": "received", "decision": "AN 1"}]
    try:
        first = client.get("/staff/")
        add("list", first, 200)
        later = re.search(r'href="(/staff/\?after=\d+)"', first.text).group(1)
        add("second-page", client.get(later), 200)
        add("filtered", client.get("/staff/?state=new&from=2026-01-01&to=2099-12-31&language=sv&sort=oldest"), 200)
        add("address", client.get("/staff/?q=asa@example.se"), 200)
        add("spam-review", client.get("/staff/?state=spam"), 200)
        add("no-hits", client.get("/staff/?q=ingenting"), 200)
        add("bad-filter", client.get("/staff/?from=2026-13-01&state=x"), 400)
        add("search", client.get("/staff/?q=hej", headers={"HX-Request": "true"}), 200)
        page = first.text
        boxes = re.findall(r'name="ticked" value="([^"]+)"', page)[:2]
        add("bulk-done", post(client, "/staff/bulk", page, ticked=boxes, action="spam"), 200)
        token = {"csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]*)"', page).group(1)}
        htmx = {"HX-Request": "true", **BROWSER}
        add("bulk-done", client.post("/staff/bulk", data={**token, "ticked": boxes, "action": "closed"}, headers=htmx), 200)
        add("bulk-error", post(client, "/staff/bulk", page, action="closed"), 422)
        add("bulk-error", client.post("/staff/bulk", data={**token, "action": "closed"}, headers=htmx), 422)
        with db.conn:
            db.execute("DELETE FROM submissions")
        add("empty", client.get("/staff/"), 200)
    finally:
        app.config["RETENTION_RULES"] = []
        db.close()
    return documents


def staff_client(app, lang):
    """A browser that has chosen `lang` in the staff area's switch."""
    client = app.test_client()
    post(client, "/staff/language", client.get("/staff/auth/signin").text, language=lang, next="/staff/")
    return client


def sign_in_as_reader_and_ask_for_the_log(app, lang) -> str:
    client = staff_client(app, lang)
    sign_in(client, app, "rut@goteborg.se", "reader")
    response = client.get("/staff/log")
    assert response.status_code == 403
    return response.get_data(as_text=True)


def collect(app, client, languages=LANGUAGES) -> dict[str, tuple[str, str]]:
    """name -> (language, HTML) for every page, error page and fragment; fragments end in .fragment."""
    documents = {}

    def add(name, lang, response, expected_status):
        assert response.status_code == expected_status, f"{name}: {response.status_code}"
        assert response.mimetype == "text/html", f"{name}: {response.mimetype}"
        documents[name] = (lang, response.get_data(as_text=True))

    for lang in languages:
        for rule in pages_without_arguments(app):
            path = rule.build({"lang": lang} if "lang" in rule.arguments else {}, append_unknown=False)[1]
            response = client.get(path)
            if response.mimetype == "text/html" and response.status_code == 200:
                add(f"{lang}-{rule.endpoint}", lang, response, 200)
        add(f"{lang}-404", lang, client.get(f"/{lang}/no-such-page"), 404)
        add(f"{lang}-405", lang, client.delete(f"/{lang}/"), 405)
        # Every other error page we have, rendered as its handler would.
        for code in errors.MESSAGES:
            with app.test_request_context(f"/{lang}/"):
                documents[f"{lang}-{code}"] = (lang, errors.render_error(code)[0])
        documents.update(contact_form_states(app, client, lang))
        if lang in published(app):
            documents.update(staff_documents(app, lang))
    return documents


def contact_form_states(app, client, lang):
    """The contact form in every state a visitor can meet, as a page (no JavaScript) and as
    the fragment htmx swaps in."""
    documents = {}
    visitor = Visitor(client, lang)

    def add(name, response, status):
        assert response.status_code == status, f"{name}: {response.status_code}"
        fragment = response.request.headers.get("HX-Request") == "true"
        documents[f"{lang}-{name}{'.fragment' if fragment else ''}"] = (lang, response.get_data(as_text=True))

    bad = {"email": "åsa@", "message": "å" * (MESSAGE_MAX + 1)}
    for htmx in (False, True):
        kind = "htmx" if htmx else "page"
        add(f"contact-empty-{kind}", visitor.submit(htmx=htmx), 422)
        add(f"contact-invalid-{kind}", visitor.submit(htmx=htmx, **bad), 422)
        other_site = {"Sec-Fetch-Site": "cross-site", **({"HX-Request": "true"} if htmx else {})}
        response = client.post(f"/{lang}/contact", data=visitor.fields(message="Hej"), headers=other_site)
        add(f"contact-cross-origin-{kind}", response, 403)
        with locked_database(app):
            add(f"contact-busy-{kind}", visitor.submit(htmx=htmx, message="Hej åäö"), 503)
    add("validate-email-bad", visitor.check("email", email="åsa@"), 200)
    add("validate-email-good", visitor.check("email", email="asa@example.se"), 200)
    add("validate-message-required", visitor.check("message", attempted="1"), 200)
    add("validate-message-too-long", visitor.check("message", message=bad["message"]), 200)
    add("contact-sent", visitor.submit(htmx=True, message="Hej åäö 😀"), 200)
    sent = visitor.submit(message="Hej åäö 😀 (utan JavaScript)")
    assert sent.status_code == 303
    add("thanks", client.get(sent.headers["Location"]), 200)
    app.config["CONTACT_RATE_LIMIT"] = "0 per minute"
    try:
        add("contact-rate-limited-page", visitor.submit(message="Hej"), 429)
        add("contact-rate-limited-htmx", visitor.submit(htmx=True, message="Hej"), 429)
    finally:
        app.config["CONTACT_RATE_LIMIT"] = "1000 per minute"
    return documents


@pytest.fixture
def vnu():
    java = shutil.which("java")
    assert java, "java is missing: make test installs Debian's default-jre-headless"
    assert VNU.exists(), f"{VNU} is missing: make test installs it with npm ci"

    def check(paths: list[Path]) -> list[dict]:
        result = subprocess.run(
            [java, "-jar", str(VNU), "--format", "json", "--exit-zero-always", "--also-check-css", "--also-check-svg", *map(str, paths)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        return json.loads(result.stderr)["messages"]

    return check


def write(folder: Path, documents: dict[str, tuple[str, str]]) -> list[Path]:
    paths = []
    for name, (lang, html) in documents.items():
        if name.endswith(".fragment"):
            html = FRAGMENT_PAGE.format(lang=lang, dir=Locale.parse(lang).text_direction, fragment=html)
        path = folder / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.slow  # Java
def test_every_page_and_fragment_is_valid_html(catalogs, assets_dir, vnu, tmp_path):
    catalogs.start("ar", ARABIC, publish=True)
    app = app_over(catalogs, tmp_path, assets_dir)
    languages = tuple(dict.fromkeys((*LANGUAGES, "ar")))
    documents = collect(app, app.test_client(), languages)
    for lang in languages:
        assert f"{lang}-staff.retention.overview" in documents and f"{lang}-staff-retention-hold-invalid" in documents
        for state in ("list", "empty", "no-hits", "bad-filter", "bulk-done", "bulk-error.fragment", "search.fragment"):
            assert f"{lang}-staff-inbox-{state}" in documents
        assert f"{lang}-staff-message-conflict" in documents
        for name in (*pages.SITEMAP, "404", "contact-invalid-page", "contact-invalid-htmx.fragment", "contact-sent.fragment", "thanks"):
            assert f"{lang}-{name}" in documents
    static = [p for p in (ROOT / "static").rglob("*") if p.suffix in (".css", ".svg") and "vendor" not in p.parts]
    messages = vnu(write(tmp_path, documents) + static)
    errors = [
        f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m['message']} [{m.get('extract', '').strip()}]"
        for m in messages
        if m["type"] in ("error", "non-document-error") or m.get("subType") == "fatal"
    ]
    assert errors == [], "\n".join(errors)


@pytest.mark.slow  # Java
def test_the_checker_reports_errors(vnu, tmp_path):
    page = tmp_path / "broken.html"
    page.write_text("<!doctype html><html lang=en><head><title>x</title></head><body><p><div></p></span></body></html>")
    css = tmp_path / "broken.css"
    css.write_text("p { colr: red; }")
    fragment = write(tmp_path, {"x.fragment": ("en", '<div data-hx-post="/x" hx-target="#y"></div>')})
    messages = vnu([page, css, *fragment])
    assert {Path(m["url"]).name for m in messages if m["type"] == "error"} == {"broken.html", "broken.css", "x.fragment.html"}
