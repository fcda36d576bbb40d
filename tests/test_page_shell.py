"""The front page is rendered once and filled in per visitor: it must be exactly the page a full render gives."""

import pytest
from flask import render_template

from tests.helpers import Visitor, hidden_value
from webapp.contact.forms import ContactForm
from webapp.contact.page_shell import KEY_MARKER, MAX_SHELLS, SERVED_MARKER, shells


def key(html: str) -> str:
    return hidden_value(html, "form_key")


def served(html: str) -> str:
    """The signed time the page was served (the time trap's): different every 10 ms."""
    return hidden_value(html, "served")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_page_equals_a_full_render_with_the_same_key_and_stamp(app, client, lang):
    html = client.get(f"/{lang}/").text
    with app.test_request_context(f"/{lang}/"):
        app.preprocess_request()
        form = ContactForm()
        form.form_key.data, form.served.data = key(html), served(html)
        assert html == render_template("index.html", form=form)


def test_each_view_gets_its_own_key_and_nothing_else_differs(app):
    first, second = app.test_client().get("/sv/").text, app.test_client().get("/sv/").text
    assert key(first) != key(second)
    assert KEY_MARKER not in first and SERVED_MARKER not in first
    same = first.replace(key(first), "K").replace(served(first), "S")
    assert same == second.replace(key(second), "K").replace(served(second), "S")


def test_a_new_key_on_every_view_and_the_form_stores(client):
    first, second = client.get("/sv/").text, client.get("/sv/").text
    assert key(first) != key(second)
    assert Visitor(client).submit(message="Hej").status_code == 303


def test_canonical_links_name_the_host_asked_for(client):
    other = client.get("/sv/", headers={"Host": "www.example.org"}).text
    here = client.get("/sv/").text
    assert '<link rel="canonical" href="http://www.example.org/sv/">' in other
    assert '<link rel="canonical" href="http://localhost/sv/">' in here


def test_shells_kept_are_bounded(app, client):
    for n in range(MAX_SHELLS + 5):
        assert client.get("/en/", headers={"Host": f"host{n}.example.org"}).status_code == 200
    assert 0 < len(shells(app)) <= MAX_SHELLS


def test_one_shell_per_language(client):
    assert '<html lang="sv">' in client.get("/sv/").text
    assert '<html lang="en">' in client.get("/en/").text
    assert '<html lang="sv">' in client.get("/sv/").text
