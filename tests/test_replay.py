"""The front page after its first view is answered without Flask (web/replay.py): it must be what Flask
would have sent, but for the form's two values and the request id."""

import gzip
import json
import logging

import brotli
import pytest

from tests.helpers import hidden_value, make_app
from webapp.web import replay

HEADER_SETS = [{}, {"Accept-Encoding": "gzip"}, {"Accept-Encoding": "br, gzip"}, {"Host": "www.example.org"}, {"HX-Request": "true"}]


def kept(app) -> dict:
    return app.extensions[replay.__name__]


def html(response) -> str:
    return (gzip.decompress(response.data) if response.headers.get("Content-Encoding") == "gzip" else response.data).decode()


def text(response) -> str:
    """The page with its two values of one view taken out."""
    page = html(response)
    return page.replace(hidden_value(page, "form_key"), "KEY").replace(hidden_value(page, "served"), "STAMP")


def headers(response) -> list[tuple[str, str]]:
    return sorted((name, value) for name, value in response.headers.items() if name not in ("X-Request-ID", "Content-Length"))


@pytest.mark.parametrize("sent", HEADER_SETS)
def test_a_kept_page_is_what_flask_sends_with_new_values(app, client, sent):
    flask_answers = []
    for _ in range(2):  # Flask's own answers, twice: what is kept must not differ between requests
        kept(app).clear()
        flask_answers.append(client.get("/sv/", headers=sent))
    assert len(kept(app)) == 1
    replayed = client.get("/sv/", headers=sent)
    assert headers(flask_answers[0]) == headers(flask_answers[1]) == headers(replayed)
    assert text(flask_answers[0]) == text(replayed)
    assert int(replayed.headers["Content-Length"]) == len(replayed.data)
    assert hidden_value(text(replayed), "form_key") == "KEY"
    assert len({hidden_value(html(r), "form_key") for r in [*flask_answers, replayed]}) == 3


def test_each_replayed_view_is_logged_with_its_own_request_id(app, client):
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(json.loads(logging.getLogger("webapp.requests").handlers[0].format(record)))
    logging.getLogger("webapp.requests").addHandler(handler)
    try:
        client.get("/sv/")
        answers = [client.get("/sv/"), client.get("/sv/?utm=x", headers={"X-Request-ID": "nginx-1"})]
    finally:
        logging.getLogger("webapp.requests").removeHandler(handler)
    assert len(kept(app)) == 2
    assert [(l["method"], l["path"], l["status"]) for l in lines] == [("GET", "/sv/", 200)] * 3
    assert set(lines[0]) == set(lines[1]) == set(lines[2])
    assert [l["request_id"] for l in lines[1:]] == [a.headers["X-Request-ID"] for a in answers]
    assert answers[1].headers["X-Request-ID"] == "nginx-1"


def test_a_page_a_hook_compressed_is_not_kept(app, client):
    """Only br accepted: compression.py brotli-compresses the page after the view, so the kept body would be wrong."""
    for _ in range(2):
        response = client.get("/sv/", headers={"Accept-Encoding": "br"})
        assert response.headers["Content-Encoding"] == "br"
        assert 'name="form_key"' in brotli.decompress(response.data).decode()
    assert kept(app) == {}


def test_only_the_front_page_is_kept(app, client):
    for path in ("/sv/privacy", "/healthz", "/xx/", "/sv"):
        client.get(path)
    client.head("/sv/")
    assert kept(app) == {}


def test_pages_kept_are_bounded(app, client):
    for n in range(replay.MAX_ENTRIES + 5):
        assert client.get("/en/", headers={"Host": f"host{n}.example.org"}).status_code == 200
    assert 0 < len(kept(app)) <= replay.MAX_ENTRIES


def test_make_dev_answers_every_request_with_flask(tmp_path, assets_dir):
    """Its requests first look for catalogs a translator has saved (tests/test_catalog_reload.py)."""
    app = make_app(tmp_path, ASSETS_DIR=str(assets_dir), DEBUG=True)
    client = app.test_client()
    client.get("/sv/")
    assert client.get("/sv/").status_code == 200
    assert replay.__name__ not in app.extensions
