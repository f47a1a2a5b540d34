"""What a finished application gives the resident: documents to download, or a card to collect.

    results = Results(storage, lookup, policy, clock=now_wib)
    results.download("K7QM-2XRD-9F", "ABCD-EFGH-JKMN", index=0)   # {url, expires_at, name}

A download link is a presigned GET that works for minutes
(``policy.download_expiry``), handed out only to the holder of the status token,
only while the document is available (``result.available_until``) and never for
a file a malware scan flagged. Each link handed out is recorded in the history
(``event: "unduh"``), so staff see when the resident fetched the document.

:func:`public_extras` is what the status check adds for a correction request or
a result: the questions and attachments to redo, the documents, the place and
day to collect a card. Never the contents of answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .clock import Clock, format_wib, isoformat_wib, parse_iso
from .errors import Conflict
from .record_updates import apply_change
from .status_changes import correction_open
from .statuses import CORRECTION_REQUESTED, FINISHED
from .summaries import human_size

if TYPE_CHECKING:
    from .forms import FormDefinition
    from .policy import Policy
    from .status_lookup import StatusLookup

__all__ = ["Results", "public_extras", "document_available", "DocumentUnavailable"]

log = logging.getLogger("dukcapil.results")



class DocumentUnavailable(Conflict):
    """The document is gone (period over), withheld (malware) or never existed."""

    status = 410
    default_code = "document_unavailable"


class Results:
    """Hand finished documents to the holder of the status token."""

    def __init__(self, storage: Any, lookup: StatusLookup, policy: Callable[[], Policy], *,
                 clock: Clock) -> None:
        self.storage = storage
        self.lookup = lookup
        self._policy = policy
        self._clock = clock

    def download(self, tracking_code: object, token: object, index: object) -> dict[str, Any]:
        """A short-lived link to document ``index`` of a finished application.

        Raises
        ------
        NotFound, TooManyRequests
            As the status check.
        DocumentUnavailable
            Not finished, no such document, the period is over, or a scan flagged it.
        """
        found = self.lookup.authorise(tracking_code, token)
        record = found.record
        now = self._clock()
        document = _document(record, index)
        if not document_available(record, now):
            raise DocumentUnavailable(
                "Masa unduh dokumen ini sudah habis dan berkasnya sudah dihapus. Hubungi kantor "
                "untuk meminta dokumen dikirim ulang.", code="document_expired")
        from .scanning import scan_state

        recorded = document.get("scan") or {}
        if recorded.get("status") == "infected" or scan_state(self.storage,
                                                               str(document["key"])).infected:
            log.warning("download withheld: scan flagged a result document")
            raise DocumentUnavailable(
                "Dokumen ini sedang diperiksa ulang oleh kantor dan belum bisa diunduh. Hubungi "
                "kantor bila perlu segera.", code="document_withheld")
        expiry = self._policy().download_expiry
        url = self.storage.presign_get(str(document["key"]), filename=str(document["name"]),
                                       expires_in=expiry)
        name = str(document["name"])

        def record_download(current: dict[str, Any]) -> dict[str, Any]:
            status = current.get("status")
            current["history"] = [*current.get("history", []), {
                "at": isoformat_wib(self._clock()), "by": "pemohon", "from": status, "to": status,
                "event": "unduh", "note": f"Dokumen “{name}” diunduh.",
            }]
            return current

        apply_change(self.storage, found.key, record_download, first=(record, found.etag))
        log.info("download link form=%s", record.get("form_id"))
        until = now + timedelta(seconds=expiry)
        return {"url": url, "name": name, "expires_at": isoformat_wib(until),
                "expires_text": format_wib(until)}


def _document(record: Mapping[str, Any], index: object) -> Mapping[str, Any]:
    result = record.get("result") if record.get("status") == FINISHED else None
    documents = result.get("documents", []) if isinstance(result, Mapping) else []
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(documents):
        raise DocumentUnavailable("Dokumen ini tidak ada. Muat ulang halaman status.",
                                  code="document_not_found")
    return documents[index]


def document_available(record: Mapping[str, Any], now: datetime) -> bool:
    result = record.get("result")
    if record.get("status") != FINISHED or not isinstance(result, Mapping):
        return False
    try:
        return now <= parse_iso(str(result.get("available_until")))
    except ValueError:
        return False


def public_extras(record: Mapping[str, Any], form: FormDefinition | None,
                  now: datetime) -> dict[str, Any]:
    """The status check's view of a correction request or a result (empty otherwise)."""
    status = record.get("status")
    extras: dict[str, Any] = {}
    correction = record.get("correction")
    if status == CORRECTION_REQUESTED and isinstance(correction, Mapping):
        labels = {f.id: f.label for f in getattr(form, "fields", ())}
        attachment_labels = {a.id: a.label for a in getattr(form, "attachments", ())}
        deadline = correction.get("deadline")
        extras["correction"] = {
            "note": correction.get("note", ""),
            "fields": [{"id": f, "label": labels.get(f, f)} for f in correction.get("fields", [])],
            "attachments": [{"id": a, "label": attachment_labels.get(a, a)}
                            for a in correction.get("attachments", [])],
            "deadline": deadline,
            "deadline_text": _text(deadline),
            "open": correction_open(record, now),
        }
    result = record.get("result")
    if status == FINISHED and isinstance(result, Mapping):
        if result.get("kind") == "card":
            place = dict(result.get("collection") or {})
            place["from_text"] = _day_text(place.get("from"))
            extras["result"] = {"kind": "card", "collection": place}
        else:
            available = document_available(record, now)
            extras["result"] = {
                "kind": "document",
                "available": available,
                "available_until": result.get("available_until"),
                "available_until_text": _text(result.get("available_until")),
                "documents": [{"index": i, "name": d.get("name"),
                               "size_text": human_size(int(d.get("size", 0)))}
                              for i, d in enumerate(result.get("documents", []))] if available else [],
            }
    return extras


def _text(moment: object) -> str | None:
    try:
        return format_wib(parse_iso(str(moment)))
    except ValueError:
        return None


def _day_text(day: object) -> str | None:
    try:
        text = format_wib(parse_iso(f"{day}T00:00:00+07:00"))
    except ValueError:
        return None
    return text.split(" pukul ")[0]
