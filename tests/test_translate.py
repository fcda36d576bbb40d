"""`flask translate`, run on a temporary copy of the project's sources and catalogs.

Each test breaks the copy in one way and expects `check` to fail naming the file
and the entry; the real catalogs are never touched.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.helpers import make_app
from webapp import ROOT

SV = "translations/sv/LC_MESSAGES/messages.po"
POT = "translations/messages.pot"


@pytest.fixture
def project(tmp_path):
    """A copy of what extraction and the catalogs need, with compiled catalogs."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(ROOT / "babel.cfg", root)
    for folder in ("webapp", "templates", "translations"):
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    return root


@pytest.fixture
def translate(project, tmp_path):
    """Run `flask translate ...` against the copy."""
    runner = make_app(tmp_path, BABEL_TRANSLATION_DIRECTORIES=str(project / "translations")).test_cli_runner()

    def run(*args):
        return runner.invoke(args=["translate", *args])

    assert run("compile").exit_code == 0
    return run


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert text.count(old) >= count, old
    path.write_text(text.replace(old, new, count))


def line_of(path: Path, text: str) -> int:
    return path.read_text().splitlines().index(text) + 1


def assert_fails(result, *expected):
    assert result.exit_code == 1, result.output
    for text in expected:
        assert text in result.output, f"{text!r} not in:\n{result.output}"


def test_clean_copy_passes(translate):
    result = translate("check")
    assert result.exit_code == 0, result.output
    assert "All catalogs are complete and match the code" in result.output


def test_header_dates_are_ignored(translate, project):
    for name in (POT, SV):
        text = (project / name).read_text()
        (project / name).write_text(re.sub(r"POT-Creation-Date: [^\\]+", "POT-Creation-Date: 2001-01-01 00:00+0000", text))
    assert translate("compile").exit_code == 0
    assert translate("check").exit_code == 0


def test_string_added_to_code_but_not_extracted(translate, project):
    edit(project / "templates/error.html", "{% endblock %}", '<p>{{ _("A sentence nobody extracted") }}</p>\n{% endblock %}')
    assert_fails(
        translate("check"),
        f"{POT}: msgid 'A sentence nobody extracted': is in templates/error.html but not extracted; run `flask translate extract`",
    )


def test_string_removed_from_code_but_still_in_template(translate, project):
    edit(project / "templates/index.html", '{{ _("Memberships") }}', "Memberships")
    line = line_of(project / POT, 'msgid "Memberships"')
    assert_fails(translate("check"), f"{POT}:{line}: msgid 'Memberships': is no longer in the code")


def test_string_moved_to_another_file(translate, project):
    edit(project / "templates/error.html", "{% endblock %}", '<p>{{ _("Memberships") }}</p>\n{% endblock %}')
    assert_fails(translate("check"), "msgid 'Memberships': locations differ from the code")


def test_template_not_written_the_standard_way(translate, project):
    # Same messages, but in another order: a hand edit or a tool with other options.
    pot = project / POT
    head, *entries = pot.read_text().split("\n\n")
    pot.write_text("\n\n".join([head, *reversed(entries)]))
    assert_fails(translate("check"), f"{POT}: is not in the form `flask translate extract` writes")


def test_untranslated_entry(translate, project):
    po = project / SV
    edit(po, 'msgstr "Medlemskap"', 'msgstr ""')
    line = line_of(po, 'msgid "Memberships"')
    assert_fails(translate("check"), f"{SV}:{line}: msgid 'Memberships': untranslated")


def test_fuzzy_entry(translate, project):
    po = project / SV
    edit(po, 'msgid "Memberships"', '#, fuzzy\nmsgid "Memberships"')
    line = line_of(po, 'msgid "Memberships"')
    assert_fails(translate("check"), f"{SV}:{line}: msgid 'Memberships': fuzzy: check the translation")


def test_obsolete_entry(translate, project):
    po = project / SV
    po.write_text(po.read_text() + '\n#~ msgid "Our old slogan"\n#~ msgstr "Vår gamla slogan"\n')
    assert_fails(translate("check"), f"{SV}:", "msgid 'Our old slogan': obsolete (#~)")


def test_entry_missing_from_catalog(translate, project):
    po = project / SV
    edit(po, '#: templates/index.html\nmsgid "Memberships"\nmsgstr "Medlemskap"\n\n', "")
    assert_fails(translate("check"), f"{SV}: msgid 'Memberships': missing; run `flask translate update`")


def test_placeholder_renamed(translate, project):
    po = project / SV
    edit(po, "ringa Göteborgs Stads kontaktcenter på %(phone)s.", "ringa Göteborgs Stads kontaktcenter på %(telefon)s.")
    line = line_of(po, 'msgid "You can also call Gothenburg’s contact centre on %(phone)s."')
    assert_fails(
        translate("check"),
        f"{SV}:{line}: msgid 'You can also call Gothenburg’s contact centre on %(phone)s.': unknown named placeholder 'telefon'",
        "msgstr has placeholder(s) %(telefon)s that the msgid does not",
    )


