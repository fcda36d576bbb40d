"""The front page with an empty form, rendered once and filled in per request.

It is the same for every visitor but for the CSRF token and the form key. It is rendered once
per language and host (the canonical links name the host) with markers in their place, and each
request fills in its own values: the render and building the form were most of the cost of a
page view. Nothing else that differs between visitors may go on this page.
"""

from flask import current_app, g, render_template, request
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from ..i18n.reload import catalogs_reloaded
from . import time_trap
from .forms import ContactForm, new_form_key

TOKEN_MARKER, KEY_MARKER, SERVED_MARKER = "__csrf_token__", "__form_key__", "__served__"
MAX_SHELLS = 32  # the Host header is the client's to choose
SHELLS = __name__


def shells(app) -> dict:
    return app.extensions.setdefault(SHELLS, {})


@catalogs_reloaded.connect
def clear_page_shells(app) -> None:
    """Forget the rendered shells (their text came from the catalogs)."""
    app.extensions.pop(SHELLS, None)


def shell(template: str) -> str:
    rendered = shells(current_app)
    key = (template, g.lang, request.host_url)
    if key not in rendered:
        form = ContactForm()
        form.csrf_token.current_token, form.form_key.data, form.served.data = TOKEN_MARKER, KEY_MARKER, SERVED_MARKER
        if len(rendered) >= MAX_SHELLS:
            rendered.clear()
        rendered[key] = render_template(template, form=form)
    return rendered[key]


def render_with_empty_form(template: str) -> str:
    """`template` with an empty ContactForm, as ContactForm() would give it."""
    # generate_csrf(), new_form_key() and stamp() give what an empty ContactForm() would hold.
    page = shell(template).replace(TOKEN_MARKER, escape(generate_csrf()), 1).replace(KEY_MARKER, new_form_key(), 1)
    return page.replace(SERVED_MARKER, time_trap.stamp(), 1)
