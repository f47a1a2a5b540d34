"""JPEG structure: where the image really ends, what follows it, and its location metadata.

    stream = parse_jpeg(data)                  # raises Refused("image_unreadable")
    tail = split_tail(data, stream)            # MPF images after EOI, or Refused("file_trailing_data")
    if has_location(data, [stream, *tail.images]):
        data = strip_metadata(data, stream)    # same entropy-coded data: the same pixels

The walk follows ITU-T T.81 (B.1.1.2): after SOI every marker ``FF xx`` is either standalone
(RSTn, TEM) or followed by a 2-byte length; after SOS the entropy-coded data runs to the next
``FF`` that is not a stuffed ``FF 00`` or a restart marker. The image ends at EOI.

What may follow EOI (everything else is refused):

* **Uniform padding**, every byte ``00`` (or every byte ``FF``): some phone camera pipelines
  write their whole buffer, leaving zeros after EOI. A run of one repeated byte carries no
  information, so it can hide nothing; it is stored as it came.
* **The further images of a Multi-Picture file** (CIPA DC-007 "MPF", announced by an APP2
  ``MPF`` segment in the first image): Android's Ultra HDR and iPhone photos put a gain map
  there, cameras a preview or depth map. Each must itself be a complete JPEG (the caller
  decodes it too). Refusing them would refuse most photos from recent phones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import Refused

SOI, EOI, SOS = 0xD8, 0xD9, 0xDA
APP0, APP1, APP2, APP13, APP14, COM = 0xE0, 0xE1, 0xE2, 0xED, 0xEE, 0xFE
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM, RST0..RST7
MAX_SEGMENTS = 10_000  # a photo has a few dozen; a progressive one a few hundred
MAX_TAIL_IMAGES = 8  # MPF: a gain map, a preview, a depth map...

EXIF_HEADER = b"Exif\x00\x00"
XMP_HEADERS = (b"http://ns.adobe.com/xap/1.0/\x00", b"http://ns.adobe.com/xmp/extension/\x00")
ICC_HEADER = b"ICC_PROFILE\x00"
MPF_HEADER = b"MPF\x00"
ADOBE_HEADER = b"Adobe"

# XMP properties that say where a photo was taken (exif:GPS*, IPTC Extension locations,
# Photoshop's City/State/Country).
XMP_LOCATION = re.compile(
    rb"GPS(?:Latitude|Longitude|Altitude|Position|Coordinates|DestLatitude|DestLongitude)"
    rb"|Location(?:Created|Shown)|photoshop:(?:City|State|Country)|Iptc4xmpCore:Location"
)
# IPTC IIM datasets (record 2) naming a place: 2:26/27 location code/name, 2:90 city,
# 2:92 sub-location, 2:95 province/state, 2:100/101 country code/name.
_IPTC_LOCATION = re.compile(rb"\x1c\x02[\x1a\x1b\x5a\x5c\x5f\x64\x65]")


@dataclass(frozen=True)
class Segment:
    """One marker segment: ``data[start:end]`` (for SOS, its entropy-coded data too)."""

    marker: int
    start: int
    header_end: int  # end of the length-counted part
    end: int

    def payload(self, data: bytes) -> bytes:
        return data[self.start + 4 : self.header_end]


@dataclass(frozen=True)
class JpegStream:
    """A JPEG from its SOI at ``start`` to just after its EOI at ``end``."""

    start: int
    end: int
    segments: tuple[Segment, ...]

    def app(self, data: bytes, marker: int, header: bytes) -> list[bytes]:
        """The payloads of this stream's ``marker`` segments that start with ``header``."""
        return [
            payload
            for segment in self.segments
            if segment.marker == marker and (payload := segment.payload(data)).startswith(header)
        ]


@dataclass(frozen=True)
class Tail:
    """What follows the first image: the MPF images, and whether anything was there."""

    images: tuple[JpegStream, ...] = field(default_factory=tuple)
    present: bool = False


def parse_jpeg(data: bytes, start: int = 0) -> JpegStream:
    """Walk the markers from the SOI at ``start`` to EOI.

    Raises
    ------
    Refused
        ``image_unreadable`` when a marker is missing, a length runs past the end, or the
        data stops before EOI; ``file_too_complex`` past ``MAX_SEGMENTS`` segments.
    """
    size = len(data)
    if data[start : start + 2] != b"\xff\xd8":
        raise Refused("image_unreadable")
    pos = start + 2
    segments: list[Segment] = []
    while True:
        if pos >= size or data[pos] != 0xFF:
            raise Refused("image_unreadable")
        while pos + 1 < size and data[pos + 1] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos + 1 >= size:
            raise Refused("image_unreadable")
        marker = data[pos + 1]
        if marker == EOI:
            return JpegStream(start, pos + 2, tuple(segments))
        if marker in _STANDALONE:
            pos += 2
            continue
        if marker in (SOI, 0x00) or pos + 4 > size:
            raise Refused("image_unreadable")
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        header_end = pos + 2 + length
        if length < 2 or header_end > size:
            raise Refused("image_unreadable")
        end = _entropy_end(data, header_end) if marker == SOS else header_end
        segments.append(Segment(marker, pos, header_end, end))
        if len(segments) > MAX_SEGMENTS:
            raise Refused("file_too_complex")
        pos = end


