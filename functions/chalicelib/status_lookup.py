"""The resident's status check: tracking code + status token -> status and history.

    lookup = StatusLookup(storage, clock=now_wib)
    lookup.status("K7QM-2XRD-9F", "ABCD-EFGH-JKMN")

Any wrong, missing or expired token is the same :class:`~chalicelib.errors.NotFound`
(with a dummy comparison when the code is unknown, so timing tells nothing); a
few wrong tokens for one code lock it for a while (:mod:`chalicelib.guessing`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import layout
from .clock import Clock, now_wib, parse_iso
from .errors import NotFound
from .guessing import GuessGuard
from .statuses import INITIAL_STATUS, STATUS_LABELS
from .summaries import format_iso, public_history
from .tracking import hash_token, normalise_tracking_code, token_matches

__all__ = ["StatusLookup", "Authorised", "NOT_FOUND_MESSAGE", "public_status"]

log = logging.getLogger("dukcapil.submissions")

NOT_FOUND_MESSAGE = (
    "Kode pelacakan atau token tidak cocok. Periksa kembali keduanya seperti tertulis "
    "pada tanda terima."
)
_DUMMY_HASH = hash_token("tidak-ada")


@dataclass(frozen=True)
class Authorised:
    """An application its token holder may see: code, record key, record, etag."""

    code: str
    key: str
    record: dict[str, Any]
    etag: str


class StatusLookup:
    """Answer status checks for holders of a valid token."""

    def __init__(self, storage: Any, *, clock: Clock, guard: GuessGuard | None = None,
                 form: Callable[[str], Any] | None = None) -> None:
        self.storage = storage
        self._clock = clock
        self.guard = guard or GuessGuard(storage, clock=clock)
        self._form = form

    def authorise(self, tracking_code: object, token: object) -> Authorised:
        """The code, its record (key, data, etag), for the holder of a valid token.

        Raises
        ------
        NotFound
            Unknown code, missing/wrong/expired token: always the same answer.
        TooManyRequests
            The code is locked after repeated wrong tokens.
        """
        code = normalise_tracking_code(tracking_code)
        loaded = self.storage.get_json(layout.tracking_index_key(code)) if code else None
        entry = loaded[0] if loaded else {}
        stored_hash = entry.get("token_sha256")
        not_found = NotFound(NOT_FOUND_MESSAGE, code="status_not_found")
        if not loaded or not code:
            token_matches(token, _DUMMY_HASH)
            log.info("status refused")
            raise not_found
        self.guard.check(code)
        matches = token_matches(token, stored_hash if isinstance(stored_hash, str) else _DUMMY_HASH)
        if not matches or self._expired(entry.get("token_expires_at")):
            self.guard.failed(code)
            log.info("status refused")
            raise not_found
        record = self.storage.get_json(str(entry["record"]))
        if record is None:
            raise not_found
        self.guard.succeeded(code)
        return Authorised(code, str(entry["record"]), record[0], record[1])

    def status(self, tracking_code: object, token: object) -> dict[str, Any]:
        """Status and history of one application, for the holder of its token."""
        found = self.authorise(tracking_code, token)
        return public_status(found.code, found.record, form=self._form, now=self._clock())

    def _expired(self, moment: object) -> bool:
        try:
            return parse_iso(str(moment)) <= self._clock()
        except ValueError:
            return True


def public_status(code: str, data: Mapping[str, Any], *,
                  form: Callable[[str], Any] | None = None,
                  now: datetime | None = None) -> dict[str, Any]:
    """What the status check shows of a record: never answers, files' contents or staff names.

    With ``form`` (a form lookup) and ``now``: also what to correct, or the result
    (:func:`chalicelib.results.public_extras`).
    """
    from .results import public_extras

    status = str(data.get("status", INITIAL_STATUS))
    token = data.get("status_token") or {}
    definition = None
    if form is not None:
        try:
            definition = form(str(data.get("form_id")))
        except NotFound:
            definition = None
    extras = public_extras(data, definition, now or now_wib())
    return {
        "tracking_code": code,
        "form_id": data.get("form_id"),
        "form_title": data.get("form_title"),
        "received_at": data.get("received_at"),
        "received_at_text": format_iso(data.get("received_at")),
        "status": status,
        "status_label": STATUS_LABELS.get(status, status),
        "history": [public_history(h) for h in data.get("history", [])],
        "status_token_expires_at": token.get("expires_at"),
        **extras,
    }
