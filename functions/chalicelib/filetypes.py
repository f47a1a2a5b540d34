"""What a file really is, by its first bytes (never by its name or declared type).

    from chalicelib.filetypes import sniff, HEAD_BYTES
    sniff(storage.read_range(key, HEAD_BYTES))  # "application/pdf", "image/jpeg", "image/png"
                                                # or None for anything else

Only the three types the forms accept are recognised:

* PDF starts with ``%PDF-`` (ISO 32000-1 §7.5.2). Readers tolerate junk before
  the header; we do not, so a polyglot cannot pass as a PDF.
* JPEG starts with the SOI marker ``FF D8`` followed by another marker ``FF``.
* PNG starts with its 8-byte signature ``89 50 4E 47 0D 0A 1A 0A``.
"""

from __future__ import annotations

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
HEAD_BYTES = 8  # enough for every signature below

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
)


def sniff(head: bytes) -> str | None:
    """Return the MIME type whose signature ``head`` starts with, else ``None``.

    Parameters
    ----------
    head
        The first bytes of the file (at least `HEAD_BYTES` to recognise a PNG;
        more is fine).

    Example
    -------
    >>> sniff(b"%PDF-1.7\\n..."), sniff(b"GIF89a")
    ('application/pdf', None)
    """
    if not isinstance(head, bytes | bytearray | memoryview):
        return None
    data = bytes(head[:HEAD_BYTES])
    for signature, mime in _SIGNATURES:
        if data.startswith(signature):
            return mime
    return None
