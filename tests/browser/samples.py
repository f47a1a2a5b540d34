"""Small but real documents made in the test: a PDF, a JPEG and a PNG.

Each carries its label inside, so every file of a submission has different
bytes and can be matched byte for byte in storage. Chromium decodes the images
(tests/browser/test_applying_online.py checks it), and the server's magic-byte check
(chalicelib/filetypes.py) recognises all three.
"""

from __future__ import annotations

import struct
import zlib

from hostile_pdfs import text_pdf

MIME = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}


def make_pdf(label: str) -> bytes:
    """A one-page PDF with ``label`` as its text (the hostile corpus's good PDF)."""
    return text_pdf(label.replace("\\", "").replace("(", "").replace(")", ""))


def make_png(label: str, size: tuple[int, int] = (16, 16)) -> bytes:
    """An RGB PNG of one colour derived from the label, with the label in a tEXt chunk."""
    width, height = size
    seed = zlib.crc32(label.encode("utf-8"))
    pixel = bytes([seed & 0xFF, (seed >> 8) & 0xFF, (seed >> 16) & 0xFF])
    raw = b"".join(b"\x00" + pixel * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"tEXt", b"Comment\x00" + label.encode("latin-1", "replace"))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def make_jpeg(label: str, blocks: tuple[int, int] = (2, 2)) -> bytes:
    """A baseline greyscale JPEG of flat mid-grey 8x8 blocks, the label in a COM segment.

    Every block's DC difference is 0 and it has no AC coefficients, so one-symbol
    Huffman tables (code ``0``) encode each block in two bits.
    """
    columns, rows = blocks

    def segment(marker: int, body: bytes) -> bytes:
        return b"\xff" + bytes([marker]) + struct.pack(">H", len(body) + 2) + body

    one_symbol = b"\x01" + b"\x00" * 15 + b"\x00"  # one code of length 1, for symbol 0
    bits = "00" * (columns * rows)
    bits += "1" * (-len(bits) % 8)
    scan = bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits), 8))
    return (
        b"\xff\xd8"
        + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(0xFE, label.encode("latin-1", "replace"))
        + segment(0xDB, b"\x00" + b"\x01" * 64)
        + segment(0xC0, struct.pack(">BHHB", 8, rows * 8, columns * 8, 1) + b"\x01\x11\x00")
        + segment(0xC4, b"\x00" + one_symbol)
        + segment(0xC4, b"\x10" + one_symbol)
        + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + scan
        + b"\xff\xd9"
    )


MAKERS = {"pdf": make_pdf, "jpg": make_jpeg, "png": make_png}


def sample(kind: str, label: str) -> dict:
    """A Playwright file payload: ``{"name", "mimeType", "buffer"}``."""
    return {"name": f"{label}.{kind}", "mimeType": MIME[kind], "buffer": MAKERS[kind](label)}
