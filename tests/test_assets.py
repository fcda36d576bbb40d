"""Static files: content-hashed URLs, immutable caching, pre-compressed variants."""

import gzip
import re

import brotli
import pytest

from tests.helpers import make_app
from webapp import ROOT
from webapp.web.assets import BUNDLES, build, hashed_name, publications
from webapp.startup import problems

# What the front page loads; each must come out fingerprinted and compressed.
PAGE_ASSETS = {
    "site.css": "text/css",
    "vendor/htmx-2.0.11.min.js": "text/javascript",
    "site.js": "text/javascript",
}
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}


def asset_url(html: str, name: str) -> str:
    stem, ext = name.rsplit(".", 1)
    match = re.search(rf'"(/static/{re.escape(stem)}\.[0-9a-f]{{12}}\.{ext})"', html)
    assert match, f"no fingerprinted URL for {name}"
    return match.group(1)


def cache_directives(response) -> set[str]:
    return {d.strip() for d in response.headers["Cache-Control"].split(",")}


def test_hashed_name_puts_the_hash_before_the_extension():
    digest = hashed_name("x.css", b"body").split(".")[1]
    assert re.fullmatch(r"[0-9a-f]{12}", digest)
    assert hashed_name("site.css", b"body") == f"site.{digest}.css"
    assert hashed_name("vendor/htmx-2.0.11.min.js", b"body") == f"vendor/htmx-2.0.11.min.{digest}.js"
    assert hashed_name("LICENSE", b"body") == f"LICENSE.{digest}"
    assert hashed_name("site.css", b"other body") != f"site.{digest}.css"


def test_build_writes_hashed_copies_and_useful_variants(tmp_path):
    source, out = tmp_path / "static", tmp_path / "out"
    (source / "js").mkdir(parents=True)
    css = b"body { margin: 0; padding: 0; }\n" * 50
    (source / "site.css").write_bytes(css)
    (source / "js" / "app.js").write_bytes(b"console.log('hello');\n" * 40)
    (source / "tiny.txt").write_bytes(b"hi")  # compressing makes it bigger
    (source / "logo.png").write_bytes(b"\x89PNG" + bytes(range(256)) * 4)  # already compressed
    (source / ".hidden").write_bytes(b"not published")

    written = build(source, out, bundles={"all.js": ("js/app.js", "site.css")})

    css_name = hashed_name("site.css", css)
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert sorted(p.relative_to(out).as_posix() for p in written) == names
    assert f"{css_name}.br" in names and f"{css_name}.gz" in names
    assert any(re.fullmatch(r"js/app\.[0-9a-f]{12}\.js\.br", n) for n in names)
    bundle = (source / "js" / "app.js").read_bytes() + b"\n" + css
    assert (out / hashed_name("all.js", bundle)).read_bytes() == bundle
    assert [n for n in names if n.startswith(("tiny", "logo"))] == [
        hashed_name("logo.png", (source / "logo.png").read_bytes()),
        hashed_name("tiny.txt", b"hi"),
    ]
    assert not any("hidden" in n for n in names)
    assert (out / css_name).read_bytes() == css
    assert brotli.decompress((out / f"{css_name}.br").read_bytes()) == css
    assert gzip.decompress((out / f"{css_name}.gz").read_bytes()) == css
    assert not list(out.rglob(".*")), "no temporary files left behind"

    # Built already: nothing to do. Changed content: a new name, the old file kept
    # for pages still being served by the previous version.
    assert build(source, out, bundles={}) == []
    (source / "site.css").write_bytes(css + b"a { color: blue; }\n")
    assert len(build(source, out, bundles={})) == 3
    assert (out / css_name).exists()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_pages_link_fingerprinted_assets(client, lang):
    html = client.get(f"/{lang}/").text
    published = publications(ROOT / "static")
    for name in PAGE_ASSETS:
        assert asset_url(html, name) == f"/static/{hashed_name(name, published[name])}"


def test_site_scripts_come_in_one_file(client):
    html = client.get("/sv/").text
    assert 'src="/static/contact.' not in html and 'src="/static/map.' not in html
    body = client.get(asset_url(html, "site.js")).get_data()
    for part in BUNDLES["site.js"]:
        assert (ROOT / "static" / part).read_bytes() in body


@pytest.mark.parametrize("encoding", ["br", "gzip", None])
@pytest.mark.parametrize("name", PAGE_ASSETS)
def test_assets_served_compressed_and_cached_for_a_year(client, name, encoding):
    url = asset_url(client.get("/sv/").text, name)
    response = client.get(url, headers={"Accept-Encoding": encoding or "identity"})
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == encoding
    assert DECODE[encoding](response.get_data()) == publications(ROOT / "static")[name]
    assert int(response.headers["Content-Length"]) == len(response.get_data())
    assert cache_directives(response) == {"public", "max-age=31536000", "immutable"}
    assert response.headers["Vary"] == "Accept-Encoding"
    assert response.mimetype == PAGE_ASSETS[name]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Content-Security-Policy" not in response.headers  # README "Security headers": not on hashed files


def test_asset_revalidation_gets_304(client):
    url = asset_url(client.get("/sv/").text, "site.css")
    etag = client.get(url).headers["ETag"]
    response = client.get(url, headers={"If-None-Match": etag, "Accept-Encoding": "br"})
    assert response.status_code == 304
    assert response.get_data() == b""
    assert "immutable" in cache_directives(response)


def test_head_of_an_asset_has_no_body(client):
    url = asset_url(client.get("/sv/").text, "site.js")
    response = client.head(url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.get_data() == b""


def test_unhashed_names_still_served_but_not_cached_forever(client):
    response = client.get("/static/site.css")
    assert response.status_code == 200
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_unbuilt_assets_keep_their_plain_names_and_stop_the_start(tmp_path):
    app = make_app(tmp_path, ASSETS_DIR=str(tmp_path / "none"))
    html = app.test_client().get("/sv/").text
    assert 'href="/static/site.css"' in html  # still served, by Flask, without the year-long caching
    found = [p for p in problems(app) if "Static files are not built" in p]
    assert found and "site.css" in found[0] and "site.js" in found[0]


def test_built_assets_pass_the_start_up_checks(app):
    assert not [p for p in problems(app) if "Static" in p]


def test_debug_mode_builds_what_changed(tmp_path):
    app = make_app(tmp_path, DEBUG=True, ASSETS_DIR=str(tmp_path / "built"))
    assert app.extensions["assets_unbuilt"] == []
    assert (tmp_path / "built" / hashed_name("site.css", (ROOT / "static" / "site.css").read_bytes())).exists()


def test_assets_build_command(app, runner, tmp_path):
    app.config["ASSETS_DIR"] = str(tmp_path / "built")
    first = runner.invoke(args=["assets", "build"])
    assert first.exit_code == 0 and "Wrote" in first.output
    assert (tmp_path / "built" / hashed_name("site.css", (ROOT / "static" / "site.css").read_bytes())).exists()
    again = runner.invoke(args=["assets", "build"])
    assert again.exit_code == 0 and "up to date" in again.output


def test_assets_weight_command(runner):
    result = runner.invoke(args=["assets", "weight", "/en/"])
    assert result.exit_code == 0
    assert re.search(r"\d+ bytes in \d+ requests", result.output)
    assert "/static/site." in result.output
