"""Which languages are published (translations/LANGUAGES) and which catalogs are drafts."""

from pathlib import Path

from ..paths import TRANSLATIONS

# The language of the msgids in the code: it needs no catalog.
SOURCE_LANGUAGE = "en"


def read_languages(path: Path = TRANSLATIONS / "LANGUAGES") -> tuple[str, ...]:
    """The codes listed in `path`, in order; blank lines and `#` comments are skipped."""
    lines = (line.split("#", 1)[0].strip() for line in Path(path).read_text(encoding="utf-8-sig").splitlines())
    return tuple(code for code in lines if code)


def catalog_languages(folder: Path = TRANSLATIONS) -> tuple[str, ...]:
    """Every language with a catalog under `folder`, sorted."""
    return tuple(sorted(p.parent.parent.name for p in Path(folder).glob("*/LC_MESSAGES/messages.po")))


def draft_languages(folder: Path = TRANSLATIONS) -> tuple[str, ...]:
    """Catalogs that are not (yet) in the published list."""
    published = read_languages(Path(folder) / "LANGUAGES")
    return tuple(code for code in catalog_languages(folder) if code not in published)
