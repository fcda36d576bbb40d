"""Static files: names that change with their content, far-future caching, gzip and brotli.

`flask assets build` (run by make) copies every file under static/ to
build/static/ under a name holding a hash of its content
(site.css -> site.1a2b3c4d5e6f.css) and writes .br and .gz variants beside it.
Bundles (several scripts in one file, one request) are published the same way.
At start-up the app hashes the sources again, so a page always names the
current content: url_for("static", filename="site.css") gives the hashed URL,
and WhiteNoise serves it with "immutable" caching, choosing the variant the
browser accepts. A hashed name is never reused for other content, so a build
only adds files: pages rendered by a server still running the old version keep
working while a new one starts. A file not built for this version keeps its
plain URL (served by Flask, uncached) and the start-up checks refuse to serve.
"""

import hashlib
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

from . import page_weight
from ..atomic_write import write_atomically

HASH_LENGTH = 12
# Variants smaller than this share of the original are not worth keeping (WhiteNoise's rule).
USEFUL_RATIO = 0.95
ENCODINGS = {".br": Compressor.compress_brotli, ".gz": Compressor.compress_gzip}

# Scripts every page of a kind needs, served as one file: fewer requests on a first view.
BUNDLES = {"site.js": ("contact.js", "map.js")}

cli = AppGroup("assets", help="Static files: content-hashed, compressed copies.")


class StaticFiles(WhiteNoise):
    # One year, the longest max-age HTTP caches are asked to honour (RFC 9111);
    # WhiteNoise's own default is ten.
    FOREVER = 365 * 24 * 60 * 60


def add_headers(headers, path, url) -> None:
    # These responses never pass through Flask, so its response hooks cannot add this.
    headers["X-Content-Type-Options"] = "nosniff"


def hashed_name(relative: str, data: bytes) -> str:
    """The file's name with a hash of its content before the extension."""
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    folder, _, name = relative.rpartition("/")
    stem, dot, extension = name.rpartition(".")
    hashed = f"{stem}.{digest}.{extension}" if dot and stem else f"{name}.{digest}"
    return f"{folder}/{hashed}" if folder else hashed


def publications(source: Path, bundles: dict = BUNDLES) -> dict[str, bytes]:
    """Every file to publish under its name relative to static/, bundles included, in a stable order."""
    files = {}
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source).as_posix()
        if path.is_file() and not any(part.startswith(".") for part in relative.split("/")):
            files[relative] = path.read_bytes()
    for bundle, parts in bundles.items():
        # A line break between parts, so a file without a final newline cannot run into the next.
        files[bundle] = b"\n".join(files[part] for part in parts)
    return files


def build(source: Path, out: Path, bundles: dict = BUNDLES) -> list[Path]:
    """Write the hashed copy of each source file and its useful compressed variants.

    Returns the files written; those already present (same name, so same content) are kept.
    """
    compressor = Compressor(quiet=True)
    written = []
    for relative, data in publications(source, bundles).items():
        target = out / hashed_name(relative, data)
        if not target.exists():
            write_atomically(target, data)
            written.append(target)
        if not compressor.should_compress(relative):
            continue
        for suffix, compress in ENCODINGS.items():
            variant = target.with_name(target.name + suffix)
            if variant.exists():
                continue
            packed = compress(data)
            if len(packed) <= USEFUL_RATIO * len(data):
                write_atomically(variant, packed)
                written.append(variant)
    return written


@cli.command("build")
def build_command() -> None:
    """Write content-hashed copies of static/ with .br and .gz variants (to ASSETS_DIR)."""
    out = Path(current_app.config["ASSETS_DIR"])
    written = build(Path(current_app.static_folder), out)
    click.echo(f"Wrote {len(written)} file(s) to {out}" if written else f"{out} is up to date")


@cli.command("weight")
@click.argument("path", default="/sv/")
def weight_command(path: str) -> None:
    """List what a first view of PATH downloads, compressed as a browser gets it."""
    click.echo(page_weight.breakdown(page_weight.first_view(current_app.test_client(), path)))


def problems(app) -> list[str]:
    """For the start-up checks: files whose current version was not built."""
    unbuilt = app.extensions["assets_unbuilt"]
    if not unbuilt:
        return []
    return [f"Static files are not built for this version ({', '.join(unbuilt)}). Run `flask assets build` (make does)."]


def init_app(app) -> None:
    source = Path(app.static_folder)
    out = Path(app.config["ASSETS_DIR"])
    if app.debug:  # the reloader restarts on edits to static/; build what changed
        build(source, out)
    files = StaticFiles(
        app.wsgi_app,
        max_age=None,
        allow_all_origins=False,  # same-origin pages only
        immutable_file_test=lambda path, url: True,  # every URL it serves is hashed
        add_headers_function=add_headers,
    )
    names, unbuilt = {}, []
    for relative, data in publications(source).items():
        hashed = hashed_name(relative, data)
        if (out / hashed).is_file():
            names[relative] = hashed
            files.add_file_to_dictionary(f"{app.static_url_path}/{hashed}", str(out / hashed))
        else:
            unbuilt.append(relative)
    app.extensions["assets_unbuilt"] = unbuilt
    app.wsgi_app = files

    @app.url_defaults
    def fingerprint(endpoint, values):
        if endpoint == "static":
            values["filename"] = names.get(values["filename"], values["filename"])

    app.cli.add_command(cli)
