"""A field is defined once, in the form: its inline check, its storage, the staff CLI and the
office's mail follow.

README "Adding a field to the form" lists the rest (template, migration, catalogs, privacy page).
"""

import csv
import io

import pytest
from sqlite_utils import Database
from wtforms import StringField

from tests.helpers import Visitor, rows, translate
from tests.mail_helpers import send
from webapp.contact import views as contact
from webapp.contact.forms import ContactForm, strip
from webapp.mail import messages


class WithName(ContactForm):
    name = StringField("Name (optional)", filters=[strip])


def add_name_field(app, monkeypatch) -> Visitor:
    """The site with an optional name field added to the form, and its column (what a migration
    adds); the mail is told of the form's fields as create_app tells it of ContactForm's."""
    monkeypatch.setattr(contact, "ContactForm", WithName)
    messages.describe_form(app, WithName.field_labels())
    database = Database(app.config["DATABASE"])
    database["submissions"].add_column("name", str)
    database.close()
    return Visitor(app.test_client())


@pytest.fixture
def named(app, monkeypatch):
    return add_name_field(app, monkeypatch)


def test_the_new_field_has_its_inline_check(named):
    response = named.check("name", name="Åsa")
    assert response.status_code == 200
    assert response.text.startswith('<div class="field" id="name-field">')
    assert 'value="Åsa"' in response.text
    # Fields the form does not show are still not checkable.
    assert named.check("website").status_code == 404


def test_the_new_field_is_stored_empty_as_null(app, named):
    assert named.submit(message="Hej", name="  Åsa Öberg ").status_code == 303
    assert named.submit(message="Hej igen").status_code == 303
    first, second = rows(app)
    assert first["name"] == "Åsa Öberg" and first["message"] == "Hej"
    assert second["name"] is None


def test_the_staff_cli_shows_and_exports_the_new_column(app, named, runner, tmp_path):
    named.submit(message="Hej", name="Åsa")
    [row] = rows(app)
    shown = runner.invoke(args=["submissions", "show", row["reference"]])
    assert "name:       Åsa" in shown.output
    out = tmp_path / "export.csv"
    runner.invoke(args=["submissions", "export", "--output", str(out)])
    [exported] = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
    assert list(exported) == ["reference", "created_at", "locale", "status", "email", "message", "name"]
    assert exported["name"] == "Åsa"


def test_the_new_field_reaches_the_office(mail_app, smtp, monkeypatch):
    visitor = add_name_field(mail_app, monkeypatch)
    assert visitor.submit(message="Hej", name="Åsa Öberg").status_code == 303
    send(mail_app)
    (notification,) = smtp.recorder.wait_for(1)
    assert translate("sv", "%(label)s: %(value)s", label="Name (optional)", value="Åsa Öberg") in notification.text
    # The text still comes last, after every field.
    assert notification.text.rstrip().endswith("Hej")


def test_the_office_is_told_of_the_form_as_it_is(app):
    # create_app hands the mail the form's own fields, not a list of its own.
    assert app.extensions[messages.__name__] == ContactForm.field_labels()
    assert list(ContactForm.field_labels()) == ["email", "message"]
    assert list(WithName.field_labels()) == ["email", "message", "name"]


def test_visible_fields_follow_the_declarations(app):
    # Hidden fields and the honeypot are not the visitor's to fill in.
    with app.test_request_context("/sv/"):
        assert [f.name for f in ContactForm().visible_fields] == ["email", "message"]
        assert [f.name for f in WithName().visible_fields] == ["email", "message", "name"]
        assert WithName(data={"email": "a@example.se", "message": "Hej"}).submission == {"email": "a@example.se", "message": "Hej", "name": ""}
