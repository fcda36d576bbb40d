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
from webapp.i18n.catalogs import strings
from webapp.i18n.languages import read_languages
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


def current(path: Path, english: str) -> str:
    """The catalog's translation of `english` as it is now, so a better translation breaks no test."""
    return read_po(path.open("rb")).get(english).string


def msgstr_of(path: Path, english: str) -> str:
    return f'msgstr "{current(path, english)}"'


PHONE = "You can also call Gothenburg’s contact centre on %(phone)s."


def break_phone(path: Path, replacement: str) -> None:
    """Replace the placeholder in the Swedish sentence that gives the phone number."""
    sentence = current(path, PHONE)
    edit(path, sentence, sentence.replace("%(phone)s", replacement))


def line_of(path: Path, text: str) -> int:
    return path.read_text().splitlines().index(text) + 1


def entries(path: Path) -> list:
    return [m for m in read_po(path.open("rb")) if m.id]


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
    edit(po, msgstr_of(po, "Memberships"), 'msgstr ""')
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
    edit(po, f'#: templates/index.html\nmsgid "Memberships"\n{msgstr_of(po, "Memberships")}\n\n', "")
    assert_fails(translate("check"), f"{SV}: msgid 'Memberships': missing; run `flask translate update`")


def test_placeholder_renamed(translate, project):
    po = project / SV
    break_phone(po, "%(telefon)s")
    line = line_of(po, 'msgid "You can also call Gothenburg’s contact centre on %(phone)s."')
    assert_fails(
        translate("check"),
        f"{SV}:{line}: msgid 'You can also call Gothenburg’s contact centre on %(phone)s.': unknown named placeholder 'telefon'",
        "msgstr has placeholder(s) %(telefon)s that the msgid does not",
    )


def test_placeholder_dropped(translate, project):
    # Babel's own checker allows this; the visitor would lose the phone number.
    po = project / SV
    break_phone(po, "031-365 00 00")
    assert_fails(translate("check"), "msgid 'You can also call Gothenburg’s contact centre on %(phone)s.': msgstr lacks placeholder(s) %(phone)s")


def test_html_in_translation(translate, project):
    edit(project / SV, msgstr_of(project / SV, "Memberships"), 'msgstr "<strong>Medlemskap</strong>"')
    assert_fails(translate("check"), "msgid 'Memberships': msgstr contains markup the English does not (< >)")


def add_plural_string(translate, project):
    """Put a plural string in the copy's code and catalogs, the way a developer would."""
    edit(project / "templates/error.html", "{% endblock %}", "<p>{{ ngettext('%(num)s sister city on another continent', '%(num)s sister cities on another continent', 3) }}</p>\n{% endblock %}")
    assert translate("extract").exit_code == 0
    assert translate("update").exit_code == 0
    return project / SV


def test_plural_form_missing(translate, project):
    po = add_plural_string(translate, project)
    edit(po, 'msgstr[0] ""', 'msgstr[0] "%(num)s stad"')
    line = line_of(po, 'msgid "%(num)s sister city on another continent"')
    assert_fails(translate("check"), f"{SV}:{line}: msgid '%(num)s sister city on another continent': untranslated")


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
    edit(po, msgstr_of(po, "Memberships"), 'msgstr[0] "Medlemskap"\nmsgstr[1] "Medlemskapen"')
    line = line_of(po, 'msgid "Memberships"')
    assert_fails(translate("check"), f"{SV}:{line}: msgfmt --check: missing 'msgid_plural' section")


def test_msgfmt_runs_when_installed(translate, project):
    po = project / SV
    break_phone(po, "031-365 00 00")
    assert_fails(translate("check"), "msgfmt --check: a format specification for argument 'phone' doesn't exist in 'msgstr'")


def test_check_works_without_msgfmt(translate, project, monkeypatch):
    monkeypatch.setenv("PATH", str(project))  # nothing there, so no msgfmt
    result = translate("check")
    assert result.exit_code == 0, result.output
    assert "GNU msgfmt is not installed, so its --check was skipped" in result.output
    break_phone(project / SV, "%(telefon)s")
    assert_fails(translate("check"), "unknown named placeholder 'telefon'")


