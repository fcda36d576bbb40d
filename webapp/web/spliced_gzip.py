"""A page compressed once with gaps, each response's own values put into the gaps uncompressed.

gzip (deflate) allows this where brotli does not: after a full flush the compressor has
forgotten everything before it, so a stored (uncompressed) block can go between two flushed
pieces and the stream stays valid (RFC 1951, 3.2.4). Each view then costs the copy of
its values and a CRC-32 over the page instead of compressing 27 KB (README "A reader's cost").
"""

import struct
import zlib

# RFC 1952: deflate, no name, mtime 0, "unknown" OS; as gzip.compress(mtime=0) writes it.
HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"


def stored_blocks(data: bytes) -> bytes:
    """Non-final stored blocks of at most 65535 bytes: each one's 3 header bits pad to a byte
    after a flush (RFC 1951, 3.2.4)."""
    chunks = [data[i : i + 0xFFFF] for i in range(0, len(data), 0xFFFF)]
    return b"".join(b"\x00" + struct.pack("<HH", len(c), len(c) ^ 0xFFFF) + c for c in chunks)


class SplicedGzip:
    """`text` split at `markers` (each once, in this order); `fill(values)` is the gzip of the
    text with each marker replaced by its value, `join(values)` the same text uncompressed."""

    def __init__(self, text: str, markers: tuple[str, ...]):
        self.pieces: list[bytes] = []
        rest = text
        for marker in markers:
            before, found, rest = rest.partition(marker)
            if not found:
                raise ValueError(f"{marker!r} is not in the text (or not after the one before it)")
            self.pieces.append(before.encode())
        self.pieces.append(rest.encode())
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        self.deflated = [compressor.compress(p) + compressor.flush(zlib.Z_FULL_FLUSH) for p in self.pieces[:-1]]
        self.deflated.append(compressor.compress(self.pieces[-1]) + compressor.flush(zlib.Z_FINISH))

    def join(self, values: tuple[str, ...]) -> bytes:
        """The text with each marker replaced by its value, UTF-8 encoded, uncompressed."""
        out = [self.pieces[0]]
        for value, piece in zip(values, self.pieces[1:]):
            out += value.encode(), piece
        return b"".join(out)

    def fill(self, values: tuple[str, ...]) -> bytes:
        out, crc, size = [HEADER], 0, 0
        for piece, deflated, value in zip(self.pieces, self.deflated, (*(v.encode() for v in values), None)):
            out.append(deflated)
            crc, size = zlib.crc32(piece, crc), size + len(piece)
            if value is not None:
                out.append(stored_blocks(value))
                crc, size = zlib.crc32(value, crc), size + len(value)
        out.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
        return b"".join(out)
