"""The message catalogs as files: where they are, reading them safely, writing them
the one way the project keeps them, and Babel's frontends (`pybabel extract`, `init`,
`compile`) run with the project's options.

The catalogs are written sorted, unwrapped and with file-only locations, so adding
a line to a template changes nothing in them and parallel branches rarely touch
the same lines. Babel's update is called as a library instead (see `update`).
"""

import contextlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CompileCatalog, ExtractMessages, InitCatalog
from babel.messages.pofile import PoFileError, denormalize, normalize, read_po, write_po

from ..atomic_write import replacing, write_atomically

# Besides gettext, ngettext and _ (Babel's defaults): the lazy forms used in Python modules.
KEYWORDS = ["_l", "lazy_gettext", "lazy_ngettext:1,2", "lazy_pgettext:1c,2"]
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
BOM = b"\xef\xbb\xbf"
CHARSET = re.compile(rb'^"Content-Type: [^"]*charset=([-\w]+)', re.M)
# A line of a .po file that is not a comment: a keyword and a quoted string, or
# a quoted string continuing the one above. Quotes inside must be written \".
PO_LINE = re.compile(r'^(?:#~ )?(?:(?:msgctxt|msgid|msgid_plural|msgstr|msgstr\[\d+\]) +)?"(?:[^"\\]|\\.)*" *$')
SYNTAX = 'is not a keyword and a string in quotes: close every string with ", write a " inside it as \\"'
# Babel reads a `#| msgid "..."` line as a translator comment "| msgid ...".
PREVIOUS = re.compile(r'^\| (?:(msgctxt|msgid|msgid_plural) )?(".*")$')


# Babel's frontends log as they go; the commands say what matters themselves.
QUIET = logging.getLogger(__name__ + ".babel")
QUIET.addHandler(logging.NullHandler())
QUIET.propagate = False


class CatalogError(Exception):
    """A file the tools cannot read, and what to do: one line for a translator."""

    def __init__(self, file: str, line: int | None, text: str):
        super().__init__(file, line, text)
        self.file, self.line, self.text = file, line, text

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.text}" if self.line else f"{self.file}: {self.text}"


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

    @property
    def languages_file(self) -> Path:
        return self.translations / "LANGUAGES"

    def catalog_path(self, lang: str) -> Path:
        return self.translations / lang / "LC_MESSAGES" / "messages.po"

    def catalogs(self) -> dict[str, Path]:
        """Every catalog by language code, published or draft."""
        return {p.parent.parent.name: p for p in sorted(self.translations.glob("*/LC_MESSAGES/messages.po"))}

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


# Reading ------------------------------------------------------------------