@pytest.mark.parametrize(
    "broken",
    ['msgstr "Medlemskap', 'msgstr "Medlem"skap"', 'msgstr Medlemskap', 'msgstring "Medlemskap"'],
)
def test_broken_syntax(translate, project, broken):
    po = project / SV
    edit(po, msgstr_of(po, "Memberships"), broken)
    line = line_of(po, broken)
    assert_fails(translate("check"), f"{SV}:{line}: is not a keyword and a string in quotes")
    # Babel alone would read 'msgstr "Medlemskap' as "Medlemska": update and compile refuse instead.
    before = po.read_bytes()
    for command in ("update", "compile"):
        result = translate(command)
        assert result.exit_code == 1 and f"Error: {SV}:{line}: is not a keyword and a string in quotes" in result.output
    assert po.read_bytes() == before


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
    edit(po, msgstr_of(po, "Memberships"), 'msgstr ""')
    edit(po, 'msgid "Partner cities"', '#, fuzzy\nmsgid "Partner cities"')
    translate("compile")
    result = translate("check")
    assert_fails(result, "'Memberships': untranslated", "'Partner cities': fuzzy")
    assert "2 problem(s) in the catalogs" in result.output


def test_extract_and_update_bring_a_new_string_to_every_catalog(translate, project):
    edit(project / "templates/error.html", "{% endblock %}", '<p>{{ _("A sentence nobody extracted") }}</p>\n{% endblock %}')
    membership = current(project / SV, "Memberships")
    result = translate("extract")
    assert result.exit_code == 0 and "translations/messages.pot" in result.output
    result = translate("update")
    assert f"{SV}: 1 untranslated, 0 fuzzy, 0 obsolete" in result.output
    catalog = read_po((project / SV).open("rb"))
    assert catalog.get("A sentence nobody extracted").string == ""
    assert catalog.get("Memberships").string == membership
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
    assert f"de: draft, 0 of {len(entries(project / POT))} translated" in result.output
    assert "drafts: de." in result.output


def test_init_refuses_an_existing_or_unknown_language_or_english(translate, project):
    result = translate("init", "sv")
    assert result.exit_code == 1 and "already exists" in result.output
    result = translate("init", "xx_Nowhere")
    assert result.exit_code == 2 and "is not a language code Babel knows" in result.output
    result = translate("init", "en")
    assert result.exit_code == 2 and "'en' is the language of the texts in the code: it needs no catalog" in result.output
    assert not (project / "translations/en").exists()


# Mistakes a translator makes that Babel and msgfmt let through -------------


def write_translation(po: Path, english: str, text: str, context: str | None = None) -> None:
    """As a translator would: write the msgstr, and drop any fuzzy suggestion Babel made."""
    head = f'msgctxt "{context}"\n' if context else ""
    entry = re.compile(rf'(?:#, fuzzy\n(?:#\| .*\n)*)?{re.escape(head)}msgid "{re.escape(english)}"\nmsgstr ".*"')
    text, count = entry.subn(lambda _: f'{head}msgid "{english}"\nmsgstr "{text}"', po.read_text(), count=1)
    assert count == 1, english
    po.write_text(text)


def add_string(translate, project, english: str, sv: str, fi: str | None = None) -> Path:
    """Put a new English text in the copy's code and translate it in every published catalog
    (Finnish as `fi` when given, the others as `sv`), so publishing a language needs no edit here."""
    edit(project / "templates/error.html", "{% endblock %}", f"<p>{{{{ _({english!r}) }}}}</p>\n{{% endblock %}}")
    assert translate("extract").exit_code == 0
    assert translate("update").exit_code == 0
    for lang in read_languages(project / "translations/LANGUAGES"):
        po = project / f"translations/{lang}/LC_MESSAGES/messages.po"
        if po.exists():  # the English source has none
            write_translation(po, english, fi if lang == "fi" and fi is not None else sv)
    assert translate("compile").exit_code == 0
    return project / SV


def check_entry(translate, project, msgstr: str, english: str = "Memberships") -> str:
    """Give one Swedish entry another msgstr; the check's output, which must be a failure."""
    edit(project / SV, msgstr_of(project / SV, english), f'msgstr "{msgstr}"')
    translate("compile")
    result = translate("check")
    line = line_of(project / SV, f'msgid "{english}"')
    assert_fails(result, f"{SV}:{line}: msgid {english!r}: ")
    return result.output


