"""The staff inbox's list at /staff/: rows, filters, search, keyset pages, the htmx partial,
bulk actions, exports and the access-access log rows each of them writes."""

import csv
import io
import re
import time
from datetime import date, datetime, timezone

import pytest

from tests.helpers import BROWSER, make_app, ntranslate, translate
from tests.staff_helpers import post, staff_log
from tests.test_retention import SPAM_RULE
from webapp.contact import submissions
from webapp.inbox import cases
from webapp.inbox.list_forms import Q_MAX
from webapp.retention import days, holds

ROW = re.compile(r'<tr data-reference="(GBG-[0-9A-Z]{4}-[0-9A-Z]{4})"')
HTMX = {"HX-Request": "true"}


@pytest.fixture
def app(tmp_path, assets_dir):
    return make_app(tmp_path, ASSETS_DIR=str(assets_dir), RETENTION_RULES=[SPAM_RULE])


def store(db, message="Hej", *, email="", locale="sv", status="new", received: str | None = None, n=[0]) -> str:
    n[0] += 1
    reference = submissions.store(db, locale=locale, email=email, message=message, form_key=f"{n[0]:032d}", status=status)
    if received:
        db.execute("UPDATE submissions SET created_at = ?, status_changed_at = ? WHERE reference = ?", [received, received, reference])
        db.conn.commit()
    return reference


