"""Change an application record without losing a concurrent change: read, change, write If-Match.

    record, attempts = apply_change(storage, record_key, change)

``change(record)`` returns the new record (or raises to refuse); the write is
conditional on the etag read, and a lost race re-reads and re-applies, a few
times with jittered back-off. Staff status changes, residents' corrections and
recorded downloads all go through here, so every history entry survives and each
entry's ``from`` is the status the previous one set.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .storage import Storage

__all__ = ["apply_change", "ConcurrentChange", "MAX_ATTEMPTS"]

log = logging.getLogger("dukcapil.records")

MAX_ATTEMPTS = 8

Record = dict[str, Any]


class ConcurrentChange(Exception):
    """Every attempt met a newer version of the record."""

    def __init__(self, message: str = "permohonan ini sedang diubah oleh orang lain terus-menerus; "
                                      "tunggu sebentar lalu coba lagi", *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or "concurrent_change"


def apply_change(storage: Storage, key: str, change: Callable[[Record], Record], *,
                 max_attempts: int = MAX_ATTEMPTS,
                 sleep: Callable[[float], None] = time.sleep,
                 first: tuple[Record, str] | None = None) -> tuple[Record, int]:
    """Apply ``change`` to the record at ``key``; return the record written and the attempts.

    ``first``: the record and etag the caller has just read (saves the first read).

    Raises
    ------
    LookupError
        The record does not exist.
    ConcurrentChange
        ``max_attempts`` writes in a row met a newer version.
    Exception
        Whatever ``change`` raises (nothing is written).
    """
    from .retention import tags_for
    from .storage import PreconditionFailed

    for attempt in range(1, max(1, max_attempts) + 1):
        loaded = first if attempt == 1 and first is not None else storage.get_json(key)
        if loaded is None:
            raise LookupError(key)
        record, etag = loaded
        updated = change(dict(record))
        try:
            storage.put_json(key, updated, if_match=etag, tags=tags_for(updated))
        except PreconditionFailed:
            log.info("record change conflict attempt=%d", attempt)
            sleep(random.uniform(0, min(0.5, 0.01 * 2**attempt)))
            continue
        return updated, attempt
    raise ConcurrentChange()
