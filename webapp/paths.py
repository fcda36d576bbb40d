"""Where the repository's folders are: computed here once, beside the package."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
