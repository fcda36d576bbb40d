"""Request bodies the site reads: HTML forms, URL-encoded, in UTF-8, and nothing else.

Werkzeug's own parser re-quotes bytes that are not UTF-8 ("%FF" arrives as the
three characters "%FF") and decodes multipart fields with replacement
characters, so a message could be stored differently from what was sent. Our
forms are URL-encoded UTF-8 (the pages are UTF-8 and declare no other
enctype); anything else is refused with a 4xx before a view sees it.
"""

from urllib.parse import parse_qsl

from htmx_flask.requests import HtmxAwareRequest
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType
from werkzeug.formparser import FormDataParser

URLENCODED = "application/x-www-form-urlencoded"


class UTF8FormParser(FormDataParser):
    def parse(self, stream, mimetype, content_length, options=None):
        if mimetype != URLENCODED:
            raise UnsupportedMediaType()
        # The stream is already limited to MAX_CONTENT_LENGTH (413 beyond it).
        body = stream.read()
        if content_length is None and getattr(stream, "is_exhausted", False):
            # A chunked body read up to the limit: Werkzeug's read() stops there
            # silently, which would cut the message short. (One exactly at the
            # limit is refused too; no browser sends a form chunked.)
            raise RequestEntityTooLarge()
        try:
            items = parse_qsl(body.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            # Also catches lone surrogates and overlong forms: strict UTF-8 has neither.
            raise BadRequest() from None
        return stream, self.cls(items), self.cls()


class FormRequest(HtmxAwareRequest):
    form_data_parser_class = UTF8FormParser


def init_app(app) -> None:
    app.request_class = FormRequest
