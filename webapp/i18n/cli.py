"""`flask translate`: extract, update, compile, start and check the message catalogs.

Translators edit translations/<lang>/LC_MESSAGES/messages.po (see TRANSLATING.md);
everything else here is generated. The commands are thin: webapp/i18n/catalogs.py runs
Babel's own frontends (what `pybabel extract/init/compile` run) with the project's
options and adds the little Babel lacks; webapp/i18n/checks.py has the checks.
"""

import functools
import shutil

import click
from babel import Locale, UnknownLocaleError
from flask import current_app
from flask.cli import AppGroup

from . import checks as catalog_checks
from .languages import SOURCE_LANGUAGE
from .catalogs import CatalogError, Project, compile_catalog, extract, init_catalog, load, serialize, strings, update, write_if_changed

translate = AppGroup("translate", help="Work with the translation catalogs (see TRANSLATING.md).")


def project() -> Project:
    return Project.of(current_app)


def one_line_errors(command):
    """A file the tools cannot read or write ends the command with one line naming it, never a traceback."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except CatalogError as exc:
            raise click.ClickException(f"{exc} (`flask translate check` lists every problem)") from None
        except OSError as exc:
            raise click.ClickException(f"{exc.filename}: {exc.strerror}") from None

    return run


def counts(catalog) -> tuple[int, int, int]:
    """Translated, untranslated and fuzzy entries."""
    messages = [m for m in catalog if m.id]
    fuzzy = sum(1 for m in messages if m.fuzzy)
    untranslated = sum(1 for m in messages if not all(strings(m.string)))
    done = sum(1 for m in messages if all(strings(m.string)) and not m.fuzzy)
    return done, untranslated, fuzzy


@translate.command("extract")
@one_line_errors
def extract_command() -> None:
    """Write translations/messages.pot from the strings in the code."""
    p = project()
    data = extract(p)
    changed = write_if_changed(p.template, data)
    count = sum(1 for m in load(p, p.template) if m.id)
    click.echo(f"{p.relative(p.template)}: {count} strings{'' if changed else ', unchanged'}")


@translate.command("update")
@click.option("--drop-obsolete", is_flag=True, help="Delete entries no longer in the code (#~ lines).")
@one_line_errors
def update_command(drop_obsolete: bool) -> None:
    """Merge messages.pot into every catalog: new strings appear untranslated,
    changed ones as fuzzy, with the old translation and the old English (#| msgid)."""
    p = project()
    template = load(p, p.template)
    # Read every catalog first, so a broken one stops the command before any is written.
    catalogs = {lang: (path, load(p, path, lang)) for lang, path in p.catalogs().items()}
    for path, catalog in catalogs.values():
        update(catalog, template)
        if drop_obsolete:
            catalog.obsolete.clear()
        write_if_changed(path, serialize(catalog))
        _, untranslated, fuzzy = counts(catalog)
        click.echo(f"{p.relative(path)}: {untranslated} untranslated, {fuzzy} fuzzy, {len(catalog.obsolete)} obsolete")


@translate.command("compile")
@one_line_errors
def compile_command() -> None:
    """Build the .mo file the site reads from each .po (fuzzy entries left out)."""
    p = project()
    for lang, path in p.catalogs().items():
        catalog = compile_catalog(p, lang, path)
        mo = path.with_suffix(".mo")
        done, _, _ = counts(catalog)
        click.echo(f"{p.relative(mo)}: {done} of {sum(1 for m in catalog if m.id)} strings translated")


@translate.command("init")
@click.argument("lang")
@one_line_errors
def init_command(lang: str) -> None:
    """Start a draft catalog for a new language LANG (a code such as de or pl)."""
    p = project()
    try:
        locale = Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        raise click.BadParameter(f"{lang!r} is not a language code Babel knows", param_hint="LANG") from None
    if str(locale) == SOURCE_LANGUAGE:
        raise click.BadParameter(f"{lang!r} is the language of the texts in the code: it needs no catalog", param_hint="LANG")
    path = p.catalog_path(str(locale))
    if path.exists():
        raise click.ClickException(f"{p.relative(path)} already exists; use `flask translate update`")
    init_catalog(p, locale, path)
    click.echo(f"Created {p.relative(path)} ({locale.english_name}), a draft: the site does not show it yet.")
    click.echo(f"Translate it (see TRANSLATING.md); `make dev` previews it at /{locale}/. To publish it,")
    click.echo(f"add {locale} to {p.relative(p.languages_file)}: `flask translate check` then wants it complete.")


@translate.command("check")
@one_line_errors
def check_command() -> None:
    """Fail, naming file and entry, unless messages.pot matches the code, every
    published catalog is complete, and no catalog (draft or not) has a mistake."""
    p = project()
    report = catalog_checks.check(p)
    for problem in report.problems:
        click.echo(str(problem))
    for line in report.drafts.values():
        click.echo(line)
    if not shutil.which("msgfmt"):
        click.echo("note: GNU msgfmt is not installed, so its --check was skipped (Babel's checks and the project's ran)")
    if report.problems:
        click.echo(f"{len(report.problems)} problem(s) in the catalogs.", err=True)
        raise SystemExit(1)
    published = ", ".join(lang for lang in p.catalogs() if lang not in report.drafts)
    drafts = f"; drafts: {', '.join(report.drafts)}" if report.drafts else ""
    click.echo(f"All catalogs are complete and match the code ({published}){drafts}.")


def init_app(app) -> None:
    app.cli.add_command(translate)
