"""`flask translate`: extract, update, compile, add and check the message catalogs.

Translators edit translations/<lang>/LC_MESSAGES/messages.po (see TRANSLATING.md);
everything else here is generated. The catalogs are written sorted, unwrapped and
with file-only locations, so adding a line to a template changes nothing in them
and parallel branches rarely touch the same lines.
"""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version
from io import BytesIO
from pathlib import Path

import click
from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po, write_po
from babel.messages.plurals import get_plural
from babel.util import LOCALTZ
from flask import current_app
from flask.cli import AppGroup

from .atomic_write import write_atomically
from .i18n import LANGUAGES, SOURCE_LANGUAGE

# Besides gettext, ngettext and _ (Babel's defaults): the lazy forms used in Python modules.
KEYWORDS = {**DEFAULT_KEYWORDS, **parse_keywords(["_l", "lazy_gettext", "lazy_ngettext:1,2", "lazy_pgettext:1c,2"])}
# A code comment starting with this tag reaches the translator as a note on the string.
COMMENT_TAG = "TRANSLATORS:"
HEADER_COMMENT = (
    "# Translations template for the City of Gothenburg's International relations site.\n"
    "# Translators: read TRANSLATING.md at the top of the project first.\n"
    "#"
)
# Header fields that change on every run, or with the Babel version, and say
# nothing about the messages.
VOLATILE_HEADERS = ("POT-Creation-Date", "PO-Revision-Date", "Generated-By")
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
MSGFMT_LINE = re.compile(r"^(?P<file>[^:]+\.po):(?P<line>\d+):(?:\d+:)? (?P<text>.*)$")
MSGFMT_SUMMARY = re.compile(r"msgfmt: found \d+ fatal errors?$")
# A line of a .po file that is not a comment: a keyword and a quoted string, or
# a quoted string continuing the one above. Quotes inside must be written \".
PO_LINE = re.compile(r'^(?:#~ )?(?:(?:msgctxt|msgid|msgid_plural|msgstr|msgstr\[\d+\]) +)?"(?:[^"\\]|\\.)*" *$')
PLURAL_FORMS = re.compile(r'^"Plural-Forms: *nplurals=(\d+);', re.M)
HTML = re.compile(r"</?[a-zA-Z][^>]*>|&#?\w+;")

translate = AppGroup("translate", help="Work with the translation catalogs (see TRANSLATING.md).")


@dataclass(frozen=True)
class Project:
    """Where the sources and the catalogs are: babel.cfg and translations/ side by side."""

    root: Path

    @classmethod
    def of(cls, app) -> "Project":
        # The catalogs checked and compiled are the ones the app serves.
        return cls(Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]).resolve().parent)

    @property
    def translations(self) -> Path:
        return self.root / "translations"

    @property
    def template(self) -> Path:
        return self.translations / "messages.pot"

    def catalog_path(self, lang: str) -> Path:
        return self.translations / lang / "LC_MESSAGES" / "messages.po"

    def catalogs(self) -> dict[str, Path]:
        """Every shipped catalog by language code."""
        return {p.parent.parent.name: p for p in sorted(self.translations.glob("*/LC_MESSAGES/messages.po"))}

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


# Reading and writing ------------------------------------------------------


