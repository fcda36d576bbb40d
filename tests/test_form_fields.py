"""A field is defined once, in the form: its inline check, its storage and the staff CLI follow.

README "Adding a field to the form" lists the rest (template, migration, catalogs, privacy page).
"""

import csv
import io

import pytest
from sqlite_utils import Database
from wtforms import StringField

from tests.helpers import Visitor, rows
from webapp.contact import views as contact
from webapp.contact.forms import ContactForm, strip


class WithName(ContactForm):
    name = StringField("Name (optional)", filters=[strip])


@pytest.fixture
def named(app, monkeypatch):
    """The site with an optional name field added to the form, and its column (what a migration adds)."""
    monkeypatch.setattr(contact, "ContactForm", WithName)
    database = Database(app.config["DATABASE"])
    database["submissions"].add_column("name", str)
    database.close()
    return Visitor(app.test_client())


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


def test_visible_fields_follow_the_declarations(app):
    # Hidden fields, the CSRF token and the honeypot are not the visitor's to fill in.
    with app.test_request_context("/sv/"):
        assert [f.name for f in ContactForm().visible_fields] == ["email", "message"]
        assert [f.name for f in WithName().visible_fields] == ["email", "message", "name"]
        assert WithName(data={"email": "a@example.se", "message": "Hej"}).submission == {"email": "a@example.se", "message": "Hej", "name": ""}