def _entropy_end(data: bytes, pos: int) -> int:
    """Where the entropy-coded data starting at ``pos`` ends: at the next real marker."""
    while True:
        found = data.find(b"\xff", pos)
        if found < 0 or found + 1 >= len(data):
            raise Refused("image_unreadable")  # the scan runs off the end: truncated
        following = data[found + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:  # stuffed byte, restart marker
            pos = found + 2
            continue
        return found


def split_tail(data: bytes, first: JpegStream) -> Tail:
    """Check what follows the first image's EOI (see the module docstring).

    Raises
    ------
    Refused
        ``file_trailing_data`` for anything but uniform padding and, in an MPF file,
        complete JPEG images (themselves followed by padding at most).
    """
    pos = first.end
    if pos == len(data):
        return Tail()
    multi_picture = bool(first.app(data, APP2, MPF_HEADER))
    images: list[JpegStream] = []
    while pos < len(data):
        if _uniform(data, pos):
            break
        if not multi_picture or len(images) >= MAX_TAIL_IMAGES:
            raise Refused("file_trailing_data")
        pos = _skip_padding(data, pos)
        try:
            image = parse_jpeg(data, pos)
        except Refused:
            raise Refused("file_trailing_data") from None
        images.append(image)
        pos = image.end
    return Tail(tuple(images), present=True)


def _uniform(data: bytes, pos: int) -> bool:
    tail = data[pos:]
    return bool(tail) and tail.count(tail[:1]) == len(tail) and tail[:1] in (b"\x00", b"\xff")


def _skip_padding(data: bytes, pos: int) -> int:
    """Skip ``00`` bytes some writers leave between MPF images."""
    while pos < len(data) and data[pos] == 0x00:
        pos += 1
    return pos


# --------------------------------------------------------------------------- metadata


def has_location(data: bytes, streams: list[JpegStream]) -> bool:
    """Whether any stream carries where the photo was taken (EXIF GPS, XMP, IPTC)."""
    from .exif import exif_has_location

    for stream in streams:
        for payload in stream.app(data, APP1, EXIF_HEADER):
            if exif_has_location(payload[len(EXIF_HEADER) :]):
                return True
        for header in XMP_HEADERS:
            if any(XMP_LOCATION.search(payload) for payload in stream.app(data, APP1, header)):
                return True
        if any(_IPTC_LOCATION.search(payload) for payload in stream.app(data, APP13, b"")):
            return True
    return False


def strip_metadata(data: bytes, stream: JpegStream) -> bytes:
    """The first image without its metadata, its pixels untouched.

    Kept: every segment needed to decode and show the image (tables, frame, scans),
    APP0 (JFIF), APP2 ICC profiles (colours), APP14 Adobe (colour transform of CMYK
    and YCCK images), and the EXIF orientation (a new EXIF segment holding that tag
    only). Removed: the rest of EXIF (GPS, camera serial, times, thumbnail), XMP,
    APP13 Photoshop/IPTC, the MPF index and the images after EOI, other APPn and
    comments. The entropy-coded data is copied byte for byte, so the decoded pixels
    are identical.
    """
    from .exif import orientation_exif

    orientation = next(
        (found for payload in stream.app(data, APP1, EXIF_HEADER)
         if (found := _orientation(payload[len(EXIF_HEADER) :])) not in (None, 1)),
        None,
    )
    parts = [b"\xff\xd8"]
    exif_written = orientation is None
    for segment in stream.segments:
        payload = segment.payload(data)
        keep = (
            segment.marker == APP0
            or (segment.marker == APP2 and payload.startswith(ICC_HEADER))
            or (segment.marker == APP14 and payload.startswith(ADOBE_HEADER))
            or not (0xE0 <= segment.marker <= 0xEF or segment.marker == COM)
        )
        if not exif_written and segment.marker != APP0:
            parts.append(_app1(orientation_exif(orientation)))  # after JFIF, before the rest
            exif_written = True
        if keep:
            parts.append(data[segment.start : segment.end])
    parts.append(b"\xff\xd9")
    return b"".join(parts)


def _orientation(tiff: bytes) -> int | None:
    from .exif import exif_orientation

    return exif_orientation(tiff)


def _app1(payload: bytes) -> bytes:
    return b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload


def frame_size(data: bytes, stream: JpegStream) -> tuple[int, int]:
    """``(width, height)`` from the stream's SOFn segment (T.81 B.2.2).

    Raises
    ------
    Refused
        ``image_unreadable`` when there is no frame header before the first scan.
    """
    for segment in stream.segments:
        if segment.marker == SOS:
            break
        if 0xC0 <= segment.marker <= 0xCF and segment.marker not in (0xC4, 0xC8, 0xCC):
            header = segment.payload(data)
            if len(header) >= 5:
                return int.from_bytes(header[3:5], "big"), int.from_bytes(header[1:3], "big")
    raise Refused("image_unreadable")