def test_placeholder_dropped(translate, project):
    # Babel's own checker allows this; the visitor would lose the phone number.
    po = project / SV
    edit(po, "ringa Göteborgs Stads kontaktcenter på %(phone)s.", "ringa Göteborgs Stads kontaktcenter på 031-365 00 00.")
    assert_fails(translate("check"), "msgid 'You can also call Gothenburg’s contact centre on %(phone)s.': msgstr lacks placeholder(s) %(phone)s")


def test_html_in_translation(translate, project):
    edit(project / SV, 'msgstr "Medlemskap"', 'msgstr "<strong>Medlemskap</strong>"')
    assert_fails(translate("check"), "msgid 'Memberships': msgstr contains markup the English does not (< >)")


def add_plural_string(translate, project):
    """Put a plural string in the copy's code and catalogs, the way a developer would."""
    edit(project / "templates/error.html", "{% endblock %}", "<p>{{ ngettext('%(num)s city', '%(num)s cities', 3) }}</p>\n{% endblock %}")
    assert translate("extract").exit_code == 0
    assert translate("update").exit_code == 0
    return project / SV


def test_plural_form_missing(translate, project):
    po = add_plural_string(translate, project)
    edit(po, 'msgstr[0] ""', 'msgstr[0] "%(num)s stad"')
    line = line_of(po, 'msgid "%(num)s city"')
    assert_fails(translate("check"), f"{SV}:{line}: msgid '%(num)s city': untranslated")


def test_too_many_plural_forms(translate, project):
    po = add_plural_string(translate, project)
    edit(po, 'msgstr[0] ""\nmsgstr[1] ""', 'msgstr[0] "%(num)s stad"\nmsgstr[1] "%(num)s städer"\nmsgstr[2] "%(num)s städerna"')
    assert_fails(translate("check"), f"{SV}:", "cannot be read (msg has more translations than num_plurals of catalog)")


def test_plural_forms_header_wrong_for_the_language(translate, project):
    edit(project / SV, "nplurals=2; plural=(n != 1);", "nplurals=1; plural=0;")
    assert_fails(translate("check"), f"{SV}: Plural-Forms header: must say 'nplurals=2; plural=(n != 1);': CLDR's plural forms for 'sv'")


# make test installs GNU gettext (msgfmt), so these two run wherever the suite runs.
def test_msgfmt_finds_plural_forms_on_a_singular_message(translate, project):
    # Babel reads msgstr[0] of a singular message as its msgstr; GNU msgfmt rejects it.
    po = project / SV
    edit(po, 'msgstr "Medlemskap"', 'msgstr[0] "Medlemskap"\nmsgstr[1] "Medlemskapen"')
    line = line_of(po, 'msgid "Memberships"')
    assert_fails(translate("check"), f"{SV}:{line}: msgfmt --check: missing 'msgid_plural' section")


def test_msgfmt_runs_when_installed(translate, project):
    po = project / SV
    edit(po, "ringa Göteborgs Stads kontaktcenter på %(phone)s.", "ringa Göteborgs Stads kontaktcenter på 031-365 00 00.")
    assert_fails(translate("check"), "msgfmt --check: a format specification for argument 'phone' doesn't exist in 'msgstr'")


def test_check_works_without_msgfmt(translate, project, monkeypatch):
    monkeypatch.setenv("PATH", str(project))  # nothing there, so no msgfmt
    result = translate("check")
    assert result.exit_code == 0, result.output
    assert "GNU msgfmt is not installed, so its --check was skipped" in result.output
    edit(project / SV, "ringa Göteborgs Stads kontaktcenter på %(phone)s.", "ringa Göteborgs Stads kontaktcenter på %(telefon)s.")
    assert_fails(translate("check"), "unknown named placeholder 'telefon'")


@pytest.mark.parametrize(
    "broken",
    ['msgstr "Medlemskap', 'msgstr "Medlem"skap"', 'msgstr Medlemskap', 'msgstring "Medlemskap"'],
)
def test_broken_syntax(translate, project, broken):
    po = project / SV
    edit(po, 'msgstr "Medlemskap"', broken)
    line = line_of(po, broken)
    assert_fails(translate("check"), f"{SV}:{line}: is not a keyword and a string in quotes")


def test_catalog_babel_cannot_read(translate, project):
    po = project / SV
    edit(po, 'msgid "Memberships"', 'msgid "Memberships"\nmsgid "Memberships again"')
    line = line_of(po, 'msgid "Memberships"')
    assert_fails(translate("check"), f"{SV}:{line}: cannot be read (missing msgstr for msgid 'Memberships')")
    # The other commands stop with the same pointer instead of a traceback.
    for command in ("compile", "update"):
        result = translate(command)
        assert result.exit_code == 1
        assert f"Error: {SV}:{line}: cannot be read (missing msgstr for msgid 'Memberships')" in result.output
        assert "Traceback" not in result.output


