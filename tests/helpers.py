"""Small helpers shared by the tests: the app, and reading a rendered form as a browser would."""

import functools
import html as htmllib
import re
import sqlite3
import tempfile
from contextlib import contextmanager
from pathlib import Path

from jinja2 import MemcachedBytecodeCache

from webapp import create_app
from webapp.db import migrate


class _Memory(dict):
    """The store of Jinja's MemcachedBytecodeCache, kept in this process."""

    def set(self, key, value, timeout=None):
        self[key] = value


# Every test makes its own app, and each app would compile every template again; keyed by the
# template's source, the compiled code is shared instead (a changed template is compiled anew).
COMPILED_TEMPLATES = MemcachedBytecodeCache(_Memory())


@functools.cache
def migrated_database() -> bytes:
    """A database file as `flask init-db` leaves it, made once per test run: copying it is
    many times faster than migrating anew (each migration step waits for the disk)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "migrated.sqlite3"
        migrate(path)  # closing checkpoints the WAL into the file
        return path.read_bytes()


def make_app(tmp_path, **config):
    """The app over a fresh temporary database, as the `app` fixture has it; `config` overrides."""
    database = tmp_path / "test.sqlite3"
    database.write_bytes(migrated_database())
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-prod",
            "DATABASE": str(database),
            # Tests send many forms from one address; the rate-limit test lowers it.
            "CONTACT_RATE_LIMIT": "1000 per minute",
            # Tests send forms the moment they get them; the time trap's own tests set it.
            "MAIL_SPAM_MIN_SECONDS": 0,
            **config,
        }
    )
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return app


def textarea(html: str, name: str = "message") -> str:
    """The text a browser would show in the named textarea."""
    match = re.search(rf'<textarea[^>]* name="{name}"[^>]*>\r?\n?(.*?)</textarea>', html, re.S)
    assert match, f"no textarea {name}"
    return htmllib.unescape(match.group(1))


def hidden_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


class Visitor:
    """Fetches the page, then posts the form with its token and key, like a browser."""

    def __init__(self, client, lang="sv"):
        self.client = client
        self.lang = lang
        self.page = client.get(f"/{lang}/").text

    def fields(self, **values) -> dict:
        data = {
            "csrf_token": hidden_value(self.page, "csrf_token"),
            "form_key": hidden_value(self.page, "form_key"),
            "served": hidden_value(self.page, "served"),
            "email": "",
            "message": "",
        }
        data.update(values)
        return data

    def submit(self, htmx=False, **values):
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.post(f"/{self.lang}/contact", data=self.fields(**values), headers=headers)

    def check(self, field, **values):
        return self.client.post(
            f"/{self.lang}/contact/validate/{field}", data=self.fields(**values), headers={"HX-Request": "true"}
        )


def rows(app, table="submissions"):
    from webapp.db import connect

    db = connect(app.config["DATABASE"])
    try:
        return list(db[table].rows_where(order_by="id"))
    finally:
        db.close()


@contextmanager
def locked_database(app):
    """Another writer (a staff backup, say) holds the app's database meanwhile, so a write
    waits the app's DATABASE_TIMEOUT, shortened here, and gives up."""
    timeout = app.config["DATABASE_TIMEOUT"]
    app.config["DATABASE_TIMEOUT"] = 0.05
    holder = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        app.config["DATABASE_TIMEOUT"] = timeout


def translate(lang: str, message: str) -> str:
    """`message` as the compiled catalog for `lang` has it (the msgid itself for English),
    so tests that run in every language need no list of texts per language."""
    from pathlib import Path

    from babel.support import Translations

    folder = Path(__file__).resolve().parent.parent / "translations"
    return Translations.load(str(folder), [lang]).gettext(message)
