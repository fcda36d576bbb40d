"""What is wrong with the catalogs, in words a translator can act on.

`flask translate check` runs everything here; the site's start-up checks
(webapp/startup.py) run `serving_problems`, the part that needs no extraction.
Every Problem names the file, the line, the English text and what to do.
A catalog whose language is not in translations/LANGUAGES is a draft: it may be
incomplete, but what it has must be right (a broken placeholder is never fine).
"""

import gettext
import os
import re
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from .bidi import direction_problems
from .catalogs import SYNTAX, CatalogError, Project, extract, load, message_label, read_bytes, strings, syntax_errors, without_volatile_headers
from .languages import SOURCE_LANGUAGE, read_languages

# Texts that are right untranslated (names written alike in every language), one a line.
SAME_EVERYWHERE = "same-in-every-language.txt"
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
# Translations are shown as text: any of these would be shown as it is, or is a
# mistyped tag; where the English has one, it is the English's business.
MARKUP = re.compile(r"[<>]|&#?\w+;")
URL = re.compile(r"https?://[^\s<>\"”’]*[^\s<>\"”’.,:;!?)]")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Swedish style and international: 031-365 00 00, +46 31 365 00 00.
PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3} ?|0)\d{1,4}(?:[ -]\d{2,4})+\b")
# Addresses at the domains kept for examples (RFC 2606): a translation may use its own example.
EXAMPLE = re.compile(r"@(?:[\w-]+\.)*(?:example\.(?:com|net|org)|[\w-]+\.(?:example|test|invalid))$", re.I)
FINAL_PUNCTUATION = {".": "a full stop", ":": "a colon", "?": "a question mark", "!": "an exclamation mark", "…": "an ellipsis (…)"}
MSGFMT_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?:\d+:)? (?P<text>.*)$")
MSGFMT_SUMMARY = re.compile(r"msgfmt: found \d+ fatal errors?$")
PLURAL_FORMS = re.compile(r'^"Plural-Forms: *nplurals=(\d+);', re.M)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    entry: str
    text: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.entry}: {self.text}" if self.entry else f"{where}: {self.text}"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    # Per draft catalog, a line such as "de: draft, 40 of 118 translated".
    drafts: dict[str, str] = field(default_factory=dict)


def _from_error(exc: CatalogError) -> Problem:
    return Problem(exc.file, exc.line, "", exc.text)


# The template ---------------------------------------------------------------


def check_template(project: Project) -> list[Problem]:
    """The committed template must be what `flask translate extract` writes now."""
    name = project.relative(project.template)
    if not project.template.exists():
        return [Problem(name, None, "", "missing; run `flask translate extract`")]
    try:
        fresh_bytes = extract(project)
        committed = load(project, project.template)
    except CatalogError as exc:
        return [_from_error(exc)]
    if without_volatile_headers(fresh_bytes) == without_volatile_headers(project.template.read_bytes()):
        return []
    fresh = read_po(BytesIO(fresh_bytes))
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


# One entry -------------------------------------------------------------------


def english_for_form(message: Message, index: int, singular_forms: set[int]) -> str:
    """The English a msgstr[index] translates: the singular for the form used for 1."""
    ids = strings(message.id)
    return ids[0] if len(ids) == 1 or index in singular_forms else ids[1]


def describe_space(space: str) -> str:
    if not space:
        return "no space"
    if space == " ":
        return "a space"
    return f"the white space {space!r}"


def entry_problems(message: Message, single_number_forms: set[int], singular_forms: set[int], same_everywhere: set[str]) -> list[str]:
    """What is wrong with one translated entry, each with what to do."""
    ids = strings(message.id)
    expected = set(PLACEHOLDER.findall(" ".join(ids)))
    found = []
    for index, msgstr in enumerate(strings(message.string)):
        if not msgstr:
            continue
        form = f"msgstr[{index}]" if len(ids) > 1 else "msgstr"
        if not msgstr.strip():
            found.append(f"{form} is only white space: write the translation, or leave it empty (\"\") until you have one")
            continue
        # As GNU msgfmt does: a plural form used for one number only ("one message") may leave the number out.
        may_drop = len(ids) > 1 and index in single_number_forms
        found += placeholder_problems(form, msgstr, expected, may_drop)
        if msgstr in ids and re.search(r"[^\W\d_]", PLACEHOLDER.sub("", msgstr)) and msgstr not in same_everywhere:
            found.append(
                f"{form} is the English text unchanged: translate it (if it is a name written alike in every language,"
                f" add it as a line to translations/{SAME_EVERYWHERE})"
            )
        if marks := sorted(set(MARKUP.findall(msgstr)) - set(MARKUP.findall(" ".join(ids)))):
            found.append(
                f"{form} contains markup the English does not ({' '.join(marks)}): the site shows translations as"
                " plain text, so write it without; a link or emphasis is the developers' job (ask them for a placeholder)"
            )
        english = english_for_form(message, index, singular_forms)
        found += like_the_english(form, msgstr, english) + direction_problems(form, msgstr, english)
    return found


