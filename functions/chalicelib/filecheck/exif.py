"""EXIF (a TIFF structure) as JPEG's APP1 and PNG's eXIf carry it: location and orientation.

Read and written with Pillow's ``Image.Exif``. ``tiff`` is the TIFF structure itself
(``MM\\0*`` or ``II*\\0``...), without JPEG's ``Exif\\0\\0`` prefix.
"""

from __future__ import annotations

from typing import Any

GPS_IFD = 0x8825  # GPSInfo: the pointer to the GPS IFD
ORIENTATION = 0x0112


def _load(tiff: bytes) -> Any:
    from PIL import Image

    exif = Image.Exif()
    exif.load(b"Exif\x00\x00" + tiff)
    return exif


def exif_has_location(tiff: bytes) -> bool:
    """True when the EXIF has a GPS IFD, or cannot be read (then we cannot tell: strip it)."""
    try:
        return GPS_IFD in _load(tiff)
    except Exception:  # malformed EXIF: Pillow raises struct.error, ValueError, ...
        return True


def exif_orientation(tiff: bytes) -> int | None:
    """The EXIF orientation (1..8), or ``None`` when absent or unreadable."""
    try:
        value = _load(tiff).get(ORIENTATION)
    except Exception:
        return None
    return value if isinstance(value, int) and 1 <= value <= 8 else None


def orientation_exif(orientation: int) -> bytes:
    """A JPEG APP1 payload (``Exif\\0\\0`` + TIFF) holding only the orientation tag."""
    from PIL import Image

    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    return exif.tobytes()
