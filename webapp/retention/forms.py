"""The staff area's retention forms: a hold needs a message's reference and a reason."""

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..i18n import lazy_gettext as _l


class HoldForm(FlaskForm):
    reference = StringField(
        _l("Message reference"),
        description=_l("As in the confirmation and the office's mail"),
        validators=[DataRequired(_l("Enter the message's reference"))],
        filters=[lambda value: (value or "").strip().upper()],
    )
    reason = TextAreaField(
        _l("Why it must be kept"),
        description=_l("A request for the document, an appeal or a complaint, with its case number if there is one"),
        validators=[DataRequired(_l("Enter why the message must be kept")), Length(max=500, message=_l("Write at most 500 characters"))],
    )


class LiftForm(FlaskForm):
    """A button per held message: only the CSRF token (the reference is in the URL)."""
