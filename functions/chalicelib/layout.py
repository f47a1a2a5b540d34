"""Where submissions live in storage: one documented key layout for both backends.

A person browsing the bucket (or the local folder) finds applications by day
received (WIB) and form, then by tracking code::

    pending/<submission-id>/submission.json          answers + declared files, until complete
    pending/<submission-id>/uploads/<nn>-<attachment>.<ext>
                                                     where the browser's presigned POSTs land
    pending/<submission-id>/checked/<attempt>/<nn>-<attachment>.<ext>
                                                     the bytes that passed the checks (server-written)
    pending/<submission-id>/receipt.json             the claim: tracking code, token digest, receipt
    applications/<YYYY-MM-DD>/<form-id>/<TRACKING-CODE>/record.json
    applications/<YYYY-MM-DD>/<form-id>/<TRACKING-CODE>/files/<nn>-<attachment>.<ext>
    index/tracking/<TRACKING-CODE>.json              code -> record key + status-token digest
    index/attempts/<TRACKING-CODE>.json              wrong status tokens lately (lockout)
    quota/<YYYY-MM-DD>/<HHMM>-<shard>.json           submissions counted per window (chalicelib.quota)
    audit/<YYYY-MM-DD>/<HHMMSS>-<random>.json        one staff access record (chalicelib.access_log)

Everything under ``pending/`` is temporary: a storage lifecycle rule (S3) or
:meth:`chalicelib.submissions.SubmissionService.purge_expired` (local folder)
removes it after two days. ``applications/`` and ``index/tracking/`` are kept until
the retention period after closing (:mod:`chalicelib.retention`, ``portal purge``).

Example::

    >>> record_key("2020-09-28", "ktp-el-baru", "K7QM-2XRD-9F")
    'applications/2020-09-28/ktp-el-baru/K7QM-2XRD-9F/record.json'
"""

from __future__ import annotations

import hashlib
import re

__all__ = [
    "PENDING_PREFIX",
    "APPLICATIONS_PREFIX",
    "TRACKING_PREFIX",
    "IDEMPOTENCY_PREFIX",
    "ATTEMPTS_PREFIX",
    "checked_file_key",
    "attempts_key",
    "extension_for",
    "pending_record_key",
    "pending_receipt_key",
    "pending_upload_key",
    "application_prefix",
    "record_key",
    "final_file_key",
    "tracking_index_key",
    "idempotency_index_key",
]

PENDING_PREFIX = "pending/"
APPLICATIONS_PREFIX = "applications/"
TRACKING_PREFIX = "index/tracking/"
IDEMPOTENCY_PREFIX = "index/idempotency/"
"""Schema 1 only (ids were random then); nothing new is written here."""
ATTEMPTS_PREFIX = "index/attempts/"

_EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "image/heic": "heic",
    "image/tiff": "tif",
}
_UNSAFE = re.compile(r"[^a-z0-9_-]+")


def extension_for(content_type: str) -> str:
    """File extension for a MIME type the forms accept (``bin`` for anything else)."""
    return _EXTENSIONS.get(content_type, "bin")


def _safe(part: str) -> str:
    return _UNSAFE.sub("-", part.lower()).strip("-")[:64] or "x"


def pending_record_key(submission_id: str) -> str:
    """The pending submission's JSON record."""
    return f"{PENDING_PREFIX}{submission_id}/submission.json"


def pending_receipt_key(submission_id: str) -> str:
    """The receipt written when the submission completes (holds the token; expires)."""
    return f"{PENDING_PREFIX}{submission_id}/receipt.json"


def file_name(index: int, attachment: str, content_type: str) -> str:
    """Server-chosen name of a declared file, e.g. ``00-kartu-keluarga.pdf``."""
    return f"{index:02d}-{_safe(attachment)}.{extension_for(content_type)}"


def pending_upload_key(submission_id: str, index: int, attachment: str, content_type: str) -> str:
    """Where the browser uploads declared file number ``index``."""
    return f"{PENDING_PREFIX}{submission_id}/uploads/{file_name(index, attachment, content_type)}"


def checked_file_key(submission_id: str, attempt: str, name: str) -> str:
    """Where ``complete`` keeps the bytes it checked (no upload policy names this key)."""
    return f"{PENDING_PREFIX}{submission_id}/checked/{attempt}/{name}"


def application_prefix(day: str, form_id: str, tracking_code: str) -> str:
    """Folder of one received application (``day`` is ``YYYY-MM-DD`` in WIB)."""
    return f"{APPLICATIONS_PREFIX}{day}/{_safe(form_id)}/{tracking_code}/"


def record_key(day: str, form_id: str, tracking_code: str) -> str:
    """The final record of one application."""
    return application_prefix(day, form_id, tracking_code) + "record.json"


def final_file_key(day: str, form_id: str, tracking_code: str, name: str) -> str:
    """Where a verified file is kept next to its record."""
    return application_prefix(day, form_id, tracking_code) + "files/" + name


def tracking_index_key(tracking_code: str) -> str:
    """The index entry that finds a record (and checks its token) from a tracking code."""
    return f"{TRACKING_PREFIX}{tracking_code}.json"


def attempts_key(tracking_code: str) -> str:
    """Recent wrong status tokens for one tracking code (see :mod:`chalicelib.guessing`)."""
    return f"{ATTEMPTS_PREFIX}{tracking_code}.json"


def idempotency_index_key(idempotency_key: str) -> str:
    """The index entry for a client idempotency key (hashed: the key is client-chosen)."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()
    return f"{IDEMPOTENCY_PREFIX}{digest}.json"
