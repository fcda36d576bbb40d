"""The contact form: its views, the form, the time trap, the page shell with the form in it, the stored submissions and their CLI."""

from ..mail import messages
from . import cli, forms


def init_app(app) -> None:
    app.cli.add_command(cli.cli)
    messages.describe_form(app, forms.ContactForm.field_labels())
