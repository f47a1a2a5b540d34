"""Read request bodies into typed requests, refusing malformed shapes.

This is the edge check for the JSON the browser sends: types and sizes of the
envelope (form id, idempotency key, the declared files). The resident's answers
themselves are checked by the form definition (:mod:`chalicelib.forms`).
Anything malformed raises :class:`~chalicelib.errors.BadRequest` with per-field
entries, never a ``TypeError`` that would become a 500.

Example::

    >>> request = parse_create_request({
    ...     "form_id": "ktp-el-baru", "idempotency_key": "2b1f0c4e-...",
    ...     "values": {"nik": "3322..."},
    ...     "files": [{"attachment": "kk", "name": "kk.jpg", "size": 81234, "type": "image/jpeg"}],
    ... })
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .errors import BadRequest, PayloadTooLarge, field_error

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_FILES",
    "FileDeclaration",
    "CreateRequest",
    "StatusRequest",
    "CorrectionRequest",
    "DocumentRequest",
    "parse_json_body",
    "parse_create_request",
    "parse_complete_request",
    "parse_status_request",
    "parse_correction_request",
    "parse_document_request",
    "is_submission_id",
]

MAX_BODY_BYTES = 64 * 1024
"""Largest JSON body accepted; files never travel through the API."""

MAX_FILES = 30
"""Most files one submission may declare (the forms allow far fewer)."""

MAX_FIELD_COUNT = 200
MAX_TYPE_CHARS = 100
MAX_CONFIRMATIONS = 50

_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_.:-]{16,128}", re.ASCII)
"""At least 16 characters: the key is the resident's proof at ``complete`` and the seed of
the status token (browsers send 32 random hex digits)."""
_SUBMISSION_ID = re.compile(r"[0-9a-f]{32}", re.ASCII)

_MSG_BAD_SHAPE = "Permintaan tidak dapat dibaca. Muat ulang halaman lalu coba lagi."


@dataclass(frozen=True)
class FileDeclaration:
    """A file the browser says it will upload."""

    attachment: str
    name: str
    size: int
    type: str


@dataclass(frozen=True)
class CreateRequest:
    """The body of ``POST /submissions``."""

    form_id: str
    idempotency_key: str
    values: dict[str, Any]
    files: tuple[FileDeclaration, ...]
    confirmed_warnings: tuple[str, ...]


@dataclass(frozen=True)
class StatusRequest:
    """The body of ``POST /status``: a tracking code and its secret token."""

    tracking_code: str
    token: str


@dataclass(frozen=True)
class CorrectionRequest:
    """The body of ``POST /corrections``: the status credential plus the corrected answers."""

    tracking_code: str
    token: str
    idempotency_key: str
    values: dict[str, Any]
    files: tuple[FileDeclaration, ...]
    confirmed_warnings: tuple[str, ...]


@dataclass(frozen=True)
class DocumentRequest:
    """The body of ``POST /documents``: the status credential and which document."""

    tracking_code: str
    token: str
    index: int


def is_submission_id(value: object) -> bool:
    """True if ``value`` has the shape of a submission id (32 lowercase hex digits)."""
    return isinstance(value, str) and _SUBMISSION_ID.fullmatch(value) is not None


def parse_json_body(raw: bytes | str | None, *, limit: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """Decode a JSON object body, enforcing the size limit first.

    Raises
    ------
    PayloadTooLarge
        The body is longer than ``limit`` bytes.
    BadRequest
        The body is empty, not UTF-8 JSON, or not a JSON object.
    """
    if raw is None:
        raw = b""
    data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    if len(data) > limit:
        raise PayloadTooLarge(
            f"Permintaan terlalu besar (lebih dari {limit // 1024} KB). Berkas tidak dikirim "
            "lewat formulir ini; kurangi panjang isian lalu coba lagi.",
            code="body_too_large",
        )
    if not data.strip():
        raise BadRequest(
            "Permintaan kosong. Isi formulir lalu kirim lagi.", code="body_empty"
        )
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest(
            "Permintaan bukan JSON yang sah. Muat ulang halaman lalu coba lagi.",
            code="body_not_json",
        ) from None
    if not isinstance(body, dict):
        raise BadRequest(
            "Permintaan harus berupa objek JSON. Muat ulang halaman lalu coba lagi.",
            code="body_not_object",
        )
    return body


def _bad(field: str, code: str, message: str) -> BadRequest:
    return BadRequest(_MSG_BAD_SHAPE, code="bad_shape", errors=[field_error(field, code, message)])


def _parse_file(index: int, item: object) -> FileDeclaration:
    field = f"files[{index}]"
    if not isinstance(item, dict):
        raise _bad(field, "file_not_object", "Keterangan berkas harus berupa objek.")
    attachment, name, size, mime = (item.get(k) for k in ("attachment", "name", "size", "type"))
    if not isinstance(attachment, str) or not attachment:
        raise _bad(
            f"{field}.attachment", "file_attachment_missing", "Jenis lampiran tidak disebut."
        )
    if not isinstance(name, str):
        raise _bad(f"{field}.name", "file_name_missing", "Nama berkas tidak disebut.")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise _bad(f"{field}.size", "file_size_invalid", "Ukuran berkas harus bilangan bulat.")
    if not isinstance(mime, str) or len(mime) > MAX_TYPE_CHARS:
        raise _bad(f"{field}.type", "file_type_missing", "Jenis berkas tidak disebut.")
    if len(attachment) > 100 or len(name) > 1000:
        raise _bad(field, "file_text_too_long", "Keterangan berkas terlalu panjang.")
    return FileDeclaration(attachment=attachment, name=name, size=size, type=mime.strip().lower())


def parse_create_request(body: dict[str, Any]) -> CreateRequest:
    """Check the envelope of a create request and return it typed.

    Raises
    ------
    BadRequest
        A required key is missing or has the wrong type; ``errors`` names it.
    """
    form_id = body.get("form_id")
    if not isinstance(form_id, str) or not form_id:
        raise _bad("form_id", "form_id_missing", "Formulir tidak disebut.")
    key = body.get("idempotency_key")
    if not isinstance(key, str) or not _IDEMPOTENCY_KEY.fullmatch(key):
        raise _bad(
            "idempotency_key",
            "idempotency_key_invalid",
            "Kunci pengiriman (idempotency_key) harus 16-128 huruf, angka, '-', '_', '.' atau ':'.",
        )
    values = body.get("values", {})
    if not isinstance(values, dict) or len(values) > MAX_FIELD_COUNT:
        raise _bad("values", "values_not_object", "Isian formulir harus berupa objek.")
    files_raw = body.get("files", [])
    if not isinstance(files_raw, list):
        raise _bad("files", "files_not_list", "Daftar berkas harus berupa larik.")
    if len(files_raw) > MAX_FILES:
        raise _bad("files", "files_too_many", f"Paling banyak {MAX_FILES} berkas per pengajuan.")
    files = tuple(_parse_file(i, item) for i, item in enumerate(files_raw))
    confirmed = body.get("confirmed_warnings", [])
    if (
        not isinstance(confirmed, list)
        or len(confirmed) > MAX_CONFIRMATIONS
        or not all(isinstance(c, str) and len(c) <= 200 for c in confirmed)
    ):
        raise _bad(
            "confirmed_warnings",
            "confirmed_warnings_invalid",
            "Daftar peringatan yang dikonfirmasi harus berupa larik teks.",
        )
    return CreateRequest(
        form_id=form_id,
        idempotency_key=key,
        values=values,
        files=files,
        confirmed_warnings=tuple(dict.fromkeys(confirmed)),
    )


def parse_complete_request(body: dict[str, Any]) -> str:
    """The idempotency key a ``complete`` presents (empty if missing: then nothing matches)."""
    key = body.get("idempotency_key")
    return key if isinstance(key, str) and _IDEMPOTENCY_KEY.fullmatch(key) else ""


def parse_status_request(body: dict[str, Any]) -> StatusRequest:
    """Read the tracking code and token of a status request (both may be empty strings)."""
    code = body.get("tracking_code", body.get("code"))
    token = body.get("token")
    return StatusRequest(
        tracking_code=code if isinstance(code, str) else "",
        token=token if isinstance(token, str) else "",
    )


def parse_correction_request(body: dict[str, Any]) -> CorrectionRequest:
    """Read a correction: the same envelope as a create, with the code and token instead of a form."""
    create = parse_create_request({**body, "form_id": "perbaikan"})
    status = parse_status_request(body)
    return CorrectionRequest(status.tracking_code, status.token, create.idempotency_key,
                             create.values, create.files, create.confirmed_warnings)


def parse_document_request(body: dict[str, Any]) -> DocumentRequest:
    """Read a download request; a missing or odd ``index`` becomes -1 (no such document)."""
    status = parse_status_request(body)
    index = body.get("index", 0)
    valid = isinstance(index, int) and not isinstance(index, bool) and 0 <= index < 100
    return DocumentRequest(status.tracking_code, status.token, index if valid else -1)