def serialize(catalog: Catalog) -> bytes:
    out = BytesIO()
    write_po(out, catalog, width=None, sort_output=True, include_lineno=False)
    return out.getvalue()


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `path` only when its content changes, ignoring the dates: no churn in git."""
    if path.exists() and without_volatile_headers(path.read_bytes()) == without_volatile_headers(data):
        return False
    write_atomically(path, data)
    return True


def without_volatile_headers(data: bytes) -> bytes:
    lines = data.decode("utf-8").splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith(tuple(f'"{h}:' for h in VOLATILE_HEADERS))).encode()


def load(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale, abort_invalid=True)


def extract(project: Project) -> Catalog:
    """A fresh template from the code, as babel.cfg maps it."""
    with (project.root / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    catalog = Catalog(
        project="webapp",
        version=version("webapp"),
        copyright_holder="Göteborgs Stad",
        header_comment=HEADER_COMMENT,
        fuzzy=True,
    )
    for filename, lineno, message, comments, context in extract_from_dir(
        project.root,
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=[COMMENT_TAG],
        strip_comment_tags=True,
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def message_label(message: Message) -> str:
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    if len(msgid) > 60:
        msgid = msgid[:57] + "..."
    label = f"msgid {msgid!r}"
    return f"msgctxt {message.context!r} {label}" if message.context else label


def strings(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


# The checks ---------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    entry: str
    text: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.entry}: {self.text}" if self.entry else f"{where}: {self.text}"


def check_template(project: Project) -> list[Problem]:
    """The committed template must be what `flask translate extract` writes now."""
    name = project.relative(project.template)
    if not project.template.exists():
        return [Problem(name, None, "", "missing; run `flask translate extract`")]
    fresh_bytes = serialize(extract(project))
    committed_bytes = project.template.read_bytes()
    if without_volatile_headers(fresh_bytes) == without_volatile_headers(committed_bytes):
        return []
    fresh = read_po(BytesIO(fresh_bytes))
    committed = load(project.template)
    problems = []
    for message in fresh:
        if not message.id:
            continue
        old = committed.get(message.id, message.context)
        where = ", ".join(sorted({f for f, _ in message.locations}))
        if old is None:
            problems.append(Problem(name, None, message_label(message), f"is in {where} but not extracted; run `flask translate extract`"))
        elif differences := [
            aspect
            for aspect, attr in (("plural", "id"), ("locations", "locations"), ("flags", "flags"), ("translator comments", "auto_comments"))
            if getattr(old, attr) != getattr(message, attr)
        ]:
            problems.append(Problem(name, old.lineno, message_label(message), f"{' and '.join(differences)} differ from the code; run `flask translate extract`"))
    for old in committed:
        if old.id and fresh.get(old.id, old.context) is None:
            problems.append(Problem(name, old.lineno, message_label(old), "is no longer in the code; run `flask translate extract`"))
    if not problems:
        problems.append(Problem(name, None, "", "is not in the form `flask translate extract` writes (header, order or wrapping); run it"))
    return problems


def placeholder_problems(message: Message) -> list[str]:
    """Named placeholders must survive translation: Babel's checker lets a msgstr drop one."""
    ids = strings(message.id)
    expected = set(PLACEHOLDER.findall(" ".join(ids)))
    found = []
    for index, msgstr in enumerate(strings(message.string)):
        if not msgstr:
            continue
        names = set(PLACEHOLDER.findall(msgstr))
        if names - expected:
            found.append(f"msgstr has placeholder(s) {', '.join(sorted(f'%({n})s' for n in names - expected))} that the msgid does not")
        # A plural form may leave the number out ("one message"); a single string may not.
        if len(ids) == 1 and expected - names:
            found.append(f"msgstr lacks placeholder(s) {', '.join(sorted(f'%({n})s' for n in expected - names))}")
        if HTML.search(msgstr) and not any(HTML.search(i) for i in ids):
            found.append("msgstr contains HTML; the site would show it as text, so write plain text")
    return found


def syntax_problems(name: str, path: Path) -> list[Problem]:
    """Babel reads some broken lines without a word (an unclosed quote loses the
    last letter), so look at every line before reading the catalog."""
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and (not line.startswith("#") or line.startswith("#~ ")) and not PO_LINE.match(line):
            problems.append(Problem(name, number, "", 'is not a keyword and a string in quotes: close every string with ", write a " inside it as \\"'))
    return problems


