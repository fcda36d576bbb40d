"""Under `make dev` (debug), a catalog its translator has saved is compiled again before the
next request and the loaded translations are dropped, so reloading the page shows the change
without restarting anything."""

from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from blinker import Namespace
from flask import current_app

from ..atomic_write import write_atomically
from ..extensions import clear_translations
from . import translations_folder


def compile_changed(folder: Path, seen: dict[Path, int]) -> list[Path]:
    """Compile every .po saved since it was last seen here (fuzzy entries left out, as
    `flask translate compile`), or, at first sight, newer than its .mo. A file that
    cannot be read is reported once per save, and its last good .mo stays."""
    compiled = []
    for po in sorted(Path(folder).glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        saved = po.stat().st_mtime_ns
        first_sight = po not in seen
        if seen.get(po) == saved:
            continue
        seen[po] = saved
        if first_sight and mo.exists() and mo.stat().st_mtime_ns >= saved:
            continue
        try:
            with po.open("rb") as f:
                catalog = read_po(f, locale=po.parent.parent.name, abort_invalid=True)
        except (PoFileError, UnicodeDecodeError, ValueError) as exc:
            current_app.logger.warning("%s not compiled, so the site shows its last good version: %s. Run `make check-translations`.", po, exc)
            continue
        out = BytesIO()
        write_mo(out, catalog, use_fuzzy=False)
        write_atomically(mo, out.getvalue())
        compiled.append(po)
    return compiled


# Sent (with the app) after a catalog was compiled again, for whatever keeps rendered text.
catalogs_reloaded = Namespace().signal("catalogs-reloaded")


def init_app(app) -> None:
    if not app.debug:
        return
    seen: dict[Path, int] = {}

    @app.before_request
    def recompile_catalogs():
        if compile_changed(translations_folder(app), seen):
            clear_translations(app)
            catalogs_reloaded.send(app)
