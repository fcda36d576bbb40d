"""The message page's forms: each action a POST of its own, carrying the version the person read."""

from datetime import date

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError
from wtforms.widgets import DateInput, HiddenInput

from ..contact.forms import normalise_message
from ..i18n import lazy_gettext as _l
from . import cases

NOTE_MAX = 2000
DIARY_MAX = 100


class ActForm(FlaskForm):
    """A button that changes the state (answered, closed, reopen, spam, not spam)."""

    # SQLite's integers are 64-bit: a larger number is no version any page showed.
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(0, 2**63 - 1)])

    def change(self) -> dict:
        """What cases.change() needs besides the action and the version."""
        return {}

    def logged(self) -> dict:
        """What the access log keeps of it (never a note's text)."""
        return {}


def diary_pattern() -> str:
    return current_app.config["STAFF_DIARY_PATTERN"]


def in_the_office_form(form, field):
    if field.data and not cases.valid_diary_number(field.data, diary_pattern()):
        raise ValidationError(_l("The diary number does not have the office's form: %(pattern)s", pattern=diary_pattern()))


def iso_day(form, field):
    try:
        field.day = date.fromisoformat(field.data.strip())
    except ValueError:
        field.data = ""  # a date input can only show a date (a browser sends nothing else; an old one may)
        raise ValidationError(_l("Enter the date as year-month-day, for example 2026-03-12")) from None


class RegisterForm(ActForm):
    diary_number = StringField(
        _l("Diary number"),
        validators=[
            DataRequired(_l("Enter the diary number")),
            Length(max=DIARY_MAX, message=_l("Write at most %(num)d characters", num=DIARY_MAX)),
            in_the_office_form,
        ],
        filters=[lambda value: (value or "").strip()],
    )
    registered_on = StringField(
        _l("Date registered"), widget=DateInput(), validators=[DataRequired(_l("Enter the date registered")), iso_day]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if diary_pattern():
            self.diary_number.description = _l("In the office's form: %(pattern)s", pattern=diary_pattern())

    def change(self) -> dict:
        return {"diary_number": self.diary_number.data, "registered_on": self.registered_on.day}

    def logged(self) -> dict:
        return {"diary_number": self.diary_number.data}


class NoteForm(ActForm):
    note = TextAreaField(
        _l("Internal note"),
        description=_l("Seen only in the staff area, with your name and the time"),
        validators=[
            DataRequired(_l("Write the note")),
            Length(max=NOTE_MAX, message=_l("Write at most %(num)d characters", num=NOTE_MAX)),
        ],
        filters=[normalise_message],  # as a visitor's text: line breaks as LF, no surrounding white space
    )

    def change(self) -> dict:
        return {"text": self.note.data}


FORMS = {"register": RegisterForm, "note": NoteForm}


def form_for(action: str, **kwargs) -> ActForm:
    return FORMS.get(action, ActForm)(**kwargs)
