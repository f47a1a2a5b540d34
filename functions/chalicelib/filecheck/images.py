"""Images: walk the structure, decode every pixel with Pillow, remove location metadata.

    stored = check_image("image/jpeg", data)   # raises Refused(code, ...)

The structure walk (``jpeg.py``, ``png.py``) runs first: it finds the real end of the image
and refuses anything appended, cheaply, before any pixel is decoded. Then the size is read
from the header and checked against ``MAX_IMAGE_PIXELS`` (a decompression bomb — a small
file that decodes to gigabytes — stops here), and Pillow decodes the whole image
(``load()``): a truncated or corrupt image fails. Pillow is told which format to expect,
so no other decoder is ever tried on residents' files.
"""

from __future__ import annotations

import io

from ..filetypes import JPEG
from .errors import Refused


def check_image(content_type: str, data: bytes) -> bytes:
    """Return the bytes to store (``data`` itself when unchanged).

    Raises
    ------
    Refused
        ``image_unreadable``, ``image_too_large`` (``megapixels``, ``limit``),
        ``file_trailing_data``, ``file_too_complex``.
    """
    if content_type == JPEG:
        from . import jpeg

        first = jpeg.parse_jpeg(data)
        tail = jpeg.split_tail(data, first)
        for image in (first, *tail.images):  # the further images of a Multi-Picture file
            _decode(data[image.start : image.end], "JPEG", jpeg.frame_size(data, image))
        if jpeg.has_location(data, [first, *tail.images]):
            return jpeg.strip_metadata(data, first)
        return data
    from . import png

    chunks = png.parse_png(data)
    _decode(data, "PNG", png.frame_size(chunks))
    if png.has_location(chunks):
        return png.strip_metadata(chunks)
    return data


def _decode(data: bytes, pillow_format: str, size: tuple[int, int]) -> None:
    """Decode every pixel of one image; ``size`` (from its header) is checked first."""
    from . import MAX_IMAGE_PIXELS

    width, height = size
    if width * height > MAX_IMAGE_PIXELS:
        raise Refused("image_too_large", megapixels=_megapixels(width * height),
                      limit=_megapixels(MAX_IMAGE_PIXELS))
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data), formats=(pillow_format,)) as image:
            if image.size != size:
                raise Refused("image_unreadable")
            image.load()
    except Refused:
        raise
    except Exception:  # OSError (truncated), SyntaxError, ValueError, struct.error, bombs...
        raise Refused("image_unreadable") from None


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.1f}".replace(".", ",").removesuffix(",0")