def placeholder_problems(form: str, msgstr: str, expected: set[str], may_drop: bool) -> list[str]:
    """Named placeholders must survive translation: Babel's checker lets a msgstr drop one."""
    names = set(PLACEHOLDER.findall(msgstr))
    found = []
    if names - expected:
        found.append(f"{form} has placeholder(s) {', '.join(sorted(f'%({n})s' for n in names - expected))} that the msgid does not")
    if expected - names and not may_drop:
        found.append(f"{form} lacks placeholder(s) {', '.join(sorted(f'%({n})s' for n in expected - names))}: copy them from the English exactly")
    return found


def like_the_english(form: str, msgstr: str, english: str) -> list[str]:
    """Edge spaces, final punctuation, single spaces, and the addresses and numbers the English gives."""
    found = []
    for edge, pattern in (("begins", r"^\s*"), ("ends", r"\s*$")):
        ours, theirs = re.search(pattern, msgstr)[0], re.search(pattern, english)[0]
        if ours != theirs:
            found.append(f"{form} {edge} with {describe_space(ours)}, the English with {describe_space(theirs)}: make it the same as the English")
    ours, theirs = (text.rstrip()[-1:] for text in (msgstr, english))
    ours, theirs = (c if c in FINAL_PUNCTUATION else "" for c in (ours, theirs))
    if ours != theirs:
        if theirs:
            found.append(f"the English ends with {FINAL_PUNCTUATION[theirs]} and {form} does not: end it with {FINAL_PUNCTUATION[theirs]} too")
        else:
            found.append(f"{form} ends with {FINAL_PUNCTUATION[ours]} and the English does not: end it as the English does")
    if "  " in msgstr and "  " not in english:
        found.append(f"{form} has two spaces in a row: write one")
    for kind, pattern in (("web address", URL), ("e-mail address", EMAIL), ("phone number", PHONE)):
        for value in pattern.findall(english):
            if value not in msgstr and not (kind == "e-mail address" and EXAMPLE.search(value)):
                found.append(f"the English has the {kind} {value!r} and {form} does not: keep it exactly as it is")
    return found


def fold(text: str) -> str:
    """A text without case, edge spaces and final punctuation, to compare translations."""
    return text.strip().rstrip("".join(FINAL_PUNCTUATION)).casefold()


def inconsistent(name: str, catalog: Catalog) -> list[Problem]:
    """Weblate's "inconsistent", within one catalog: the same English (ignoring case,
    edge spaces and final punctuation) must be translated alike. Entries with
    different contexts (msgctxt) are the code's way of saying the meanings differ,
    so only entries with the same context are compared."""
    groups: dict[tuple, list[Message]] = defaultdict(list)
    for message in catalog:
        if message.id and isinstance(message.id, str) and message.string.strip() and not message.fuzzy:
            groups[(message.context, fold(message.id))].append(message)
    problems = []
    for messages in groups.values():
        first = messages[0]
        for other in messages[1:]:
            if fold(other.string) != fold(first.string):
                problems.append(Problem(
                    name, other.lineno, message_label(other),
                    f"is translated {other.string!r}, but the same English at line {first.lineno} ({first.id!r}) is"
                    f" translated {first.string!r}: use one translation for both",
                ))
    return problems


# One catalog -----------------------------------------------------------------


def syntax_problems(name: str, text: str) -> list[Problem]:
    return [Problem(name, number, "", SYNTAX) for number in syntax_errors(text)]


def plural_forms(catalog: Catalog) -> tuple[set[int], set[int]]:
    """The forms used for a single number, and the form(s) used for 1."""
    plural = gettext.c2py(catalog.plural_expr)
    numbers = defaultdict(set)
    for n in range(1000):
        numbers[plural(n)].add(n)
    return {form for form, ns in numbers.items() if len(ns) == 1}, {plural(1)}