def read_bytes(project: Project, path: Path) -> bytes:
    """The file's bytes without a UTF-8 byte-order mark, or a CatalogError if it is not UTF-8."""
    name = project.relative(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CatalogError(name, None, "missing") from None
    data = data.removeprefix(BOM)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CatalogError(
            name,
            line,
            "the file is not in UTF-8 (an editor saved it as Windows' ANSI, Mac's Western or similar):"
            " open it again and save it as UTF-8"
        ) from None
    if (charset := CHARSET.search(data)) and charset[1].lower() not in (b"utf-8", b"utf8"):
        raise CatalogError(name, None, f"its header says charset={charset[1].decode()}: save it as UTF-8, with charset=UTF-8 in the header")
    return data


def syntax_errors(text: str) -> list[int]:
    """The numbers of the lines that are not PO. Babel reads some without a word
    (an unclosed quote loses the last letter), so they are looked for first."""
    return [
        number
        for number, line in enumerate(text.splitlines(), 1)
        if line.strip() and (not line.startswith("#") or line.startswith("#~ ")) and not PO_LINE.match(line)
    ]


def load(project: Project, path: Path, locale: str | None = None) -> Catalog:
    """Read a catalog or template, or raise a CatalogError naming the file and line."""
    data = read_bytes(project, path)
    if errors := syntax_errors(data.decode("utf-8")):
        raise CatalogError(project.relative(path), errors[0], SYNTAX)
    try:
        catalog = read_po(BytesIO(data), locale=locale, abort_invalid=True)
    except PoFileError as exc:
        reason = str(exc).rsplit(" on ", 1)[0]
        raise CatalogError(project.relative(path), exc.lineno + 1, f"cannot be read ({reason}); compare this line with those around it") from None
    if locale is not None and not re.search(r'^msgid ""\r?\nmsgstr ""\r?$', data.decode("utf-8"), re.M):
        raise CatalogError(project.relative(path), None, "has no header (the entry msgid \"\" at the top): copy it from another catalog and change its Language line")
    if catalog.fuzzy and locale is not None:
        # Babel's and GNU's compilers would skip the whole catalog.
        raise CatalogError(project.relative(path), None, "the header (msgid \"\") is marked fuzzy, so nothing of it would be shown: delete the '#, fuzzy' line above it")
    for message in [*catalog, *catalog.obsolete.values()]:
        take_previous(message)
    return catalog


def take_previous(message: Message) -> None:
    """Turn the `#| msgid` lines Babel read as comments back into the previous msgid
    (Babel's read_po does not parse them: python-babel/babel#206, open)."""
    parts: dict[str, list[str]] = {}
    kept = []
    key = None
    for comment in message.user_comments:
        if match := PREVIOUS.match(comment):
            key = match[1] or key
            if key:
                parts.setdefault(key, []).append(match[2])
                continue
        kept.append(comment)
    message.user_comments = kept
    if "msgid" in parts:
        message.previous_id = [denormalize("\n".join(parts[k])) for k in ("msgid", "msgid_plural") if k in parts]


def strings(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def message_label(message: Message) -> str:
    msgid = strings(message.id)[0]
    if len(msgid) > 60:
        msgid = msgid[:57] + "..."
    label = f"msgid {msgid!r}"
    return f"msgctxt {message.context!r} {label}" if message.context else label


# Writing ------------------------------------------------------------------


def serialize(catalog: Catalog) -> bytes:
    """The catalog as the project keeps it, with the previous English (`#| msgid`)
    above each fuzzy entry. Babel's own include_previous wraps those lines at 76
    columns into lines no tool can read, so they are put in here, unwrapped."""
    out = BytesIO()
    write_po(out, catalog, width=None, sort_output=True, include_lineno=False)
    blocks = out.getvalue().decode("utf-8").split("\n\n")
    # write_po sorts like sorted(): the header first, then by msgid and context.
    for index, message in enumerate(sorted(catalog)):
        if message.id and message.fuzzy and message.previous_id:
            lines = blocks[index].split("\n")
            at = next(i for i, line in enumerate(lines) if line.startswith(("msgctxt ", "msgid ")))
            previous = [
                f"#| {keyword} {normalize(text, prefix='#| ', width=None)}"
                for keyword, text in zip(("msgid", "msgid_plural"), message.previous_id)
            ]
            blocks[index] = "\n".join(lines[:at] + previous + lines[at:])
    return "\n\n".join(blocks).encode("utf-8")


def without_volatile_headers(data: bytes) -> bytes:
    lines = data.removeprefix(BOM).decode("utf-8", "replace").splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith(tuple(f'"{h}:' for h in VOLATILE_HEADERS))).encode()


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `path` only when its content changes, ignoring the dates: no churn in git."""
    if path.exists() and without_volatile_headers(path.read_bytes()) == without_volatile_headers(data):
        return False
    write_atomically(path, data)
    return True


def fill_header(catalog: Catalog, template: Catalog) -> None:
    """The header fields Babel leaves as placeholders in a language's catalog."""
    catalog.project, catalog.version = template.project, template.version
    # A folder that is no language Babel knows has no locale; `check` says so.
    if catalog.locale is not None and ("LL@li.org" in catalog.language_team or "LANGUAGE" in catalog.language_team):
        locale = Locale.parse(catalog.locale)
        catalog.language_team = f"{locale.english_name} ({locale.display_name}), City of Gothenburg"
    if "FIRST AUTHOR" in catalog.header_comment:
        catalog.header_comment = template.header_comment


# Extracting ---------------------------------------------------------------


class _Extract(ExtractMessages):
    """`pybabel extract`, remembering which file it is reading so that a broken
    template can be named."""

    current = None

    def _build_callback(self, path):
        def callback(filename, method, options):
            self.current = filename

        return callback


def extract(project: Project) -> bytes:
    """A fresh messages.pot from the code, as babel.cfg maps it (what `pybabel extract` writes)."""
    command = _Extract()
    command.mapping_file = "babel.cfg"
    command.input_paths = ["."]
    command.keywords = KEYWORDS
    command.add_comments = [COMMENT_TAG]
    command.strip_comments = True
    command.sort_output = True
    command.no_wrap = True
    command.add_location = "file"
    command.project = "webapp"
    command.version = version("webapp")
    command.copyright_holder = "Göteborgs Stad"
    command.header_comment = HEADER_COMMENT
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(project.root):
        # Relative to the project, so the locations read templates/index.html.
        command.output_file = os.path.join(tmp, "messages.pot")
        try:
            command.ensure_finalized()
            command.run()
        except Exception as exc:  # an extractor failing on one file, of any kind
            where = command.current or "babel.cfg"
            reason = " ".join(str(exc).split())  # one line, whatever the extractor said
            raise CatalogError(where, None, f"cannot be read for texts to translate ({type(exc).__name__}: {reason})") from None
        return Path(command.output_file).read_bytes()


# Updating -----------------------------------------------------------------


def update(catalog: Catalog, template: Catalog) -> None:
    """Merge the template into a catalog, as `pybabel update --previous` means to:
    new texts untranslated, changed ones fuzzy with the old translation and the old
    English (previous_id). Babel's UpdateCatalog forgets the old English on its next
    run and writes it wrapped, so this calls Catalog.update and keeps it itself."""
    before = {(strings(m.id)[0], m.context): m for m in catalog if m.id}
    # Keep the catalog's own POT-Creation-Date: a new date in every catalog on
    # every run would only make merge conflicts.
    catalog.update(template, update_creation_date=False)
    for message in catalog:
        if not (message.id and message.fuzzy):
            continue
        old = before.get((strings(message.id)[0], message.context))
        if old is not None:
            # Still fuzzy since an earlier run: keep the English it was translated from.
            message.previous_id = list(old.previous_id)
        elif message.previous_id:
            # Newly fuzzy; if the entry it came from was itself fuzzy, the translation
            # was made for that entry's previous English.
            source = before.get((message.previous_id[0], message.context))
            if source is not None and source.fuzzy and source.previous_id:
                message.previous_id = list(source.previous_id)
    fill_header(catalog, template)


# Starting and compiling -----------------------------------------------------


def init_catalog(project: Project, locale: Locale, path: Path) -> None:
    """A new catalog from the template, as `pybabel init` makes it, with the header filled."""
    template = load(project, project.template)
    command = InitCatalog()
    command.log = QUIET
    command.input_file, command.output_file, command.locale, command.no_wrap = str(project.template), str(path), str(locale), True
    command.ensure_finalized()
    command.run()
    catalog = load(project, path, str(locale))
    fill_header(catalog, template)
    write_if_changed(path, serialize(catalog))



def compile_catalog(project: Project, lang: str, path: Path) -> Catalog:
    """Write the .mo beside a .po (fuzzy entries left out), as `pybabel compile` does,
    and return the catalog. Babel reads a copy without the byte-order mark, and the
    .mo is replaced whole, so a running site never reads half of one."""
    catalog = load(project, path, lang)  # a readable UTF-8 catalog, or one line saying why not
    with tempfile.TemporaryDirectory() as tmp, replacing(path.with_suffix(".mo")) as mo:
        source = Path(tmp) / path.name
        source.write_bytes(read_bytes(project, path))
        command = CompileCatalog()
        command.log = QUIET
        command.input_file, command.output_file, command.locale = str(source), str(mo), lang
        command.ensure_finalized()
        command.run()
    return catalog