@pytest.mark.parametrize("markup", ["<b Medlemskap", "Medlemskap>", "Medlemskap&nbsp;nu", "<strong>Medlemskap</strong>", "Medlemskap &#160;"])
def test_markup_in_a_translation_well_formed_or_not(translate, project, markup):
    assert "msgstr contains markup the English does not" in check_entry(translate, project, markup)


@pytest.mark.parametrize("blank", [" ", "   ", "\\t"])
def test_translation_of_only_white_space(translate, project, blank):
    assert "msgstr is only white space: write the translation, or leave it empty" in check_entry(translate, project, blank)


def test_translation_same_as_the_english_unless_listed(translate, project):
    output = check_entry(translate, project, "Memberships")
    assert "msgstr is the English text unchanged: translate it" in output
    assert "translations/same-in-every-language.txt" in output
    allow = project / "translations/same-in-every-language.txt"
    listed = allow.read_text()
    # Listed for another language only, it is still a mistake in Swedish.
    allow.write_text(listed + "Memberships | fi de\n")
    assert_fails(translate("check"), "msgstr is the English text unchanged")
    for line in ("Memberships | fi sv\n", "Memberships\n"):
        allow.write_text(listed + line)
        assert translate("check").exit_code == 0


def test_a_plural_form_without_its_number_fails_without_msgfmt(translate, project, monkeypatch):
    po = add_plural_string(translate, project)
    monkeypatch.setenv("PATH", str(project))  # no msgfmt
    # The form for 1 alone may say "en stad"; the form for every other number may not drop the number.
    edit(po, 'msgstr[0] ""\nmsgstr[1] ""', 'msgstr[0] "en stad"\nmsgstr[1] "flera städer"')
    translate("compile")
    result = translate("check")
    line = line_of(po, 'msgid "%(num)s sister city on another continent"')
    assert_fails(result, f"{SV}:{line}: msgid '%(num)s sister city on another continent': msgstr[1] lacks placeholder(s) %(num)s: copy them from the English exactly")
    assert "msgstr[0] lacks" not in result.output


def test_a_plural_form_used_for_many_numbers_needs_the_number_in_polish(translate, project):
    assert translate("init", "pl").exit_code == 0
    po = project / "translations/pl/LC_MESSAGES/messages.po"
    entry = 'msgid "You have %(num)s character remaining"\nmsgid_plural "You have %(num)s characters remaining"\n'
    edit(po, entry + 'msgstr[0] ""\nmsgstr[1] ""\nmsgstr[2] ""', entry + 'msgstr[0] "Został ci jeden znak"\nmsgstr[1] "Zostały ci %(num)s znaki"\nmsgstr[2] "Zostało ci znaków"')
    translate("compile")
    result = translate("check")
    assert_fails(result, "msgid 'You have %(num)s character remaining': msgstr[2] lacks placeholder(s) %(num)s")
    assert "msgstr[0] lacks" not in result.output and "msgstr[1] lacks" not in result.output


@pytest.mark.parametrize(
    ("msgstr", "expected"),
    [
        (" Medlemskap", "msgstr begins with a space, the English with no space: make it the same as the English"),
        ("Medlemskap ", "msgstr ends with a space, the English with no space"),
        ("Medlemskap:", "msgstr ends with a colon and the English does not: end it as the English does"),
        ("Medlemskap!", "msgstr ends with an exclamation mark and the English does not"),
        ("Medlem  skap", "msgstr has two spaces in a row: write one"),
    ],
)
def test_spaces_and_final_punctuation_like_the_english(translate, project, msgstr, expected):
    assert expected in check_entry(translate, project, msgstr)


@pytest.mark.parametrize(
    ("msgstr", "expected"),
    [
        ("Ställ en fråga eller lämna en synpunkt", "the English ends with a full stop and msgstr does not: end it with a full stop too"),
        ("Ställ en fråga eller lämna en synpunkt?", "the English ends with a full stop and msgstr does not"),
        ("Ställ en fråga eller lämna en synpunkt…", "the English ends with a full stop and msgstr does not"),
    ],
)
def test_final_full_stop_kept(translate, project, msgstr, expected):
    output = check_entry(translate, project, msgstr, "Ask a question or leave a comment.")
    assert expected in output


