"""The staff area's forms: every POST carries a CSRF token bound to the server-side session
(on top of the staff cookie's SameSite=Strict and the site's cross-origin check)."""

from flask_wtf import FlaskForm
from wtforms import HiddenField


class ActionForm(FlaskForm):
    """A button that does one thing (sign out, use a link): only the CSRF token."""


class EndSessionForm(FlaskForm):
    session_id = HiddenField()
