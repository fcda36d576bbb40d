"""The contact form: its views, the form, the time trap, the page shell with the form in it, the stored submissions and their CLI."""
