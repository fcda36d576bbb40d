"""Pages compressed with brotli or gzip when the browser accepts it.

Static files come pre-compressed from assets.py; this is for what Flask renders.
"""

import gzip

import brotli
from flask import request

# Below this a compressed body saves less than its headers and the CPU cost.
MIN_SIZE = 1024
TYPES = frozenset({"text/html", "text/plain", "application/json", "application/xml", "image/svg+xml"})
# Fast levels: a page is compressed on every request, unlike the static files.
ENCODERS = {
    "br": lambda data: brotli.compress(data, quality=4),
    "gzip": lambda data: gzip.compress(data, compresslevel=6, mtime=0),
}


def compress_response(response):
    if (
        response.status_code in (204, 206, 304)
        or response.status_code < 200
        or response.is_streamed  # sent piece by piece; compressing would buffer it
        or response.direct_passthrough  # files Flask sends itself
        or "Content-Encoding" in response.headers
        or response.mimetype not in TYPES
    ):
        return response
    body = response.get_data()
    if len(body) < MIN_SIZE:
        return response
    # Caches must keep the compressed and the plain body apart, whatever this client accepts.
    response.vary.add("Accept-Encoding")
    encoding = request.accept_encodings.best_match(tuple(ENCODERS))
    if encoding is None:
        return response
    response.set_data(ENCODERS[encoding](body))
    response.headers["Content-Encoding"] = encoding
    tag, weak = response.get_etag()
    if tag:  # an ETag names one representation: the compressed one needs its own
        response.set_etag(f"{tag}-{encoding}", weak)
    return response


def init_app(app) -> None:
    app.after_request(compress_response)
