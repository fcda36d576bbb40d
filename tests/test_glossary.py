"""The glossary (translations/glossary/<lang>.tbx) that Weblate and other tools import:
it parses as TBX, the languages agree on the English terms, and the terms are the
city's (TERMS.md in the shared folder beside the repository) and TRANSLATING.md's."""

import xml.etree.ElementTree as ET

import pytest

from webapp import ROOT

GLOSSARY = ROOT / "translations" / "glossary"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def terms(lang: str) -> list[tuple[str, str, str]]:
    """(English, translation, note) per entry, in the file's order."""
    root = ET.parse(GLOSSARY / f"{lang}.tbx").getroot()
    assert root.tag == "martif" and root.get(XML_LANG) == "en"
    found = []
    for entry in root.iter("termEntry"):
        by_lang = {s.get(XML_LANG): [t.text for t in s.iter("term")] for s in entry.iter("langSet")}
        assert set(by_lang) == {"en", lang}, by_lang
        [english], [translation] = by_lang["en"], by_lang[lang]
        assert english.strip() == english and translation.strip() == translation and english and translation
        found.append((english, translation, entry.findtext("descrip", "")))
    return found


def markdown_table(text: str, heading: str) -> list[list[str]]:
    """The rows of the first table after `heading`, as lists of cells, without its header."""
    lines = text.split(heading, 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows[2:]  # without the header and the |---| line


def test_every_language_has_the_same_english_terms_and_notes():
    sv, fi = terms("sv"), terms("fi")
    assert [(en, note) for en, _, note in sv] == [(en, note) for en, _, note in fi]
    assert len({en for en, _, _ in sv}) == len(sv)  # no term twice


def test_the_swedish_terms_are_the_citys():
    terms_md = next((p / "shared" / "TERMS.md" for p in ROOT.parents if (p / "shared" / "TERMS.md").is_file()), None)
    if terms_md is None:
        pytest.skip("no shared/TERMS.md beside the repository")
    table = markdown_table(terms_md.read_text(encoding="utf-8"), "# Terms and facts")
    glossary = terms("sv")
    assert len(glossary) == len(table)
    for (english, swedish, note), (row_english, row_swedish, row_note) in zip(glossary, table):
        assert swedish == row_swedish
        assert english in row_english
        assert note == row_note


def test_the_finnish_terms_are_those_translating_md_lists():
    table = markdown_table((ROOT / "TRANSLATING.md").read_text(encoding="utf-8"), "### Finnish words to check")
    finnish_used = {row[1].casefold() for row in table}
    for english, finnish, _ in terms("fi"):
        assert finnish.casefold() in finnish_used, (english, finnish)
