"""gzip compressed once with gaps: any decoder reads the text with the values in place."""

import gzip
import zlib

import pytest

from webapp.web.spliced_gzip import SplicedGzip

TEXT = "<p>" + "Göteborg " * 2000 + "__a__" + "<i>mitten</i>" * 50 + "__b__" + "slut" * 300


@pytest.mark.parametrize("values", [("1", "2"), ("", ""), ("ä" * 70000, "x"), ("__b__", "__a__")])
def test_filled_gzip_is_the_text_with_the_values(values):
    packed = SplicedGzip(TEXT, ("__a__", "__b__")).fill(values)
    expected = TEXT.replace("__a__", "\0", 1).replace("__b__", values[1], 1).replace("\0", values[0], 1)
    assert gzip.decompress(packed).decode() == expected
    stream = zlib.decompressobj(wbits=31)  # one member, nothing after it
    assert stream.decompress(packed) == expected.encode() and stream.eof and not stream.unused_data


def test_a_marker_missing_or_out_of_order_is_refused():
    with pytest.raises(ValueError):
        SplicedGzip(TEXT, ("__b__", "__a__"))