def many(db, count: int, **values) -> list[str]:
    """`count` messages in one transaction (the list's pages need more than a few); oldest first."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    start = db.execute("SELECT coalesce(max(id), 0) FROM submissions").fetchone()[0]
    references = [f"GBG-{(start + i) // 10000:04d}-{(start + i) % 10000:04d}" for i in range(1, count + 1)]
    with db.conn:
        db.conn.executemany(
            "INSERT INTO submissions (reference, created_at, status_changed_at, locale, email, message, status, idempotency_key)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(r, now, now, values.get("locale", "sv"), "", values.get("message", f"Meddelande {r}"), "new", r) for r in references],
        )
    return references


def shown(response) -> list[str]:
    return ROW.findall(response.text)


def test_rows_newest_first_with_what_each_shows(db, registrar):
    older = store(db, "Första raden\nandra raden", email="a@example.se", locale="en", received="2026-06-30T22:30:00+00:00")
    newer = store(db, "\n  \u05e9\u05dc\u05d5\u05dd <b>hej</b>\n", status="spam")
    page = registrar.get("/staff/")
    assert page.status_code == 200
    assert shown(page) == [newer, older]
    row = page.text.split(f'data-reference="{older}"', 1)[1].split("</tr>", 1)[0]
    # Received at 22:30 UTC on 30 June is 00:30 on 1 July in Gothenburg (summer time).
    assert "2026-07-01 00:30" in row and 'datetime="2026-06-30T22:30:00+00:00"' in row
    assert translate("sv", "new") in row and "engelska" in row and translate("sv", "yes") in row
    assert "<bdi>Första raden</bdi>" in row and "andra raden" not in row
    spam = page.text.split(f'data-reference="{newer}"', 1)[1].split("</tr>", 1)[0]
    assert translate("sv", "spam") in spam and translate("sv", "no") in spam
    assert "<bdi>\u05e9\u05dc\u05d5\u05dd &lt;b&gt;hej&lt;/b&gt;</bdi>" in spam  # the first line with text, never markup
    assert 'aria-sort="descending"' in page.text and translate("sv", "Messages, newest first") in page.text
    assert ntranslate("sv", "%(num)d message", "%(num)d messages", 2, num=2) in page.text


def test_keyset_pages_of_fifty_both_ways(db, registrar):
    references = many(db, 120)[::-1]  # newest first
    first = registrar.get("/staff/")
    assert shown(first) == references[:50]
    older = re.search(r'href="(/staff/\?after=\d+)">' + re.escape(translate("sv", "Older messages")), first.text).group(1)
    assert translate("sv", "Newer messages") not in first.text
    second = registrar.get(older)
    assert shown(second) == references[50:100]
    third = registrar.get(re.search(r'href="(/staff/\?after=\d+)"', second.text).group(1))
    assert shown(third) == references[100:]
    assert translate("sv", "Older messages") not in third.text  # the last page
    back = registrar.get(re.search(r'href="(/staff/\?before=\d+)">' + re.escape(translate("sv", "Newer messages")), third.text).group(1).replace("&amp;", "&"))
    assert shown(back) == references[50:100]
    start = registrar.get(re.search(r'href="(/staff/\?before=\d+)"', back.text).group(1))
    assert shown(start) == references[:50]
    assert translate("sv", "Newer messages") not in start.text


def test_oldest_first_pages_the_other_way(db, registrar):
    references = many(db, 60)
    page = registrar.get("/staff/?sort=oldest")
    assert shown(page) == references[:50]
    assert 'aria-sort="ascending"' in page.text and translate("sv", "Messages, oldest first") in page.text
    nxt = re.search(r'href="(/staff/\?after=\d+&amp;sort=oldest)">' + re.escape(translate("sv", "Newer messages")), page.text).group(1)
    assert shown(registrar.get(nxt.replace("&amp;", "&"))) == references[50:]


def test_each_filter(db, registrar):
    spam = store(db, "Köp", status="spam")
    english = store(db, "Hello", locale="en")
    # Midnight in Gothenburg on 1 December 2026 is 23:00 UTC on 30 November.
    before = store(db, "Sent", received="2026-11-30T22:59:59+00:00")
    first_day = store(db, "Tidig", received="2026-11-30T23:00:00+00:00")
    last_day = store(db, "Sen", received="2026-12-02T22:59:59+00:00")
    after = store(db, "Efter", received="2026-12-02T23:00:00+00:00")
    assert shown(registrar.get("/staff/?state=spam")) == [spam]
    assert shown(registrar.get("/staff/?language=en")) == [english]
    assert shown(registrar.get("/staff/?from=2026-12-01&to=2026-12-02")) == [last_day, first_day]
    assert before not in shown(registrar.get("/staff/?from=2026-12-01")) and after in shown(registrar.get("/staff/?from=2026-12-01"))
    assert shown(registrar.get("/staff/?to=2026-11-30&state=new")) == [before]
    # The form's empty fields (as a browser sends them) are no filter.
    assert len(shown(registrar.get("/staff/?q=&state=&from=&to=&language=&sort=newest"))) == 6


def test_the_spam_view_is_the_list_with_the_spam_filter(db, registrar):
    spam = store(db, "Köp billigt", status="spam")
    store(db, "Hej")
    page = registrar.get("/staff/?state=spam")
    assert shown(page) == [spam]
    assert f'href="/staff/?state=spam" aria-current="page">{translate("sv", "Spam to review")}' in page.text
    release = "These messages were held back as spam, so no notification was sent for them. Release one that is not spam with “Not spam”: its notification then goes to the office."
    assert translate("sv", release) in page.text


def test_search_suits_swedish_and_finds_references_and_addresses(db, registrar):
    year = store(db, "Ett ÅR av samarbete")
    arm = store(db, "Min arm gör ont")
    twin = store(db, "Om vänortssamarbetet med Åbo", email="Anna.Berg@example.se")
    assert shown(registrar.get("/staff/?q=år")) == [year]
    assert shown(registrar.get("/staff/?q=ar")) == [arm]
    assert shown(registrar.get("/staff/?q=VÄNORT")) == [twin]
    assert shown(registrar.get("/staff/?q=vanort")) == []
    assert shown(registrar.get(f"/staff/?q={twin.lower()}")) == [twin]
    assert shown(registrar.get("/staff/?q=anna.berg@EXAMPLE.se")) == [twin]
    for odd in ('"', "AND", "*", 'vänort" OR', "NEAR(", "år)"):
        response = registrar.get("/staff/", query_string={"q": odd})
        assert response.status_code == 200, odd


def test_a_search_with_no_hits_says_so(db, registrar):
    store(db, "Hej")
    page = registrar.get("/staff/?q=ingenting")
    assert shown(page) == [] and translate("sv", "No message matches. Try fewer words or another filter.") in page.text
    assert translate("sv", "No messages") in page.text


def test_an_empty_inbox_says_so(registrar):
    page = registrar.get("/staff/")
    assert page.status_code == 200 and translate("sv", "No messages have arrived.") in page.text


def test_the_count_is_capped(db, registrar):
    many(db, 1001, message="vanlig")
    page = registrar.get("/staff/?q=vanlig")
    assert translate("sv", "More than %(num)s messages", num="1\xa0000") in page.text


@pytest.mark.parametrize(
    "query, message",
    [
        ("from=2026-13-01", "Enter the first day as a date, like 2026-12-01"),
        ("to=igår", "Enter the last day as a date, like 2026-12-31"),
        ("to=9999-12-31", "Enter the last day as a date, like 2026-12-31"),
        ("from=0001-01-01", "Enter the first day as a date, like 2026-12-01"),
        ("from=2026-12-02&to=2026-12-01", "The last day is before the first day"),
        ("state=deleted", "Choose a state from the list"),
        ("language=xx", "Choose a language from the list"),
        ("sort=sideways", "This link to a page of the list does not work. Start again from the first page."),
        ("after=abc", "This link to a page of the list does not work. Start again from the first page."),
        ("after=1&before=2", "This link to a page of the list does not work. Start again from the first page."),
    ],
)
def test_bad_filter_values_are_a_400_that_says_what(registrar, query, message):
    response = registrar.get(f"/staff/?{query}")
    assert response.status_code == 400
    assert translate("sv", "There is a problem") in response.text and translate("sv", message) in response.text
    assert 'value="2026-13-01"' not in response.text  # a date field holds a date or nothing


def test_a_search_longer_than_a_query_is_a_400(registrar):
    long = registrar.get("/staff/", query_string={"q": "ord " * 60})
    assert long.status_code == 400
    assert translate("sv", "Search with at most %(num)d characters", num=Q_MAX) in long.text
    assert registrar.get("/staff/", query_string={"q": "ord " * 40}).status_code == 200


def test_htmx_gets_the_results_alone_and_a_browser_the_page(db, registrar):
    reference = store(db, "Vänortssamarbete")
    full = registrar.get("/staff/?q=vänort")
    partial = registrar.get("/staff/?q=vänort", headers=HTMX)
    assert shown(full) == shown(partial) == [reference]
    assert full.text.startswith("<!doctype html>") and "<html" not in partial.text
    assert 'data-hx-get="/staff/"' in full.text and 'data-hx-trigger="input changed delay:300ms, search, submit"' in full.text
    assert 'data-hx-push-url="true"' in full.text and 'id="inbox-results"' in full.text and 'role="status"' in full.text
    one = ntranslate("sv", "%(num)d message", "%(num)d messages", 1, num=1)
    assert f'<p id="inbox-hits" data-hx-swap-oob="innerHTML">{one}</p>' in partial.text
    assert "HX-Request" in partial.headers["Vary"] and "HX-Request" in full.headers["Vary"]
    # The language switch, outside the results, is told the list it now comes back to.
    assert '<input type="hidden" name="next" id="language-next" value="/staff/?q=vänort" data-hx-swap-oob="true">' in partial.text
    restore = registrar.get("/staff/?q=vänort", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert restore.text.startswith("<!doctype html>")  # back after a miss: the whole page
    bad = registrar.get("/staff/?from=x", headers=HTMX)
    assert bad.status_code == 400 and "<html" not in bad.text and translate("sv", "There is a problem") in bad.text


def test_every_list_and_search_is_logged_with_what_it_showed(app, db, registrar):
    mine = store(db, "Vänort", email="a@example.se")
    other = store(db, "Annat")
    registrar.get("/staff/")
    registrar.get("/staff/?q=vänort&state=new&from=2026-01-01")
    listed, searched = staff_log(app)[-2:]
    assert (listed["action"], listed["references"], listed["details"]) == ("inbox_listed", [other, mine], {"filter": {}})
    assert searched["action"] == "inbox_searched" and searched["references"] == [mine]
    assert searched["details"] == {"filter": {"q": "vänort", "state": "new", "from": "2026-01-01"}}
    assert searched["actor_name"] == "rut@goteborg.se"


def test_a_message_due_soon_is_marked_with_its_day_and_rule(app, db, registrar):
    now = time.time()
    soon = store(db, "Köp klockor", status="spam", received=datetime.fromtimestamp(now - 25 * 86400, timezone.utc).isoformat(timespec="seconds"))
    later = store(db, "Köp mer", status="spam", received=datetime.fromtimestamp(now - 5 * 86400, timezone.utc).isoformat(timespec="seconds"))
    page = registrar.get("/staff/").text
    day = days.due_day(submissions.get(db, soon)["created_at"], 30)
    with app.test_request_context("/staff/"):
        from flask_babel import format_date, force_locale

        with force_locale("sv"):
            expected = translate("sv", "deleted on %(day)s, rule: %(rule)s", day=format_date(day, "long"), rule="spam-30")
    assert expected in page.split(f'data-reference="{soon}"', 1)[1].split("</tr>", 1)[0]
    assert "spam-30" not in page.split(f'data-reference="{later}"', 1)[1].split("</tr>", 1)[0]
    holds.hold(db, soon, "Begäran om allmän handling", "ada@goteborg.se")  # a held message is never deleted
    assert "spam-30" not in registrar.get("/staff/").text


def ticked(page: str, *references: str) -> list[str]:
    """The checkbox values of these rows, as the page has them (reference:version)."""
    return [re.search(rf'name="ticked" value="({r}:\d+)"', page).group(1) for r in references]


def test_bulk_close_reports_what_changed_and_what_did_not(app, db, registrar):
    first, second, spam, taken = store(db, "Ett"), store(db, "Två"), store(db, "Köp", status="spam"), store(db, "Fyra")
    page = registrar.get("/staff/?state=").text
    cases.change(db, taken, "register", actor="Anna Berg", version=0, diary_number="SLK-1", registered_on=date(2026, 12, 1))
    response = post(registrar, "/staff/bulk?state=", page, ticked=ticked(page, first, second, spam, taken), action="closed")
    assert response.status_code == 200 and response.text.startswith("<!doctype html>")
    assert {submissions.get(db, r)["status"] for r in (first, second)} == {"closed"}
    assert submissions.get(db, spam)["status"] == "spam" and submissions.get(db, taken)["status"] == "registered"
    text = response.text
    done = ntranslate("sv", "%(num)d message closed:", "%(num)d messages closed:", 2, num=2)
    assert f"{done}</p>" in text and f"<li><bdi>{first}</bdi></li>" in text and f"<li><bdi>{second}</bdi></li>" in text
    spam_state = translate("sv", "spam")
    assert f"<li><bdi>{spam}</bdi>: {translate('sv', 'Not closed: it is %(state)s.', state=spam_state)}</li>" in text
    conflict = translate("sv", "Changed by %(who)s after you loaded the list: look at it again.", who="Anna Berg")
    assert f"<li><bdi>{taken}</bdi>: {conflict}</li>" in text
    assert [h["actor"] for h in cases.history(db, submissions.get(db, first)["id"])] == ["rut@goteborg.se"]
    entry = next(e for e in staff_log(app) if e["action"] == "inbox_bulk")
    assert entry["references"] == [first, second, spam, taken]
    assert entry["details"] == {"action": "closed", "changed": 2, "not_changed": 2}


def test_bulk_with_htmx_gets_the_results_and_a_release_queues_the_notification(db, registrar):
    spam = store(db, "Riktigt", status="spam", email="a@example.se")
    page = registrar.get("/staff/?state=spam").text
    response = registrar.post(
        "/staff/bulk?state=spam",
        data={"csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]*)"', page).group(1), "ticked": ticked(page, spam), "action": "not_spam"},
        headers={**BROWSER, **HTMX},
    )
    assert response.status_code == 200 and "<html" not in response.text
    assert shown(response) == []  # no longer spam: gone from the spam view
    assert submissions.get(db, spam)["status"] == "new"
    kinds = [r[0] for r in db.execute("SELECT kind FROM outbox WHERE submission_id = ?", [submissions.get(db, spam)["id"]])]
    assert kinds == ["notification"]


def test_bulk_without_a_ticked_row_or_a_token_is_refused(db, registrar):
    store(db, "Ett")
    page = registrar.get("/staff/").text
    response = post(registrar, "/staff/bulk", page, action="spam")
    assert response.status_code == 422 and translate("sv", "Tick the messages to change first.") in response.text
    assert registrar.post("/staff/bulk", data={"action": "spam"}, headers=BROWSER).status_code == 400
    assert post(registrar, "/staff/bulk", page, action="delete", ticked="GBG-0000-0000:0").status_code == 400
    assert post(registrar, "/staff/bulk", page, action="spam", ticked="nonsense").status_code == 400


def test_a_reader_sees_no_boxes_and_cannot_change_or_export(app, db, reader):
    reference = store(db, "Ett", email="a@example.se")
    page = reader.get("/staff/?q=a@example.se")
    assert shown(page) == [reference]
    assert 'name="ticked"' not in page.text and "/staff/bulk" not in page.text and "/staff/export" not in page.text
    assert "/staff/access-request" not in page.text
    response = post(reader, "/staff/bulk", page.text, ticked=f"{reference}:0", action="spam")
    assert response.status_code == 403 and submissions.get(db, reference)["status"] == "new"
    for path in ("/staff/export.csv", "/staff/export.json", "/staff/access-request.json?address=a@example.se"):
        assert reader.get(path).status_code == 403
    refusals = [e for e in staff_log(app) if e["action"] == "refused"]
    assert [e["details"]["path"] for e in refusals] == [
        "/staff/bulk", "/staff/export.csv", "/staff/export.json", "/staff/access-request.json",
    ]


def test_export_the_current_filter_as_csv_and_json(app, db, registrar):
    kept = store(db, "=HYPERLINK(\"x\")", locale="en")
    store(db, "Svenska", locale="sv")
    page = registrar.get("/staff/?language=en").text
    csv_url = re.search(r'href="(/staff/export\.csv[^"]*)"', page).group(1).replace("&amp;", "&")
    response = registrar.get(csv_url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="messages-')
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["reference"] for r in rows] == [kept] and rows[0]["message"] == "'=HYPERLINK(\"x\")"
    data = registrar.get(csv_url.replace("export.csv", "export.json")).get_json()
    assert [r["reference"] for r in data] == [kept] and "diary_number" in data[0]
    exports = [e for e in staff_log(app) if e["action"] == "inbox_exported"]
    assert [(e["references"], e["details"]) for e in exports] == [
        ([kept], {"format": "csv", "filter": {"language": "en"}}),
        ([kept], {"format": "json", "filter": {"language": "en"}}),
    ]


def test_a_search_by_address_offers_the_access_request_download(app, db, registrar):
    first = store(db, "Ett", email="Anna@Example.se")
    second = store(db, "Två", email="anna@example.se")
    store(db, "Annan", email="bo@example.se")
    page = registrar.get("/staff/?q=anna@example.se").text
    link = re.search(r'href="(/staff/access-request\.json\?address=[^"]+)"', page).group(1)
    response = registrar.get(link)
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["address"] == "anna@example.se" and [m["reference"] for m in document["messages"]] == [second, first]
    entry = staff_log(app)[-1]
    assert (entry["action"], entry["references"], entry["details"]) == ("access_request", [second, first], {"address": "anna@example.se"})
    assert "/staff/access-request" not in registrar.get("/staff/?q=anna").text
    assert registrar.get("/staff/access-request.json?address=not an address").status_code == 400


def test_htmx_after_the_session_ended_sends_the_whole_window_to_sign_in(app):
    response = app.test_client().get("/staff/?q=hej", headers=HTMX)
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/staff/auth/signin"


def test_each_reference_leads_to_its_message(db, reader):
    reference = store(db, "Hej")
    page = reader.get("/staff/").text
    link = re.search(rf'<a dir="ltr" href="(/staff/messages/{reference})">{reference}</a>', page).group(1)
    assert reader.get(link).status_code == 200