def test_web_address_e_mail_address_and_phone_number_kept(translate, project):
    english = "See https://www.digg.se/tdosanmalan, write to info@goteborg.se or call 031-365 00 00."
    po = add_string(translate, project, english, "Se https://www.digg.se/tdosanmalan, skriv till info@goteborg.se eller ring 031-365 00 00.")
    assert translate("check").exit_code == 0
    edit(po, "Se https://www.digg.se/tdosanmalan, skriv till info@goteborg.se eller ring 031-365 00 00.", "Se Diggs webbplats, skriv till oss eller ring kontaktcenter.")
    translate("compile")
    assert_fails(
        translate("check"),
        "the English has the web address 'https://www.digg.se/tdosanmalan' and msgstr does not: keep it exactly as it is",
        "the English has the e-mail address 'info@goteborg.se' and msgstr does not",
        "the English has the phone number '031-365 00 00' and msgstr does not",
    )


def test_an_example_address_may_be_made_swedish(translate, project):
    # name@example.com is an example (RFC 2606): "namn@exempel.se" is a good translation of it.
    text = (project / SV).read_text()
    assert "till exempel namn@exempel.se" in text
    assert translate("check").exit_code == 0


def test_the_same_english_translated_two_ways(translate, project):
    add_string(translate, project, "memberships:", "medlemmar:")
    line = line_of(project / SV, 'msgid "memberships:"')
    first = line_of(project / SV, 'msgid "Memberships"')
    assert_fails(
        translate("check"),
        f"{SV}:{line}: msgid 'memberships:': is translated 'medlemmar:', but the same English at line {first} ('Memberships')"
        f" is translated {current(project / SV, 'Memberships')!r}: use one translation for both",
    )


def test_a_context_allows_another_translation(translate, project):
    # pgettext says the English means something else here; and alike in case and colon is consistent.
    edit(project / "templates/error.html", "{% endblock %}", "<p>{{ pgettext('people', 'Memberships') }} {{ _('memberships:') }}</p>\n{% endblock %}")
    translate("extract")
    translate("update")
    for lang, people in (("sv", "Medlemmar"), ("fi", "Jäsenet")):
        po = project / f"translations/{lang}/LC_MESSAGES/messages.po"
        write_translation(po, "Memberships", people, context="people")
        # Consistent with the catalog's own "Memberships", whatever its wording is now.
        write_translation(po, "memberships:", current(po, "Memberships").lower() + ":")
    translate("compile")
    result = translate("check")
    assert result.exit_code == 0, result.output


# Files saved in another encoding --------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1252", "mac_roman"])
def test_catalog_saved_in_another_encoding(translate, project, encoding):
    po = project / SV
    po.write_bytes(po.read_text(encoding="utf-8").encode(encoding))
    # The first line with a letter the encoding wrote differently.
    line = next(n for n, text in enumerate(po.read_bytes().splitlines(), 1) if any(b > 127 for b in text))
    for command, prefix in (("check", ""), ("compile", "Error: "), ("update", "Error: ")):
        result = translate(command)
        assert result.exit_code == 1, (command, result.output)
        assert "Traceback" not in result.output
        [message] = [text for text in result.output.splitlines() if SV in text]
        assert message.startswith(f"{prefix}{SV}:{line}: the file is not in UTF-8")
        assert "save it as UTF-8" in message
    assert translate("extract").exit_code == 0  # reads the code, not the catalogs


def test_template_saved_in_another_encoding(translate, project):
    pot = project / POT
    pot.write_bytes(pot.read_bytes() + '#: x\nmsgid "Göteborg"\nmsgstr ""\n'.encode("cp1252"))
    for command in (["update"], ["init", "de"], ["check"]):
        result = translate(*command)
        assert result.exit_code == 1, (command, result.output)
        assert f"{POT}:" in result.output and "save it as UTF-8" in result.output
        assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "windows",
    [lambda data: b"\xef\xbb\xbf" + data, lambda data: data.replace(b"\n", b"\r\n")],
    ids=["byte-order mark", "CRLF line ends"],
)
def test_what_windows_editors_write_is_read(translate, project, windows):
    po = project / SV
    membership = current(po, "Memberships")
    po.write_bytes(windows(po.read_bytes()))
    for command in ("compile", "check", "update"):
        result = translate(command)
        assert result.exit_code == 0, (command, result.output)
    catalog = read_mo((project / SV).with_suffix(".mo").open("rb"))
    assert catalog.get("Memberships").string == membership