def read_same_everywhere(project: Project, lang: str) -> set[str]:
    """The English texts that may stay English in `lang`: a line of the list is a text,
    optionally followed by " | " and the languages it is limited to ("Tallinn | sv")."""
    path = project.translations / SAME_EVERYWHERE
    if not path.exists():
        return set()
    texts = set()
    for line in read_bytes(project, path).decode("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            text, _, languages = line.partition(" | ")
            if not languages.split() or lang in languages.split():
                texts.add(text.strip())
    return texts


def read_catalog(project: Project, lang: str, path: Path) -> tuple[Catalog | None, str, list[Problem]]:
    """The catalog and its text, or the one problem that stops it being read."""
    name = project.relative(path)
    try:
        text = read_bytes(project, path).decode("utf-8")
    except CatalogError as exc:
        return None, "", [_from_error(exc)]
    if found := syntax_problems(name, text):
        return None, text, found
    try:
        plural = get_plural(lang)
    except UnknownLocaleError:
        return None, text, [Problem(name, None, "", f"{lang!r} is not a language code Babel knows")]
    # Read from the text: a wrong count makes the catalog itself unreadable.
    header = PLURAL_FORMS.search(text)
    if header is None or int(header[1]) != plural.num_plurals:
        return None, text, [Problem(name, None, "Plural-Forms header", f"must say {plural.plural_forms!r}: CLDR's plural forms for {lang!r}")]
    try:
        return load(project, path, locale=lang), text, []
    except CatalogError as exc:
        return None, text, [_from_error(exc)]


def completeness_problems(name: str, catalog: Catalog, template: Catalog | None) -> list[Problem]:
    """What a published catalog must not lack, and must not have left over."""
    problems = []
    for message in catalog:
        if not message.id:
            continue
        label = message_label(message)
        if not all(strings(message.string)):
            problems.append(Problem(name, message.lineno, label, "untranslated: write the translation in msgstr"))
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
    return problems


def mistakes(project: Project, lang: str, name: str, catalog: Catalog) -> list[Problem]:
    """What is wrong in what a catalog has translated, draft or published."""
    problems = [Problem(name, m.lineno, message_label(m), str(e)) for m, errors in catalog.check() for e in errors]
    single_number, singular = plural_forms(catalog)
    same_everywhere = read_same_everywhere(project, lang)
    for message in catalog:
        if message.id and not message.fuzzy:
            problems.extend(
                Problem(name, message.lineno, message_label(message), text)
                for text in entry_problems(message, single_number, singular, same_everywhere)
            )
    return problems + inconsistent(name, catalog)


def check_catalog(project: Project, lang: str, path: Path, template: Catalog | None, published: bool, report: Report) -> None:
    name = project.relative(path)
    catalog, text, problems = read_catalog(project, lang, path)
    if catalog is not None:
        if published:
            problems += completeness_problems(name, catalog, template)
        else:
            total = sum(1 for m in template if m.id) if template is not None else sum(1 for m in catalog if m.id)
            done = sum(1 for m in catalog if m.id and all(strings(m.string)) and not m.fuzzy)
            report.drafts[lang] = f"{lang}: draft, {done} of {total} translated"
        problems += mistakes(project, lang, name, catalog) + check_with_msgfmt(project, path, text)
    # In the order of the file, whichever check found them.
    report.problems += sorted(problems, key=lambda p: p.line or 0)


def check_with_msgfmt(project: Project, path: Path, text: str) -> list[Problem]:
    """GNU gettext's own checks (format strings, plural header), where it is installed.
    The text goes in on stdin, so a byte-order mark (which msgfmt rejects) is already gone."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        return []
    name = project.relative(path)
    result = subprocess.run(
        [msgfmt, "--check", "--output-file", os.devnull, "-"],
        input=text,
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
            problems.append(Problem(name, int(match["line"]), "msgfmt --check", match["text"]))
        elif line and not MSGFMT_SUMMARY.search(line):
            problems.append(Problem(name, None, "msgfmt --check", line))
    return problems or [Problem(name, None, "msgfmt --check", f"failed with exit code {result.returncode}")]


def check_compiled(project: Project, path: Path) -> list[Problem]:
    mo = path.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime < path.stat().st_mtime:
        return [Problem(project.relative(mo), None, "", f"is older than {path.name}; run `flask translate compile` (make does it)")]
    return []


# Everything ------------------------------------------------------------------


def published_languages(project: Project) -> tuple[tuple[str, ...], list[Problem]]:
    name = project.relative(project.languages_file)
    try:
        languages = read_languages(project.languages_file)
    except FileNotFoundError:
        return (), [Problem(name, None, "", "missing: list the published languages there, one code a line, the default first")]
    except UnicodeDecodeError:
        return (), [Problem(name, None, "", "the file is not in UTF-8: save it as UTF-8")]
    problems = []
    for lang in languages:
        try:
            Locale.parse(lang)
        except (UnknownLocaleError, ValueError):
            problems.append(Problem(name, None, "", f"{lang!r} is not a language code Babel knows"))
    return languages, problems


def serving_problems(project: Project, languages) -> list[Problem]:
    """What stops the site serving these languages: a catalog missing or not compiled."""
    problems = []
    for lang in languages:
        if lang == SOURCE_LANGUAGE:
            continue
        po = project.catalog_path(lang)
        if not po.exists():
            problems.append(Problem(project.relative(po), None, "", f"There is no {lang} catalog, but {lang!r} is in translations/LANGUAGES; run `flask translate init {lang}`"))
        elif not po.with_suffix(".mo").exists():
            problems.append(Problem(project.relative(po.with_suffix(".mo")), None, "", f"missing: the {lang} catalog is not compiled; run `make catalogs` (or `flask translate compile`)"))
        else:
            problems += check_compiled(project, po)
    return problems


def check(project: Project) -> Report:
    report = Report(check_template(project))
    try:
        template = load(project, project.template) if project.template.exists() else None
    except CatalogError:
        template = None  # check_template has said why
    published, problems = published_languages(project)
    report.problems += problems
    catalogs = project.catalogs()
    report.problems += serving_problems(project, published)
    for lang, path in catalogs.items():
        check_catalog(project, lang, path, template, lang in published, report)
        if lang not in published:
            report.problems += check_compiled(project, path)
    return report
