"""What the site accepts as a form body: URL-encoded UTF-8 only, so what is stored is what was sent."""

import io

import pytest

from tests.helpers import Visitor, rendered, rows


def post_raw(visitor, body: bytes, content_type="application/x-www-form-urlencoded"):
    return visitor.client.post(f"/{visitor.lang}/contact", data=body, content_type=content_type)


def encoded_fields(visitor, message: str) -> bytes:
    from urllib.parse import urlencode

    fields = visitor.fields()
    del fields["message"]
    return urlencode(fields).encode() + b"&message=" + message.encode()


@pytest.fixture
def visitor(client):
    return Visitor(client, "en")


@pytest.mark.parametrize(
    "raw",
    [
        "Hej%FFd%C3%A5",  # a byte that is never UTF-8
        "%ED%A0%80",  # a lone surrogate, UTF-8 encoded
        "%C0%AF",  # an overlong "/"
        "%F8%88%80%80%80",  # a five-byte sequence
        "%C3",  # a sequence cut short
    ],
)
def test_invalid_utf8_in_a_form_is_400_and_nothing_is_stored(app, visitor, raw):
    response = post_raw(visitor, encoded_fields(visitor, raw))
    assert response.status_code == 400
    assert "The request could not be read" in response.text
    assert rows(app) == []


def test_raw_non_utf8_bytes_in_the_body_are_400(app, visitor):
    response = post_raw(visitor, encoded_fields(visitor, "ok") + b"\xe5\xe4\xf6")
    assert response.status_code == 400
    assert rows(app) == []


def test_unencoded_but_valid_utf8_is_read_as_sent(app, visitor):
    # curl --data 'message=åäö' sends the letters unencoded; that is still UTF-8.
    response = post_raw(visitor, encoded_fields(visitor, "Hälsningar från Göteborg"))
    assert response.status_code == 303
    assert rows(app)[0]["message"] == "Hälsningar från Göteborg"


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/json", b'{"message": "Hej"}'),
        ("multipart/form-data; boundary=x", b'--x\r\nContent-Disposition: form-data; name="message"\r\n\r\nHej\r\n--x--\r\n'),
        ("text/plain", b"message=Hej"),
    ],
)
def test_other_body_formats_are_415_in_the_visitors_language(app, client, content_type, body):
    response = client.post("/sv/contact", data=body, content_type=content_type)
    assert response.status_code == 415
    assert f"<h1>{rendered('sv', 'The form could not be read')}</h1>" in response.text
    assert rows(app) == []


def test_a_post_without_a_body_type_is_an_empty_form_not_a_crash(app, client):
    response = client.post("/en/contact")
    assert response.status_code == 422
    assert rows(app) == []


def post_chunked(visitor, body: bytes):
    """A chunked body, as gunicorn hands it on: no length, a stream the server ends."""
    return visitor.client.post(
        f"/{visitor.lang}/contact",
        input_stream=io.BytesIO(body),
        content_type="application/x-www-form-urlencoded",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_a_chunked_body_over_the_limit_is_413_not_cut_short(app, visitor):
    response = post_chunked(visitor, encoded_fields(visitor, "a" * 70_000))
    assert response.status_code == 413
    assert rows(app) == []


def test_a_chunked_body_under_the_limit_is_read_whole(app, visitor):
    response = post_chunked(visitor, encoded_fields(visitor, "å" * 5000))
    assert response.status_code == 303
    assert rows(app)[0]["message"] == "å" * 5000