def check_catalog(project: Project, lang: str, path: Path, template: Catalog | None) -> list[Problem]:
    name = project.relative(path)
    if problems := syntax_problems(name, path):
        return problems
    try:
        plural = get_plural(lang)
    except UnknownLocaleError:
        return [Problem(name, None, "", f"{lang!r} is not a language code Babel knows")]
    # Read from the text: a wrong count makes the catalog itself unreadable.
    header = PLURAL_FORMS.search(path.read_text(encoding="utf-8"))
    if header is None or int(header[1]) != plural.num_plurals:
        return [Problem(name, None, "Plural-Forms header", f"must say {plural.plural_forms!r}: CLDR's plural forms for {lang!r}")]
    try:
        catalog = load(path, locale=lang)
    except PoFileError as exc:
        return [Problem(name, exc.lineno + 1, "", f"cannot be read ({str(exc).rsplit(' on ', 1)[0]}); compare this line with those around it")]
    problems = []
    for message in catalog:
        if not message.id:
            continue
        label = message_label(message)
        if not all(strings(message.string)):
            problems.append(Problem(name, message.lineno, label, "untranslated"))
        if message.fuzzy:
            problems.append(Problem(name, message.lineno, label, "fuzzy: check the translation, then delete the '#, fuzzy' line"))
        if template is not None and template.get(message.id, message.context) is None:
            problems.append(Problem(name, message.lineno, label, "is not in messages.pot; run `flask translate update`"))
    for message in catalog.obsolete.values():
        problems.append(Problem(name, message.lineno, message_label(message), "obsolete (#~): delete it, or run `flask translate update --drop-obsolete`"))
    if template is not None:
        for message in template:
            if message.id and catalog.get(message.id, message.context) is None:
                problems.append(Problem(name, None, message_label(message), "missing; run `flask translate update`"))
    for message, errors in catalog.check():
        problems.extend(Problem(name, message.lineno, message_label(message), str(error)) for error in errors)
    for message in catalog:
        if message.id:
            problems.extend(Problem(name, message.lineno, message_label(message), text) for text in placeholder_problems(message))
    return problems