def test_commands_without_a_template_or_with_a_broken_one(translate, project):
    (project / POT).unlink()
    for command in (["update"], ["init", "de"]):
        result = translate(*command)
        assert result.exit_code == 1 and f"Error: {POT}: missing" in result.output, result.output
    assert_fails(translate("check"), f"{POT}: missing; run `flask translate extract`")
    (project / POT).write_text('msgid "Memberships"\nmsgstr ""\nmsgid "Memberships"\n')
    for command in (["update"], ["init", "de"]):
        result = translate(*command)
        assert result.exit_code == 1 and f"Error: {POT}:" in result.output and "Traceback" not in result.output, result.output


def test_extract_names_a_broken_template(translate, project):
    edit(project / "templates/error.html", "{% endblock %}", "<p>{{ _('Broken' }}</p>\n{% endblock %}")
    result = translate("extract")
    assert result.exit_code == 1, result.output
    assert "Error: templates/error.html: cannot be read for texts to translate" in result.output
    assert "Traceback" not in result.output
    assert_fails(translate("check"), "templates/error.html: cannot be read for texts to translate")


# The previous English on a fuzzy entry ----------------------------------------


def test_update_writes_the_previous_english_above_a_fuzzy_entry(translate, project):
    edit(project / "templates/index.html", '_("Partner cities")', '_("Our partner cities")')
    translate("extract")
    translate("update")
    po = project / SV
    assert '#, fuzzy\n#| msgid "Partner cities"\nmsgid "Our partner cities"\nmsgstr "Partnerstäder"' in po.read_text()
    # Another run (another developer's new string) keeps it, and so does a second rewording.
    edit(project / "templates/index.html", '_("Our partner cities")', '_("Our partner cities and regions")')
    translate("extract")
    translate("update")
    assert '#, fuzzy\n#| msgid "Partner cities"\nmsgid "Our partner cities and regions"' in po.read_text()
    translate("update")
    assert po.read_text().count('#| msgid "Partner cities"') == 1
    # Once the translator has checked it and removed the fuzzy line, it goes.
    edit(po, '#, fuzzy\n#| msgid "Partner cities"\n', '#| msgid "Partner cities"\n')
    translate("update")
    assert "#| msgid" not in po.read_text() and "# | msgid" not in po.read_text()


def test_a_long_previous_english_stays_on_one_line(translate, project):
    [english] = [m.id for m in entries(project / POT) if "leading politicians" in m.id]
    assert len(english) > 76  # Babel would wrap it
    edit(project / "templates/index.html", "leading politicians", "leading elected politicians")
    translate("extract")
    translate("update")
    text = (project / SV).read_text()
    assert f'#| msgid "{english}"\n' in text
    # msgfmt and Babel read it back.
    result = translate("check")
    assert "fuzzy" in result.output and "is not a keyword" not in result.output and "msgfmt" not in result.output


# Drafts and published languages -------------------------------------------------


def publish(project, *codes):
    languages = project / "translations/LANGUAGES"
    languages.write_text(languages.read_text() + "".join(f"{c}\n" for c in codes))


def test_a_draft_with_a_mistake_fails(translate, project):
    assert translate("init", "de").exit_code == 0
    po = project / "translations/de/LC_MESSAGES/messages.po"
    edit(po, 'msgid "Memberships"\nmsgstr ""', 'msgid "Memberships"\nmsgstr "Mitgliedschaften"')
    edit(po, 'msgid "Your reference number is %(reference)s."\nmsgstr ""', 'msgid "Your reference number is %(reference)s."\nmsgstr "Ihre Nummer ist %(referenz)s."')
    translate("compile")
    result = translate("check")
    assert_fails(result, "translations/de/LC_MESSAGES/messages.po:", "msgstr has placeholder(s) %(referenz)s that the msgid does not")
    assert f"de: draft, 2 of {len(entries(project / POT))} translated" in result.output
    assert "untranslated" not in result.output  # a draft may be incomplete


def test_a_published_language_must_be_complete(translate, project):
    assert translate("init", "de").exit_code == 0
    publish(project, "de")
    translate("compile")
    result = translate("check")
    assert_fails(result, "translations/de/LC_MESSAGES/messages.po:", "msgid 'Memberships': untranslated")
    assert "de: draft" not in result.output


