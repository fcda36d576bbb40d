"""Pages are compressed when the browser accepts it, and only when that is correct."""

import gzip

import brotli
import pytest
from flask import Response, request, stream_with_context

from tests.helpers import hidden_value

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}


def vary(response) -> set[str]:
    return {v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()}


@pytest.mark.parametrize(
    "accept, encoding",
    [
        ("br, gzip", "br"),
        ("gzip, deflate, br, zstd", "br"),  # what Chrome sends
        ("gzip", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=1, br;q=0.5", "gzip"),
        ("identity", None),
        ("", None),
    ],
)
def test_page_compressed_as_accepted(client, accept, encoding):
    response = client.get("/sv/privacy", headers={"Accept-Encoding": accept})
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == encoding
    assert int(response.headers["Content-Length"]) == len(response.get_data())
    html = DECODE[encoding](response.get_data()).decode()
    assert html.startswith("<!doctype html>") and html.rstrip().endswith("</html>")
    assert "Accept-Encoding" in vary(response)


@pytest.mark.parametrize(
    "accept, encoding",
    [("gzip, deflate, br, zstd", "gzip"), ("br, gzip", "gzip"), ("gzip", "gzip"), ("br", "br"), ("br, gzip;q=0", "br"), ("", None)],
)
def test_front_page_is_gzip_whenever_accepted(client, accept, encoding):
    # Compressed once around the form's two values (webapp/web/spliced_gzip.py).
    response = client.get("/sv/", headers={"Accept-Encoding": accept})
    assert response.headers.get("Content-Encoding") == encoding
    assert int(response.headers["Content-Length"]) == len(response.get_data())
    assert "Accept-Encoding" in vary(response)
    html = DECODE[encoding](response.get_data()).decode()
    assert html.startswith("<!doctype html>") and html.rstrip().endswith("</html>")
    plain = client.get("/sv/").text
    assert plain.replace(hidden_value(plain, "form_key"), "K").replace(hidden_value(plain, "served"), "S") == html.replace(
        hidden_value(html, "form_key"), "K"
    ).replace(hidden_value(html, "served"), "S")


def test_compressed_page_is_the_same_page(client):
    plain = client.get("/en/privacy").get_data()
    packed = client.get("/en/privacy", headers={"Accept-Encoding": "br"})
    assert packed.headers["Content-Encoding"] == "br"
    assert len(packed.get_data()) < len(plain) / 2
    assert brotli.decompress(packed.get_data()) == plain


def test_small_responses_left_alone(client):
    response = client.get("/healthz", headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" not in vary(response)
    assert response.json["status"] == "ok"


def test_htmx_fragment_compressed(client):
    response = client.post(
        "/sv/contact", data={}, headers={"HX-Request": "true", "Accept-Encoding": "gzip"}
    )  # nothing filled in: the form comes back with the problem explained
    assert response.status_code == 422
    assert response.headers["Content-Encoding"] == "gzip"
    assert vary(response) >= {"HX-Request", "Accept-Encoding"}
    assert 'id="contact-form"' in gzip.decompress(response.get_data()).decode()


def test_error_page_compressed(client):
    response = client.get("/sv/no-such-page", headers={"Accept-Encoding": "br"})
    assert response.status_code == 404
    assert response.headers["Content-Encoding"] == "br"
    assert "Sidan finns inte" in brotli.decompress(response.get_data()).decode()


def test_head_has_the_get_headers_and_no_body(client):
    response = client.head("/sv/", headers={"Accept-Encoding": "br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert response.get_data() == b""


@pytest.fixture
def extra_routes(app):
    page = "<!doctype html><title>x</title>" + "<p>lorem ipsum dolor sit amet</p>" * 100

    @app.get("/test/stream")
    def stream():
        return Response(stream_with_context(iter([page[:500], page[500:]])), mimetype="text/html")

    @app.get("/test/etag")
    def etag():
        response = Response(page, mimetype="text/html")
        response.set_etag("v1")
        return response.make_conditional(request)

    return page


def test_streamed_response_not_buffered_or_compressed(client, extra_routes):
    response = client.get("/test/stream", headers={"Accept-Encoding": "br"})
    assert "Content-Encoding" not in response.headers
    assert response.get_data(as_text=True) == extra_routes


def test_etag_names_the_compressed_representation(client, extra_routes):
    packed = client.get("/test/etag", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["ETag"] == '"v1-gzip"'
    plain = client.get("/test/etag")
    assert plain.headers["ETag"] == '"v1"'
    # A 304 has no body to compress and keeps its headers as they are.
    not_modified = client.get("/test/etag", headers={"Accept-Encoding": "gzip", "If-None-Match": '"v1"'})
    assert not_modified.status_code == 304
    assert "Content-Encoding" not in not_modified.headers
    assert not_modified.get_data() == b""
