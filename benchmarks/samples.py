"""Sample files the benchmarks send: real enough to pass the portal's file checks."""

from __future__ import annotations

import io


def scanned_pdf(pages: int = 1, padding: int = 20_000) -> bytes:
    """A valid PDF of A4 pages with a content stream of about ``padding`` bytes (a scan's size)."""
    from pypdf import PdfWriter
    from pypdf.generic import ContentStream, DecodedStreamObject, NameObject

    writer = PdfWriter()
    for _ in range(pages):
        page = writer.add_blank_page(595, 842)
        stream = DecodedStreamObject()
        stream.set_data(b"BT /F1 12 Tf 72 770 Td (KARTU KELUARGA) Tj ET\n" + b"% " + b"0" * padding + b"\n")
        page[NameObject("/Contents")] = writer._add_object(ContentStream(stream, writer))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