def check_with_msgfmt(project: Project, path: Path) -> list[Problem]:
    """GNU gettext's own checks (format strings, plural header), where it is installed."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        return []
    result = subprocess.run(
        [msgfmt, "--check", "--output-file", os.devnull, project.relative(path)],
        cwd=project.root,
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C"},
    )
    if result.returncode == 0:
        return []  # warnings only (about header fields), nothing that breaks the site
    problems = []
    for line in result.stderr.splitlines():
        if ": warning: " in line:
            continue  # about header fields such as Last-Translator; not wrong
        if match := MSGFMT_LINE.match(line):
            problems.append(Problem(match["file"], int(match["line"]), "msgfmt --check", match["text"]))
        elif line and not MSGFMT_SUMMARY.search(line):
            problems.append(Problem(project.relative(path), None, "msgfmt --check", line))
    return problems or [Problem(project.relative(path), None, "msgfmt --check", f"failed with exit code {result.returncode}")]


def check_compiled(project: Project, path: Path) -> list[Problem]:
    mo = path.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime < path.stat().st_mtime:
        return [Problem(project.relative(mo), None, "", f"is older than {path.name}; run `flask translate compile` (make does it)")]
    return []


def check(project: Project) -> list[Problem]:
    problems = check_template(project)
    template = load(project.template) if project.template.exists() else None
    catalogs = project.catalogs()
    for lang in LANGUAGES:
        if lang != SOURCE_LANGUAGE and lang not in catalogs:
            problems.append(Problem(project.relative(project.catalog_path(lang)), None, "", f"missing, but {lang!r} is in LANGUAGES; run `flask translate init {lang}`"))
    for lang, path in catalogs.items():
        problems += check_catalog(project, lang, path, template)
        problems += check_with_msgfmt(project, path)
        problems += check_compiled(project, path)
    return problems


# Commands -----------------------------------------------------------------


def project() -> Project:
    return Project.of(current_app)


def read_for_command(p: Project, path: Path, lang: str | None = None) -> Catalog:
    try:
        return load(path, locale=lang)
    except PoFileError as exc:
        raise click.ClickException(f"{p.relative(path)}:{exc.lineno + 1}: cannot be read; `flask translate check` says more") from None


@translate.command("extract")
def extract_command() -> None:
    """Write translations/messages.pot from the strings in the code."""
    p = project()
    catalog = extract(p)
    changed = write_if_changed(p.template, serialize(catalog))
    count = sum(1 for m in catalog if m.id)
    click.echo(f"{p.relative(p.template)}: {count} strings{'' if changed else ', unchanged'}")


@translate.command("update")
@click.option("--drop-obsolete", is_flag=True, help="Delete entries no longer in the code (#~ lines).")
def update_command(drop_obsolete: bool) -> None:
    """Merge messages.pot into every catalog: new strings appear untranslated,
    changed ones as fuzzy with the old translation as a suggestion."""
    p = project()
    template = read_for_command(p, p.template)
    for lang, path in p.catalogs().items():
        catalog = read_for_command(p, path, lang)
        # Keep the catalog's own POT-Creation-Date: a new date in every catalog
        # on every run would only make merge conflicts.
        catalog.update(template, update_creation_date=False)
        if drop_obsolete:
            catalog.obsolete.clear()
        write_if_changed(path, serialize(catalog))
        messages = [m for m in catalog if m.id]
        untranslated = sum(1 for m in messages if not all(strings(m.string)))
        fuzzy = sum(1 for m in messages if m.fuzzy)
        click.echo(f"{p.relative(path)}: {untranslated} untranslated, {fuzzy} fuzzy, {len(catalog.obsolete)} obsolete")


@translate.command("compile")
def compile_command() -> None:
    """Build the .mo file the site reads from each .po (fuzzy entries left out)."""
    p = project()
    for lang, path in p.catalogs().items():
        catalog = read_for_command(p, path, lang)
        out = BytesIO()
        write_mo(out, catalog, use_fuzzy=False)
        mo = path.with_suffix(".mo")
        write_atomically(mo, out.getvalue())
        messages = [m for m in catalog if m.id]
        done = sum(1 for m in messages if all(strings(m.string)) and not m.fuzzy)
        click.echo(f"{p.relative(mo)}: {done} of {len(messages)} strings translated")


@translate.command("init")
@click.argument("lang")
def init_command(lang: str) -> None:
    """Start a catalog for a new language LANG (a code such as fi or de)."""
    p = project()
    try:
        locale = Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        raise click.BadParameter(f"{lang!r} is not a language code Babel knows", param_hint="LANG")
    path = p.catalog_path(str(locale))
    if path.exists():
        raise click.ClickException(f"{p.relative(path)} already exists; use `flask translate update`")
    catalog = read_for_command(p, p.template, str(locale))
    catalog.locale = locale
    catalog.fuzzy = False
    catalog.revision_date = datetime.now(LOCALTZ)
    write_if_changed(path, serialize(catalog))
    click.echo(f"Created {p.relative(path)} ({locale.english_name}). Translate it (see TRANSLATING.md),")
    click.echo(f"then add {str(locale)!r} to LANGUAGES in webapp/i18n.py to put it on the site.")


@translate.command("check")
def check_command() -> None:
    """Fail, naming file and entry, unless messages.pot matches the code and every
    catalog is complete, clean and compiled."""
    p = project()
    problems = check(p)
    for problem in problems:
        click.echo(str(problem))
    if not shutil.which("msgfmt"):
        click.echo("note: GNU msgfmt is not installed, so its --check was skipped (Babel's checks ran)")
    if problems:
        click.echo(f"{len(problems)} problem(s) in the catalogs.", err=True)
        raise SystemExit(1)
    langs = ", ".join(p.catalogs())
    click.echo(f"All catalogs are complete and match the code ({langs}).")


def init_app(app) -> None:
    app.cli.add_command(translate)