def test_a_published_language_needs_a_catalog_except_english(translate, project):
    publish(project, "pl")
    assert_fails(translate("check"), "translations/pl/LC_MESSAGES/messages.po: There is no pl catalog, but 'pl' is in translations/LANGUAGES")
    assert "en/LC_MESSAGES" not in translate("check").output


def test_an_unknown_code_in_the_published_list(translate, project):
    publish(project, "xx_Nowhere")
    assert_fails(translate("check"), "translations/LANGUAGES: 'xx_Nowhere' is not a language code Babel knows")


def test_init_says_how_to_publish(translate, project):
    result = translate("init", "de")
    assert "a draft: the site does not show it yet" in result.output
    assert "add de to translations/LANGUAGES" in result.output


def test_a_catalog_in_a_folder_that_is_no_language(translate, project):
    folder = project / "translations/xx_Nowhere/LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text((project / POT).read_text().replace("#, fuzzy\n", ""))
    for command in ("compile", "update"):  # harmless: the site never asks for it
        assert translate(command).exit_code == 0
    result = translate("check")
    assert_fails(result, "translations/xx_Nowhere/LC_MESSAGES/messages.po: 'xx_Nowhere' is not a language code Babel knows")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, "translations/LANGUAGES: missing"), ("# Språk\nsv\nen\nfi\n".encode("cp1252"), "translations/LANGUAGES: the file is not in UTF-8")],
)
def test_the_published_list_missing_or_not_utf_8(translate, project, content, expected):
    languages = project / "translations/LANGUAGES"
    languages.unlink() if content is None else languages.write_bytes(content)
    assert_fails(translate("check"), expected)


def test_a_catalog_whose_header_is_fuzzy(translate, project):
    # Babel's and GNU's compilers would silently skip the whole catalog.
    edit(project / SV, 'msgid ""\nmsgstr ""\n"Project-Id-Version', '#, fuzzy\nmsgid ""\nmsgstr ""\n"Project-Id-Version')
    assert_fails(translate("check"), f"{SV}: the header (msgid \"\") is marked fuzzy")
    result = translate("compile")
    assert result.exit_code == 1 and f"Error: {SV}: the header" in result.output


def test_extract_keeps_the_projects_form(translate, project):
    # Sorted, unwrapped, file-only locations, and a TRANSLATORS: note as a #. line.
    long = "A sentence long enough that Babel would wrap it at seventy-six columns, unless told not to wrap it."
    edit(project / "templates/error.html", "{% endblock %}", f"{{# TRANSLATORS: shown under the heading #}}\n<p>{{{{ _({long!r}) }}}}</p>\n{{% endblock %}}")
    content = project / "webapp/content.py"
    content.write_text(content.read_text() + '\n# TRANSLATORS: the first word in the catalog\nFIRST = _l("A first word")\n')
    assert translate("extract").exit_code == 0
    text = (project / POT).read_text()
    assert f'#. shown under the heading\n#: templates/error.html\nmsgid "{long}"\n' in text
    assert '#. the first word in the catalog\n#: webapp/content.py\nmsgid "A first word"\n' in text
    ids = [strings(m.id)[0] for m in entries(project / POT)]
    assert ids == sorted(ids)


def test_the_published_list_saved_with_a_byte_order_mark(translate, project):
    languages = project / "translations/LANGUAGES"
    languages.write_bytes(b"\xef\xbb\xbf" + languages.read_bytes())
    result = translate("check")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("msgstr", ["\u200fMedlemskap", "Medlemskap\u200e", "\u061cMedlemskap"])
def test_a_direction_mark_at_an_edge_the_english_lacks(translate, project, msgstr):
    assert "with an invisible" in check_entry(translate, project, msgstr)


@pytest.mark.parametrize("msgstr", ["Medlem\u2068skap", "Medlem\u2069skap", "\u202bMedlem\u2068skap\u202c\u2069 nu", "Medlem\u202aska\u2069p"])
def test_unbalanced_isolates_and_embeddings(translate, project, msgstr):
    assert "unbalanced direction controls" in check_entry(translate, project, msgstr)


def test_balanced_isolates_pass(translate, project):
    edit(project / SV, msgstr_of(project / SV, "Memberships"), 'msgstr "Medlem\u2068skap\u2069 \u202bnu\u202c"')
    translate("compile")
    result = translate("check")
    assert result.exit_code == 0, result.output
