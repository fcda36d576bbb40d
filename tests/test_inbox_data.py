"""The inbox's data: states, versions, registration, notes, history; search and keyset pages."""

import json
import time
from datetime import date, datetime, timedelta, timezone

import pytest

from webapp.contact import submissions
from webapp.inbox import cases, export, listing
from webapp.inbox.listing import Filter
from webapp.retention import deletion


def store(db, message, *, email="", locale="sv", status="new", n=[0]):
    n[0] += 1
    return submissions.store(db, locale=locale, email=email, message=message, form_key=f"{n[0]:032d}", status=status)


def refs(page):
    return [row["reference"] for row in page.rows]


def search(db, q, **kw):
    return refs(listing.page(db, Filter(q=q, **kw)))


def test_register_answer_close_reopen_with_history(db):
    ref = store(db, "Hej")
    case = cases.change(db, ref, "register", actor="anna", version=0, diary_number=" SLK-2026-17 ", registered_on=date(2026, 12, 2))
    assert case == {"version": 1, "diary_number": "SLK-2026-17", "registered_on": "2026-12-02"}
    row = submissions.get(db, ref)
    assert row["status"] == "registered" and row["status_changed_at"] >= row["created_at"]
    cases.change(db, ref, "note", actor="bo", version=1, text="Ringde upp.")
    cases.change(db, ref, "closed", actor="anna", version=2)
    cases.change(db, ref, "reopen", actor="bo", version=3)
    assert submissions.get(db, ref)["status"] == "registered"  # registered before, so registered again
    steps = cases.history(db, row["id"])
    assert [(h["actor"], h["action"], h["to_status"]) for h in steps] == [
        ("anna", "register", "registered"),
        ("bo", "note", "registered"),
        ("anna", "closed", "closed"),
        ("bo", "reopen", "registered"),
    ]
    assert steps[1]["detail"] == "Ringde upp." and all(h["at"] for h in steps)


def test_every_state_change_sets_status_changed_at(db):
    ref = store(db, "Hej")
    db.execute("UPDATE submissions SET status_changed_at = '2000-01-01T00:00:00+00:00'")
    db.conn.commit()
    cases.change(db, ref, "answered", actor="anna", version=0)
    assert submissions.get(db, ref)["status_changed_at"] > "2000"


def test_second_of_two_concurrent_changes_is_told_what_changed(db):
    ref = store(db, "Hej")
    cases.change(db, ref, "closed", actor="anna", version=0)
    with pytest.raises(cases.Conflict) as raised:
        cases.change(db, ref, "register", actor="bo", version=0, diary_number="1", registered_on=date(2026, 1, 1))
    assert raised.value.current == 1
    assert [(c["actor"], c["action"]) for c in raised.value.changes] == [("anna", "closed")]
    assert submissions.get(db, ref)["status"] == "closed"
    assert cases.case(db, submissions.get(db, ref)["id"])["diary_number"] is None


def test_action_not_allowed_in_state(db):
    ref = store(db, "Köp", status="spam")
    with pytest.raises(cases.NotAllowed):
        cases.change(db, ref, "closed", actor="anna", version=0)
    with pytest.raises(cases.NotFound):
        cases.change(db, "GBG-0000-0000", "closed", actor="anna", version=0)


def test_not_spam_queues_the_notification_as_release_does(db):
    ref = store(db, "Riktigt meddelande", email="a@example.se", status="spam")
    row = submissions.get(db, ref)
    assert not db.execute("SELECT 1 FROM outbox WHERE submission_id = ?", [row["id"]]).fetchall()
    cases.change(db, ref, "not_spam", actor="anna", version=0)
    assert submissions.get(db, ref)["status"] == "new"
    kinds = [r[0] for r in db.execute("SELECT kind FROM outbox WHERE submission_id = ?", [row["id"]])]
    assert kinds == ["notification"]  # no receipt to a address once held back as spam
    cases.change(db, ref, "spam", actor="anna", version=1)
    assert submissions.get(db, ref)["status"] == "spam"


def test_diary_pattern():
    assert cases.valid_diary_number("vad som helst", "")
    assert not cases.valid_diary_number("  ", "")
    assert cases.valid_diary_number("SLK-2026-00017", r"SLK-\d{4}-\d+")
    assert not cases.valid_diary_number("SLK-2026-00017x", r"SLK-\d{4}-\d+")


def test_search_suits_swedish(db):
    year = store(db, "Ett ÅR av samarbete")
    arm = store(db, "Min arm gör ont")
    twin = store(db, "Om vänortssamarbetet med Åbo")
    assert search(db, "år") == [year]  # case folded, å not a
    assert search(db, "ar") == [arm]
    assert search(db, "vänort") == [twin]
    assert search(db, "ÅBO") == [twin]
    assert search(db, "vanort") == []


def test_reference_and_address_find_their_message_exactly(db):
    mine = store(db, "Hej", email="Anna.Berg@example.se")
    other = store(db, "Hej", email="anna@example.se")
    assert search(db, mine.lower()) == [mine]
    assert search(db, "anna.berg@EXAMPLE.se") == [mine]
    assert search(db, "anna@example.se") == [other]


@pytest.mark.parametrize("q", ['"', 'vänort"', "AND", "*", "OR NOT", "NEAR(", "a:b", "-x", "^"])
def test_query_fts5_cannot_parse_is_plain_words(db, q):
    store(db, "and or not near a b x vänort")
    listing.page(db, Filter(q=q))  # never an error
    listing.count(db, Filter(q=q))


