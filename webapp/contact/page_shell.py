"""The front page with an empty form, rendered once and filled in per request.

It is the same for every visitor but for the form key and the time trap's stamp. It is rendered
once per language and host (the canonical links name the host) with markers in their place, and
each request fills in its own values: the render and building the form were most of the cost of a
page view. Nothing else that differs between visitors may go on this page, or in its headers:
after its first view, web/replay.py answers it with the same headers and a new fill.
"""

from functools import partial

from flask import Response, current_app, g, render_template, request

from ..i18n.reload import catalogs_reloaded
from ..web import public_url, replay
from ..web.spliced_gzip import SplicedGzip
from . import time_trap
from .forms import ContactForm, new_form_key

KEY_MARKER, SERVED_MARKER = "__form_key__", "__served__"
MAX_SHELLS = 32  # without WEBAPP_PUBLIC_URL the Host header is the client's to choose
SHELLS = __name__


def shells(app) -> dict:
    return app.extensions.setdefault(SHELLS, {})


@catalogs_reloaded.connect
def clear_page_shells(app) -> None:
    """Forget the rendered shells (their text came from the catalogs)."""
    app.extensions.pop(SHELLS, None)


def shell(template: str) -> SplicedGzip:
    """The page with markers, split around them and gzip-compressed between them."""
    rendered = shells(current_app)
    key = (template, g.lang, public_url.base_url())
    if key not in rendered:
        form = ContactForm()
        form.form_key.data, form.served.data = KEY_MARKER, SERVED_MARKER
        if len(rendered) >= MAX_SHELLS:
            rendered.clear()
        rendered[key] = SplicedGzip(render_template(template, form=form), (KEY_MARKER, SERVED_MARKER))
    return rendered[key]


def filled(app, page: SplicedGzip, gzip: bool) -> bytes:
    """The page with what an empty form holds, as ContactForm() would give it: a new form key and
    its stamp. Both are URL-safe (hex, base64), so they go into the HTML as they are."""
    key = new_form_key()
    values = key, time_trap.stamp(key, secret_key=app.secret_key)
    return page.fill(values) if gzip else page.join(values)


def render_with_empty_form(template: str) -> Response:
    """`template` with an empty ContactForm: two values of this view alone, so no cache may keep
    the page (README "A reader's cost")."""
    gzip = bool(request.accept_encodings["gzip"])  # even when br is accepted too: this gzip costs no compressing
    refill = partial(filled, current_app._get_current_object(), shell(template), gzip)
    replay.offer(refill, "gzip" if gzip else None)
    headers = {"Cache-Control": "no-store", "Vary": "Accept-Encoding"}
    if gzip:
        headers["Content-Encoding"] = "gzip"
    return Response(refill(), headers=headers, mimetype="text/html")
