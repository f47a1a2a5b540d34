"""The pending submission between ``create`` and ``complete``: who owns it, how long it lives.

A submission's id is derived from the browser's idempotency key, so the pending
record is also the idempotency claim (one conditional write per create), and
whoever calls ``complete`` must present the key itself — the id alone, which
reaches logs, unlocks nothing::

    submission_id = submission_id_for(key)       # sha256, first 32 hex digits
    owns(submission_id, key)                     # True for the same browser only

Time limits live in :class:`Settings`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import layout
from .clock import parse_iso
from .errors import NotFound
from .payloads import is_submission_id

if TYPE_CHECKING:
    from .storage import Storage

__all__ = ["Settings", "submission_id_for", "owns", "is_fresh", "load_pending", "missing"]


@dataclass(frozen=True)
class Settings:
    """Time limits of the flow.

    Attributes
    ----------
    upload_expiry:
        Lifetime of each presigned POST (seconds).
    pending_ttl:
        How long an uncompleted submission can still be completed; the storage
        lifecycle rule for ``pending/`` should be at least this long.
    idempotency_ttl:
        How long an idempotency key returns the same submission (shorter than
        ``pending_ttl``, so a replay never meets an expired pending record).
    token_ttl:
        How long the status token on the receipt works.
    """

    upload_expiry: int = 15 * 60
    pending_ttl: timedelta = timedelta(days=2)
    idempotency_ttl: timedelta = timedelta(days=1)
    token_ttl: timedelta = timedelta(days=180)


def submission_id_for(idempotency_key: str) -> str:
    """The submission id that belongs to an idempotency key (32 hex digits)."""
    return hashlib.sha256(b"submission\0" + idempotency_key.encode("utf-8")).hexdigest()[:32]


def owns(submission_id: object, idempotency_key: object) -> bool:
    """Whether ``idempotency_key`` is the key the submission was created with."""
    if not isinstance(submission_id, str) or not isinstance(idempotency_key, str):
        return False
    return hmac.compare_digest(submission_id_for(idempotency_key), submission_id)


def is_fresh(data: Mapping[str, Any], ttl: timedelta, now: datetime) -> bool:
    """Whether ``data["created_at"]`` is less than ``ttl`` before ``now``."""
    try:
        created = parse_iso(str(data["created_at"]))
    except (KeyError, ValueError):
        return False
    return now - created < ttl


def missing() -> NotFound:
    """The one answer for an unknown, expired or not-owned submission."""
    return NotFound(
        "Pengajuan tidak ditemukan atau sudah kedaluwarsa. Kirim ulang formulir.",
        code="submission_not_found",
    )


def load_pending(storage: Storage, submission_id: str, *, ttl: timedelta,
                 now: datetime) -> tuple[dict[str, Any], str]:
    """The pending record and its etag, or :func:`missing` if absent or expired."""
    if not is_submission_id(submission_id):
        raise missing()
    loaded = storage.get_json(layout.pending_record_key(submission_id))
    if loaded is None or not is_fresh(loaded[0], ttl, now):
        raise missing()
    return loaded
