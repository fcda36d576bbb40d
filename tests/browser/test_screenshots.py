"""`make screenshots` works: every language, both widths, the error state and the confirmation."""

import struct

from tests.helpers import LANGUAGES

from .screenshots import WIDTHS, shoot


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_screenshots(make_context, browser_log, tmp_path):
    browser_log.allow(r"status of 422")  # the empty form is sent on purpose
    taken = shoot(make_context, tmp_path)
    expected = {f"{lang}-{device}{state}.png" for lang in LANGUAGES for device in WIDTHS for state in ("", "-error", "-sent")}
    assert {path.name for path in taken} == expected
    for path in taken:
        width, height = png_size(path)
        assert width == WIDTHS[path.stem.split("-")[1]]
        assert height > 900  # the whole page, not just the first screen