def test_and_is_a_word(db):
    andra = store(db, "andra raden")
    store(db, "ingenting")
    assert search(db, "AND") == [andra]


def test_filters(db):
    sv = store(db, "ett", locale="sv")
    en = store(db, "two", locale="en")
    spam = store(db, "tre", status="spam")
    assert search(db, "", locale="en") == [en]
    assert search(db, "", status="spam") == [spam]
    assert listing.count(db, Filter()) == 3
    # From/to are days in Gothenburg: 23:30 UTC on 1 December is 2 December there.
    db.execute("UPDATE submissions SET created_at = '2025-12-01T23:30:00+00:00' WHERE reference = ?", [sv])
    db.conn.commit()
    assert search(db, "", received_from=date(2025, 12, 2), received_to=date(2025, 12, 2)) == [sv]
    assert search(db, "", received_to=date(2025, 12, 1)) == []


def test_keyset_pages_newest_first_and_back(db):
    made = [store(db, f"meddelande nummer {i}") for i in range(listing.PAGE_SIZE + 7)]
    first = listing.page(db, Filter())
    assert refs(first) == made[::-1][: listing.PAGE_SIZE]
    second = listing.page(db, Filter(), after=first.next_after)
    assert refs(second) == made[::-1][listing.PAGE_SIZE :] and second.next_after is None
    oldest = listing.page(db, Filter(), newest_first=False)
    assert refs(oldest) == made[: listing.PAGE_SIZE]
    searched = listing.page(db, Filter(q="meddelande"), after=first.next_after)
    assert refs(searched) == refs(second)
    assert [r["reference"] for r in listing.every(db, Filter(q="nummer"))] == made[::-1]


def test_pages_never_use_offset(db):
    where, params, source = listing._where(Filter(q="hej"))
    plan = db.execute(
        f"EXPLAIN QUERY PLAN SELECT s.* FROM {source} WHERE {' AND '.join(where)} ORDER BY submissions_fts.rowid DESC LIMIT 51", params
    ).fetchall()
    assert not any("TEMP B-TREE" in row[-1] for row in plan), plan
    plan = db.execute("EXPLAIN QUERY PLAN SELECT s.* FROM submissions s WHERE s.status = 'new' AND s.id < 5 ORDER BY s.id DESC LIMIT 51").fetchall()
    assert not any("TEMP B-TREE" in row[-1] for row in plan), plan


def test_search_index_follows_deletes(db):
    ref = store(db, "försvinner")
    old = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat(timespec="seconds")
    deletion.purge(db, old, "Arkivnämnden 2024-03-12, § 15", "arkivarie", time.time())  # as `flask submissions purge`
    assert search(db, "försvinner") == [] and ref


def test_count_stops_at_the_cap(db, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_CAP", 2)
    for i in range(4):
        store(db, f"hej {i}")
    assert listing.count(db, Filter(q="hej")) == 3  # more than the cap
    assert listing.count(db, Filter(q="hej 1")) == 1


def test_single_letter_is_a_whole_word(db):
    letter = store(db, "punkt a i avtalet")
    store(db, "avtalet")
    assert search(db, "a") == [letter]


def test_bulk_changes_each_and_reports_the_rest(db):
    a, b, c = store(db, "ett"), store(db, "två"), store(db, "tre", status="spam")
    cases.change(db, b, "note", actor="bo", version=0, text="Jag tar den.")
    outcome = cases.change_many(db, {a: 0, b: 0, c: 0}, "spam", actor="anna")
    assert outcome[a] is None and isinstance(outcome[b], cases.Conflict) and isinstance(outcome[c], cases.NotAllowed)
    assert [submissions.get(db, r)["status"] for r in (a, b, c)] == ["spam", "new", "spam"]


def test_export_of_a_filter_is_formula_neutral_and_names_what_it_held(db):
    formula = store(db, '=HYPERLINK("http://evil")', locale="en")
    store(db, "svenska", locale="sv")
    text, held = export.filtered(db, Filter(locale="en"), "csv")
    assert held == [formula]
    assert "'=HYPERLINK" in text and "svenska" not in text
    assert text.splitlines()[0].startswith("reference,created_at,locale,status")
    data, held = export.filtered(db, Filter(locale="en"), "json")
    assert [row["reference"] for row in json.loads(data)] == held == [formula]
    assert json.loads(export.filtered(db, Filter(q="inget sådant"), "json")[0]) == []


def test_subject_access_gives_everything_the_address_sent(app, db):
    first = store(db, "Första", email="Asa@example.se")
    second = store(db, "Andra", email="asa@EXAMPLE.se")
    store(db, "Någon annans", email="other@example.se")
    cases.change(db, first, "register", actor="anna", version=0, diary_number="SLK-1", registered_on=date(2026, 1, 2))
    with app.app_context():  # the mail's Message-IDs name the configured sender's domain
        text, held = export.subject_access(db, "asa@example.se")
    document = json.loads(text)
    assert sorted(held) == sorted([first, second])
    by_ref = {m["reference"]: m for m in document["messages"]}
    assert by_ref[first]["message"] == "Första" and by_ref[first]["diary_number"] == "SLK-1"
    assert [h["action"] for h in by_ref[first]["history"]] == ["register"]
    assert [m["kind"] for m in by_ref[second]["mail"]] == ["notification", "receipt"]
