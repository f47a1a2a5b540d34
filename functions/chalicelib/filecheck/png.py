"""PNG structure: chunks with correct CRCs up to IEND, nothing after it, location metadata.

    chunks = parse_png(data)                   # raises Refused(...)
    if has_location(chunks):
        data = strip_metadata(chunks)          # same IDAT chunks: the same pixels

PNG (ISO/IEC 15948, W3C PNG 3rd edition) is a signature and a chain of chunks, each
``length, type, data, CRC-32``; the file ends with IEND. Unlike JPEG, no known encoder
pads after IEND, so nothing at all may follow it (a PNG with a ZIP appended is a classic
polyglot).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from .errors import Refused

SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_CHUNKS = 50_000  # encoders write 8-64 KB IDAT chunks: 20 MiB is a few thousand
MAX_XMP_BYTES = 1 << 20

# Chunks needed to show the image as its author meant (colour, transparency, density).
_DISPLAY = frozenset({
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT",
    b"sRGB", b"cICP", b"mDCv", b"cLLi", b"bKGD", b"hIST", b"pHYs", b"sPLT",
})
_TEXT = frozenset({b"tEXt", b"zTXt", b"iTXt"})
_XMP_KEYWORD = b"XML:com.adobe.xmp"
_RAW_PROFILE = re.compile(rb"^Raw profile type (?:exif|app1|iptc|8bim|xmp)$", re.IGNORECASE)
_XMP_LOCATION = re.compile(
    rb"GPS(?:Latitude|Longitude|Altitude|Position|Coordinates|DestLatitude|DestLongitude)"
    rb"|Location(?:Created|Shown)|photoshop:(?:City|State|Country)|Iptc4xmpCore:Location"
)


@dataclass(frozen=True)
class Chunk:
    kind: bytes
    data: bytes

    def encode(self) -> bytes:
        body = self.kind + self.data
        return len(self.data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")


def parse_png(data: bytes) -> list[Chunk]:
    """The chunks from IHDR to IEND, each checked against its CRC.

    Raises
    ------
    Refused
        ``image_unreadable`` (bad signature, chunk or CRC, no IHDR first, no IEND, an
        unknown critical chunk), ``file_trailing_data`` (bytes after IEND),
        ``file_too_complex`` (more than ``MAX_CHUNKS`` chunks).
    """
    if not data.startswith(SIGNATURE):
        raise Refused("image_unreadable")
    pos, size = len(SIGNATURE), len(data)
    chunks: list[Chunk] = []
    while True:
        if pos + 12 > size:
            raise Refused("image_unreadable")  # stops before IEND: truncated
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if length > 0x7FFFFFFF or end > size or not kind.isalpha():
            raise Refused("image_unreadable")
        body = data[pos + 4 : pos + 8 + length]
        if zlib.crc32(body) != int.from_bytes(data[pos + 8 + length : end], "big"):
            raise Refused("image_unreadable")
        if (not chunks and kind != b"IHDR") or (kind[:1].isupper() and kind not in _DISPLAY):
            raise Refused("image_unreadable")
        chunks.append(Chunk(kind, body[4:]))
        if len(chunks) > MAX_CHUNKS:
            raise Refused("file_too_complex")
        pos = end
        if kind == b"IEND":
            break
    if pos != size:
        raise Refused("file_trailing_data")
    return chunks


def has_location(chunks: list[Chunk]) -> bool:
    """Whether an eXIf chunk has GPS data, or XMP or a raw EXIF/IPTC profile is present."""
    from .exif import exif_has_location

    for chunk in chunks:
        if chunk.kind == b"eXIf" and exif_has_location(chunk.data):
            return True
        if chunk.kind in _TEXT:
            keyword = chunk.data.split(b"\x00", 1)[0]
            if _RAW_PROFILE.match(keyword):
                return True  # hex-encoded EXIF/IPTC written by ImageMagick: assume a place
            if keyword == _XMP_KEYWORD and _XMP_LOCATION.search(_itxt_text(chunk)):
                return True
    return False


def _itxt_text(chunk: Chunk) -> bytes:
    """The text of an iTXt chunk (inflated, at most ``MAX_XMP_BYTES``)."""
    try:
        _, rest = chunk.data.split(b"\x00", 1)
        compressed, _method, rest = rest[0], rest[1], rest[2:]
        _language, _translated, text = rest.split(b"\x00", 2)
    except (ValueError, IndexError):
        return b"GPSLatitude"  # unreadable XMP: treat as location, so it is removed
    if not compressed:
        return text
    inflater = zlib.decompressobj()
    try:
        return inflater.decompress(text, MAX_XMP_BYTES)
    except zlib.error:
        return b"GPSLatitude"


def strip_metadata(chunks: list[Chunk]) -> bytes:
    """The PNG with only the chunks needed to show it, plus the EXIF orientation if any.

    Removed: text chunks (XMP, raw profiles, comments), eXIf (replaced by one holding only
    the orientation when it is not 1), tIME, animation chunks (the default image stays)
    and every private chunk. IDAT is copied as it is: the pixels are identical.
    """
    from .exif import exif_orientation, orientation_exif

    orientation = next(
        (found for chunk in chunks if chunk.kind == b"eXIf"
         and (found := exif_orientation(chunk.data)) not in (None, 1)),
        None,
    )
    parts = [SIGNATURE]
    for chunk in chunks:
        if chunk.kind == b"IDAT" and orientation is not None:
            parts.append(Chunk(b"eXIf", orientation_exif(orientation)[6:]).encode())
            orientation = None
        if chunk.kind in _DISPLAY:
            parts.append(chunk.encode())
    return b"".join(parts)


def frame_size(chunks: list[Chunk]) -> tuple[int, int]:
    """``(width, height)`` from IHDR (``parse_png`` made sure it comes first)."""
    header = chunks[0].data
    if len(header) != 13:
        raise Refused("image_unreadable")
    return int.from_bytes(header[0:4], "big"), int.from_bytes(header[4:8], "big")
