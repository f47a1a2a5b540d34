"""Deep checks of an uploaded file: what it really is, that it is whole and inert.

    from chalicelib.filecheck import inspect_upload
    inspection = inspect_upload(data, declared_type="image/jpeg",
                                accept=["application/pdf", "image/jpeg"], name="kk.jpg")
    if inspection.problem:                    # (code, Indonesian message naming the file)
        refuse(*inspection.problem)
    store(inspection.data, content_type=inspection.content_type)

First the magic bytes (``chalicelib.filetypes.sniff``: the type must be accepted and be
the one declared), then the structure:

* **PDF** (``pdf.py``): parses with pypdf, not encrypted, 1..50 pages, nothing after the
  last ``%%EOF`` but whitespace, no JavaScript, launch or other active actions, embedded
  files or XFA forms. Stored unchanged.
* **JPEG, PNG** (``jpeg.py``, ``png.py``): the marker/chunk structure is walked to EOI/IEND
  (PNG CRCs checked) and nothing may follow (JPEG: uniform padding and the further
  images of a Multi-Picture file excepted); at most ``MAX_IMAGE_PIXELS`` pixels; Pillow
  decodes every pixel. When the image says where it was taken (EXIF GPS, XMP or IPTC
  location), its metadata is removed without touching the compressed pixel data, keeping
  the EXIF orientation: the stored image shows the same pixels the same way up, without
  the place. Otherwise the bytes are stored unchanged.

Nothing here reads storage or logs file contents. pypdf and Pillow are imported on first
use, so importing this package (and the app) stays cheap.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..filetypes import HEAD_BYTES, JPEG, PDF, PNG, sniff
from .errors import Refused

__all__ = ["MAX_IMAGE_PIXELS", "PROBLEM_CODES", "Inspection", "inspect_upload", "problem_message"]

# Residents' data never reaches the logs, whatever LOG_LEVEL says: Pillow logs EXIF values
# (GPS coordinates included) at DEBUG, and pypdf's warnings can quote a file's contents.
logging.getLogger("PIL").setLevel(logging.INFO)
logging.getLogger("pypdf").setLevel(logging.CRITICAL)

MAX_IMAGE_PIXELS = 40_000_000  # a 40 MP photo decodes to 120 MB (RGB); the Lambda has 512 MB

TYPE_LABELS = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG", "image/webp": "WebP", "image/heic": "HEIC"}

_REDO = "Simpan ulang atau pindai ulang dokumen itu, lalu unggah lagi"
_REPRINT = "Cetak ulang dokumen ke PDF atau pindai ulang, lalu unggah lagi"
_MESSAGES: dict[str, str] = {
    "file_type_invalid": "Isi berkas “{name}” bukan jenis yang diterima ({kinds}). Pilih berkas "
                         "hasil pindaian atau foto yang benar",
    "file_type_mismatch": "Isi berkas “{name}” adalah {sniffed}, bukan {declared} seperti yang "
                          "dipilih. Unggah ulang berkas ini",
    "file_trailing_data": "Berkas “{name}” berisi data lain yang ditempelkan setelah akhir "
                          "{kind}, sehingga tidak bisa diterima. " + _REDO,
    "file_too_complex": "Berkas “{name}” terlalu rumit untuk diperiksa. " + _REDO,
    "pdf_unreadable": "Berkas “{name}” rusak atau bukan PDF yang utuh, sehingga tidak bisa "
                      "dibuka. " + _REDO,
    "pdf_encrypted": "PDF “{name}” dikunci dengan kata sandi atau enkripsi, sehingga petugas "
                     "tidak bisa memeriksanya. Simpan ulang tanpa kata sandi, lalu unggah lagi",
    "pdf_empty": "PDF “{name}” tidak berisi satu halaman pun. Pilih PDF hasil pindaian dokumen "
                 "yang benar",
    "pdf_too_many_pages": "PDF “{name}” berisi {pages} halaman; paling banyak {limit} halaman. "
                          "Unggah hanya halaman dokumen yang diminta",
    "pdf_javascript": "PDF “{name}” berisi skrip (JavaScript), yang tidak diizinkan. " + _REPRINT,
    "pdf_launch": "PDF “{name}” berisi perintah untuk menjalankan program, yang tidak "
                  "diizinkan. " + _REPRINT,
    "pdf_auto_action": "PDF “{name}” berisi aksi yang berjalan sendiri saat dibuka, yang tidak "
                       "diizinkan. " + _REPRINT,
    "pdf_action": "PDF “{name}” berisi tombol atau tautan aktif (misalnya mengirim formulir atau "
                  "membuka berkas lain), yang tidak diizinkan. " + _REPRINT,
    "pdf_embedded_file": "PDF “{name}” berisi berkas lain di dalamnya (lampiran), yang tidak "
                         "diizinkan. Unggah setiap dokumen sebagai berkas tersendiri",
    "pdf_xfa": "PDF “{name}” adalah formulir dinamis (XFA), yang tidak diizinkan. " + _REPRINT,
    "image_unreadable": "Gambar “{name}” rusak atau terpotong, sehingga tidak bisa dibuka. Foto "
                        "atau pindai ulang dokumen itu, lalu unggah lagi",
    "image_too_large": "Gambar “{name}” terlalu besar ukurannya ({megapixels} megapiksel); paling "
                       "besar {limit} megapiksel. Kecilkan resolusinya, lalu unggah lagi",
}
PROBLEM_CODES: tuple[str, ...] = tuple(_MESSAGES)


@dataclass(frozen=True)
class Inspection:
    """What an uploaded file really is, what to store, and what is wrong with it.

    ``content_type`` is the sniffed type (``None`` when unrecognised); ``data`` the bytes
    to store (the input unchanged, or an image with its location metadata removed);
    ``problem`` a ``(code, message)`` pair, or ``None`` when the file is acceptable;
    ``changed`` tells that ``data`` is not what was uploaded (metadata removed).
    """

    content_type: str | None
    data: bytes
    problem: tuple[str, str] | None
    changed: bool = False

    @property
    def ok(self) -> bool:
        return self.problem is None


def inspect_upload(data: bytes, *, declared_type: str, accept: Sequence[str], name: str) -> Inspection:
    """Check one uploaded file completely and return what to store.

    Parameters
    ----------
    data
        The exact bytes that arrived (read once by the caller).
    declared_type
        The MIME type the browser declared (``files[].type``).
    accept
        The attachment's accepted MIME types (empty: any of PDF, JPEG, PNG).
    name
        The resident's file name, quoted in the message.

    Returns
    -------
    Inspection
        ``problem`` is ``None`` when acceptable; ``data`` is what to store.

    Example
    -------
        >>> inspect_upload(b"GIF89a...", declared_type="image/gif", accept=["image/png"],
        ...                name="foto.gif").problem
        ('file_type_invalid', 'Isi berkas “foto.gif” bukan jenis yang diterima (PNG). ...')
    """
    data = bytes(data)
    sniffed = sniff(data[:HEAD_BYTES])
    accepted = tuple(accept)
    if sniffed is None or (accepted and sniffed not in accepted):
        kinds = ", ".join(_label(t) for t in accepted) or "yang diizinkan"
        return _refused(sniffed, data, "file_type_invalid", name=name, kinds=kinds)
    if sniffed != declared_type:
        return _refused(sniffed, data, "file_type_mismatch", name=name, sniffed=_label(sniffed),
                        declared=_label(declared_type))
    try:
        stored = _check(sniffed, data)
    except Refused as refusal:
        kind = "dokumen PDF" if sniffed == PDF else "gambar"
        return _refused(sniffed, data, refusal.code, name=name, kind=kind, **refusal.details)
    return Inspection(sniffed, stored, None, changed=stored is not data)


def problem_message(code: str, **details: Any) -> str:
    """The Indonesian message of a problem code (``details``: ``name`` and the code's fields)."""
    return _MESSAGES[code].format(**details)


def _refused(content_type: str | None, data: bytes, code: str, **details: Any) -> Inspection:
    return Inspection(content_type, data, (code, problem_message(code, **details)))


def _label(content_type: str | None) -> str:
    return TYPE_LABELS.get(content_type or "", content_type or "tidak dikenal")


def _check(sniffed: str, data: bytes) -> bytes:
    if sniffed == PDF:
        from .pdf import check_pdf

        check_pdf(data)
        return data
    from .images import check_image

    return check_image(sniffed, data)
