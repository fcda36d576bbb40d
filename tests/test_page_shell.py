"""The front page is rendered once and filled in per visitor: it must be exactly the page a full render gives."""

import pytest
from flask import render_template

from tests.helpers import Visitor, hidden_value
from webapp.contact.forms import ContactForm
from webapp.contact.page_shell import KEY_MARKER, MAX_SHELLS, SERVED_MARKER, TOKEN_MARKER, shells


def personal(html: str) -> tuple[str, str]:
    return hidden_value(html, "csrf_token"), hidden_value(html, "form_key")


def served(html: str) -> str:
    """The signed time the page was served (the time trap's): different every 10 ms."""
    return hidden_value(html, "served")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_page_equals_a_full_render_with_the_same_token_and_key(app, client, lang):
    html = client.get(f"/{lang}/").text
    token, key = personal(html)
    with app.test_request_context(f"/{lang}/"):
        app.preprocess_request()
        form = ContactForm()
        form.csrf_token.current_token, form.form_key.data, form.served.data = token, key, served(html)
        assert html == render_template("index.html", form=form)


def test_each_visitor_gets_their_own_token_and_key(app):
    first, second = app.test_client().get("/sv/").text, app.test_client().get("/sv/").text
    (token1, key1), (token2, key2) = personal(first), personal(second)
    assert token1 != token2 and key1 != key2
    assert TOKEN_MARKER not in first and KEY_MARKER not in first and SERVED_MARKER not in first
    same = first.replace(token1, "T").replace(key1, "K").replace(served(first), "S")
    assert same == second.replace(token2, "T").replace(key2, "K").replace(served(second), "S")


def test_a_new_key_on_every_view_and_the_token_of_the_session(client):
    first, second = client.get("/sv/").text, client.get("/sv/").text
    assert personal(first)[1] != personal(second)[1]
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
