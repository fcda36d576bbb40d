"""Small helpers shared by the tests: the app, and reading a rendered form as a browser would."""

import functools
import html as htmllib
import re
import shutil
import sqlite3
import tempfile
from contextlib import contextmanager
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations
from flask import Flask, url_for
from jinja2 import MemcachedBytecodeCache
from markupsafe import Markup, escape

from webapp import create_app, pages
from webapp.db import migrate
from webapp.i18n.languages import SOURCE_LANGUAGE, catalog_languages, read_languages

# The repository's published languages, in the order of the language switch.
LANGUAGES = read_languages()


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


# What a browser sends with a form from the site's own page.
BROWSER = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}


class Visitor:
    """Fetches the page, then posts the form with its key and stamp, like a browser (which says
    the form is the site's own page's)."""

    def __init__(self, client, lang="sv"):
        self.client = client
        self.lang = lang
        self.page = client.get(f"/{lang}/").text

    def fields(self, **values) -> dict:
        data = {
            "form_key": hidden_value(self.page, "form_key"),
            "served": hidden_value(self.page, "served"),
            "email": "",
            "message": "",
        }
        data.update(values)
        return data

    def submit(self, htmx=False, **values):
        headers = {"HX-Request": "true", **BROWSER} if htmx else BROWSER
        return self.client.post(f"/{self.lang}/contact", data=self.fields(**values), headers=headers)

    def check(self, field, **values):
        return self.client.post(
            f"/{self.lang}/contact/validate/{field}", data=self.fields(**values), headers={"HX-Request": "true", **BROWSER}
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


# The catalogs the expectations come from; a test over a changed copy of translations/
# points this at its copy (the `catalogs` fixture), so the expectations follow the copy.
CATALOGS = Path(__file__).resolve().parent.parent / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _lookup(lang: str, key, source: str) -> str:
    """The compiled catalog's text for `key`, failing when it has none: then the site would
    show English on a page in `lang`, and a test expecting this text must fail."""
    if lang == SOURCE_LANGUAGE:
        return source
    catalog = Translations.load(str(CATALOGS), [lang])._catalog
    assert key in catalog, f"{lang}: no translation of {source!r} in {CATALOGS}"
    text = catalog[key]
    missing = set(PLACEHOLDER.findall(source)) - set(PLACEHOLDER.findall(text))
    assert not missing, f"{lang}: the translation of {source!r} lacks {', '.join(sorted(missing))}: {text!r}"
    return text


def translate(lang: str, message: str, context: str | None = None, **variables) -> str:
    """`message` as the compiled catalog for `lang` has it (the msgid itself for English),
    with `variables` filled in, so tests that run in every language need no list of texts
    per language. Fails when the catalog lacks it or lost a placeholder."""
    key = message if context is None else f"{context}\x04{message}"
    text = _lookup(lang, key, message)
    return text % variables if variables else text


def ntranslate(lang: str, singular: str, plural: str, n: int, **variables) -> str:
    """The plural form of `lang` for `n` (its catalog's Plural-Forms decides), filled in."""
    if lang == SOURCE_LANGUAGE:
        return (singular if n == 1 else plural) % variables
    index = Translations.load(str(CATALOGS), [lang]).plural(n)
    return _lookup(lang, (singular, index), plural if n != 1 else singular) % variables


def rendered(lang: str, message: str, context: str | None = None, **variables) -> Markup:
    """`message` in `lang` as a template shows it: the translation escaped as text,
    markup passed in through a placeholder (a link) kept."""
    key = message if context is None else f"{context}\x04{message}"
    return escape(_lookup(lang, key, message)) % variables


class CatalogCopy:
    """A copy of translations/ for a test to change: edit an entry, start a language,
    publish it. Each change is compiled at once, as `make dev` would."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        shutil.copytree(CATALOGS, self.folder, ignore=shutil.ignore_patterns("*.mo"))
        for lang in catalog_languages(self.folder):
            self.compile(lang)

    def po(self, lang: str) -> Path:
        return self.folder / lang / "LC_MESSAGES" / "messages.po"

    def compile(self, lang: str) -> None:
        with self.po(lang).open("rb") as f:
            catalog = read_po(f, locale=lang)
        with self.po(lang).with_suffix(".mo").open("wb") as f:
            write_mo(f, catalog)

    def edit(self, lang: str, texts: dict, compile: bool = True) -> None:
        """Set msgstrs: {msgid: text}, {(context, msgid): text}, or a list of plural forms;
        an empty text leaves the entry untranslated. Compiled unless told not to, as a
        translator's editor saves only the .po."""
        with self.po(lang).open("rb") as f:
            catalog = read_po(f, locale=lang)
        for key, text in texts.items():
            context, msgid = key if isinstance(key, tuple) else (None, key)
            message = catalog.get(msgid, context=context)
            assert message is not None, f"no entry {key!r} in {self.po(lang)}"
            message.string = tuple(text) if isinstance(text, list) else text
        with self.po(lang).open("wb") as f:
            write_po(f, catalog, width=None)
        if compile:
            self.compile(lang)

    def start(self, lang: str, texts: dict | None = None, publish: bool = False) -> None:
        """A new catalog from messages.pot, as `pybabel init` makes it: a draft unless published.
        A language the site already has keeps its catalog, with `texts` set in it, so a test's
        example language may be published for real without a test edit."""
        if not self.po(lang).exists():
            CommandLineInterface().run(
                ["pybabel", "-q", "init", "-i", str(self.folder / "messages.pot"), "-d", str(self.folder), "-l", lang]
            )
        self.edit(lang, texts or {})
        if publish and lang not in read_languages(self.folder / "LANGUAGES"):
            with (self.folder / "LANGUAGES").open("a", encoding="utf-8") as f:
                f.write(f"{lang}\n")


@functools.cache
def page_paths() -> tuple[str, ...]:
    """The pages sitemap.xml lists (webapp.pages.SITEMAP), as paths below /<lang>/ ("" for the
    front page): a page added there is tested everywhere by being added once."""
    app = Flask("pages")
    app.register_blueprint(pages.bp)
    with app.test_request_context():
        return tuple(url_for(endpoint, lang="xx").removeprefix("/xx/") for endpoint in pages.SITEMAP)