def test_compiled_catalog_older_than_its_source(translate, project):
    po = project / SV
    mo = po.with_suffix(".mo")
    os.utime(mo, (po.stat().st_mtime - 60,) * 2)
    assert_fails(translate("check"), "translations/sv/LC_MESSAGES/messages.mo: is older than messages.po; run `flask translate compile`")
    assert translate("compile").exit_code == 0
    assert translate("check").exit_code == 0


def test_language_on_the_site_without_a_catalog(translate, project):
    shutil.rmtree(project / "translations/sv")
    assert_fails(translate("check"), f"{SV}: There is no sv catalog, but 'sv' is in translations/LANGUAGES; run `flask translate init sv`")


def test_every_problem_is_reported_not_just_the_first(translate, project):
    po = project / SV
    edit(po, 'msgstr "Medlemskap"', 'msgstr ""')
    edit(po, 'msgid "Partner cities"', '#, fuzzy\nmsgid "Partner cities"')
    translate("compile")
    result = translate("check")
    assert_fails(result, "'Memberships': untranslated", "'Partner cities': fuzzy")
    assert "2 problem(s) in the catalogs" in result.output


def test_extract_and_update_bring_a_new_string_to_every_catalog(translate, project):
    edit(project / "templates/error.html", "{% endblock %}", '<p>{{ _("A sentence nobody extracted") }}</p>\n{% endblock %}')
    result = translate("extract")
    assert result.exit_code == 0 and "translations/messages.pot" in result.output
    result = translate("update")
    assert f"{SV}: 1 untranslated, 0 fuzzy, 0 obsolete" in result.output
    catalog = read_po((project / SV).open("rb"))
    assert catalog.get("A sentence nobody extracted").string == ""
    assert catalog.get("Memberships").string == "Medlemskap"
    # Only the code is left to translate.
    assert_fails(translate("check"), "'A sentence nobody extracted': untranslated")


def test_update_offers_the_old_translation_of_a_reworded_string(translate, project):
    edit(project / "templates/index.html", '_("Partner cities")', '_("Our partner cities")')
    translate("extract")
    translate("update")
    message = read_po((project / SV).open("rb")).get("Our partner cities")
    assert message.fuzzy and message.string == "Partnerstäder"
    assert_fails(translate("check"), "'Our partner cities': fuzzy")


def test_update_keeps_removed_strings_as_obsolete_until_asked_to_drop_them(translate, project):
    edit(project / "templates/index.html", '{{ _("Memberships") }}', "Memberships")
    translate("extract")
    assert f"{SV}: 0 untranslated, 0 fuzzy, 1 obsolete" in translate("update").output
    assert '#~ msgid "Memberships"' in (project / SV).read_text()
    assert f"{SV}: 0 untranslated, 0 fuzzy, 0 obsolete" in translate("update", "--drop-obsolete").output
    assert "Memberships" not in (project / SV).read_text()


def test_extract_without_changes_leaves_the_template_alone(translate, project):
    pot = project / POT
    before = pot.read_bytes()
    result = translate("extract")
    assert result.exit_code == 0 and "unchanged" in result.output
    assert pot.read_bytes() == before


def test_compile_leaves_out_fuzzy_entries(translate, project):
    edit(project / SV, 'msgid "Memberships"', '#, fuzzy\nmsgid "Memberships"')
    assert translate("compile").exit_code == 0
    catalog = read_mo((project / SV).with_suffix(".mo").open("rb"))
    assert catalog.get("Memberships") is None
    assert catalog.get("Partner cities").string == "Partnerstäder"


def test_init_adds_a_language(translate, project):
    result = translate("init", "de")
    assert result.exit_code == 0, result.output
    po = project / "translations/de/LC_MESSAGES/messages.po"
    assert "Created translations/de/LC_MESSAGES/messages.po (German)" in result.output
    catalog = read_po(po.open("rb"))
    template = read_po((project / POT).open("rb"))
    assert str(catalog.locale) == "de"
    assert catalog.plural_forms == "nplurals=2; plural=(n != 1);"
    assert {m.id for m in catalog} == {m.id for m in template}
    assert all(m.string in ("", ("", "")) for m in catalog if m.id)
    text = po.read_text()
    assert text.startswith("# German translations for the City of Gothenburg's International relations site.")
    assert '"Language: de\\n"' in text
    assert '#, fuzzy\nmsgid ""' not in text  # the header is not fuzzy: msgfmt would drop it
    assert '"Language-Team: German (Deutsch), City of Gothenburg\\n"' in text
    # A draft: not published, reported, and the check still passes.
    assert "de" not in (project / "translations/LANGUAGES").read_text().split()
    assert translate("compile").exit_code == 0
    result = translate("check")
    assert result.exit_code == 0, result.output
    assert "de: draft, 0 of 118 translated" in result.output
    assert "drafts: de." in result.output


def test_init_refuses_an_existing_or_unknown_language(translate):
    result = translate("init", "sv")
    assert result.exit_code == 1 and "already exists" in result.output
    result = translate("init", "xx_Nowhere")
    assert result.exit_code == 2 and "is not a language code Babel knows" in result.output
