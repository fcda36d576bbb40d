"""The front page on paper: Chromium's print to PDF (A4, 1 cm margins, as a print dialog offers),
read back with poppler's pdftotext. What paper cannot use is left out with its heading, and
nothing runs off the page, printed URLs included."""

import re
import shutil
import subprocess

import pytest

from tests.helpers import LANGUAGES

from ..helpers import translate

MARGIN_PT = 72 / 2.54  # 1 cm


def pdftotext(*args) -> str:
    program = shutil.which("pdftotext")
    assert program, "pdftotext is missing: make test installs Debian's poppler-utils"
    return subprocess.run([program, *map(str, args), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def printed(page, tmp_path):
    """Prints /LANG/ and returns (text as laid out, [(word, right edge in pt, page width in pt)])."""

    def print_page(lang: str):
        page.goto(f"/{lang}/")
        pdf = tmp_path / f"{lang}.pdf"
        page.pdf(path=pdf, format="A4", margin={side: "1cm" for side in ("top", "right", "bottom", "left")})
        words = []
        for width, content in re.findall(r'<page width="([\d.]+)"[^>]*>(.*?)</page>', pdftotext("-bbox", pdf), re.S):
            for right, word in re.findall(r'<word [^>]*xMax="([\d.]+)"[^>]*>([^<]*)</word>', content):
                words.append((word, float(right), float(width)))
        return pdftotext("-layout", pdf), words

    return print_page


@pytest.mark.parametrize("lang", LANGUAGES)
def test_printed_page_leaves_out_the_form_with_its_heading(printed, lang):
    text, _ = printed(lang)
    assert translate(lang, "Contact the City Executive Office") in text  # the section is printed
    assert translate(lang, "Write to us") not in text
    assert translate(lang, "Write to us with the form below") not in " ".join(text.split())
    assert translate(lang, "Send") not in text.split()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_printed_urls_wrap_inside_the_page(page, printed, lang):
    text, words = printed(lang)
    osm = page.locator('a[href^="https://www.openstreetmap.org/"]').get_attribute("href")
    assert len(osm) > 60  # long enough to have run off the page when it could not break
    assert f"({osm})" in re.sub(r"\s+", "", text), "the printed URL is there whole, over several lines"
    off_the_page = [(word, right) for word, right, width in words if right > width - MARGIN_PT + 1]
    assert off_the_page == []
