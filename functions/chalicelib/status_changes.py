"""What each staff status change needs and does: the lifecycle's rules in one place.

    changes = StatusChanges(storage, policy, clock=now_wib, check=check_file)
    change = changes.prepare(record, form, StatusRequest("perlu_perbaikan", note=..., by=...,
                                                         fields=("nik",), attachments=("kk",)))
    apply_change(storage, record_key, change)     # chalicelib.record_updates

``prepare`` checks everything first (statuses, note, the ids of the questions and
attachments to redo, each finished document's bytes) and stores finished
documents, then returns the change to apply to the record. The change appends one
history entry ``{at, by, from, to, note, ...}`` and never overwrites earlier
answers, files or entries.

| status            | needs                                                    |
|-------------------|----------------------------------------------------------|
| perlu_perbaikan   | note; at least one question or attachment id to redo     |
| selesai, document | one or more PDFs (checked like uploads, size from policy)|
| selesai, card     | the office to collect at and the first day               |
| ditolak           | note                                                     |
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from .clock import WIB, Clock, isoformat_wib
from .statuses import CORRECTED, CORRECTION_REQUESTED, FINISHED, STAFF_STATUSES, STATUS_LABELS

if TYPE_CHECKING:
    from .forms import FormDefinition
    from .policy import Policy
    from .receiving import FileChecker
    from .storage import Storage

__all__ = ["StatusRequest", "ResultFile", "StatusChanges", "StatusRefused", "results_key"]

_SAFE = re.compile(r"[^a-z0-9_-]+")
RESULT_TAG, RESULT_TAG_VALUE = "portal-kind", "hasil"
"""Finished documents carry this tag: a lifecycle rule removes them after their download period."""


class StatusRefused(ValueError):
    """The request cannot be applied; ``message`` (Indonesian) says why, ``code`` what."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class ResultFile:
    """A finished document staff attach: its name as the resident will save it, and bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class StatusRequest:
    """One staff status change, with what the new status needs."""

    status: str
    note: str
    by: str
    fields: tuple[str, ...] = ()
    attachments: tuple[str, ...] = ()
    documents: tuple[ResultFile, ...] = ()
    collect_at: str | None = None
    collect_from: date | None = None
    bring: tuple[str, ...] = ()


Change = Callable[[dict[str, Any]], dict[str, Any]]


def results_key(record_key: str, name: str) -> str:
    """Where a finished document is kept, beside the application's record."""
    return record_key.rsplit("/", 1)[0] + "/results/" + name


class StatusChanges:
    """Check and prepare staff status changes for one storage backend and office policy."""

    def __init__(self, storage: Storage, policy: Policy, *, clock: Clock,
                 check: FileChecker | None = None) -> None:
        self.storage = storage
        self.policy = policy
        self._clock = clock
        if check is None:
            from .receiving import check_file as check
        self._check = check

    def prepare(self, record_key: str, record: Mapping[str, Any], form: FormDefinition | None,
                request: StatusRequest) -> Change:
        """Check ``request`` against the record and its form; return the change to apply.

        Raises
        ------
        StatusRefused
            Before anything is stored.
        """
        status = request.status
        if status not in STAFF_STATUSES:
            raise StatusRefused(
                f"status '{STATUS_LABELS.get(status, status)}' tidak diberikan petugas; status ini "
                "muncul sendiri ketika warga mengirim perbaikan", code="status_not_for_staff")
        now = self._clock()
        extra: dict[str, Any] = {}
        result: dict[str, Any] | None = None
        if status == CORRECTION_REQUESTED:
            extra = self._correction(form, request, now)
        elif status == FINISHED:
            result = self._result(record_key, record, form, request, now)
        elif request.fields or request.attachments or request.documents or request.collect_at:
            raise StatusRefused(
                "isian, lampiran, dokumen atau tempat pengambilan hanya untuk status "
                "'perlu perbaikan' atau 'selesai'", code="extras_not_allowed")

        def change(current: dict[str, Any]) -> dict[str, Any]:
            entry: dict[str, Any] = {
                "at": isoformat_wib(self._clock()), "by": request.by, "from": current.get("status"),
                "to": status, "note": request.note,
            }
            if status == CORRECTION_REQUESTED:
                entry["fields"] = extra["fields"]
                entry["attachments"] = extra["attachments"]
                current["correction"] = {**extra, "note": request.note,
                                         "requested_at": isoformat_wib(now)}
            else:
                current.pop("correction", None)
            if result is not None:
                current["result"] = result
                entry["result"] = result["kind"]
            current["history"] = [*current.get("history", []), entry]
            current["status"] = status
            return current

        return change

    # ------------------------------------------------------------- corrections

    def _correction(self, form: FormDefinition | None, request: StatusRequest,
                    now: datetime) -> dict[str, Any]:
        if form is None:
            raise StatusRefused("definisi formulir permohonan ini sudah tidak ada; perbaikan "
                                "daring tidak bisa diminta", code="form_missing")
        fields = _known(request.fields, [f.id for f in form.fields], "isian", "--field")
        attachments = _known(request.attachments, [a.id for a in form.attachments], "lampiran",
                             "--attachment")
        if not fields and not attachments:
            raise StatusRefused(
                "sebutkan isian (--field) dan/atau lampiran (--attachment) yang harus diperbaiki "
                f"warga; isian: {', '.join(f.id for f in form.fields)}; lampiran: "
                f"{', '.join(a.id for a in form.attachments) or 'tidak ada'}",
                code="nothing_to_correct")
        last_day = now.date() + timedelta(days=self.policy.correction_days)
        deadline = datetime.combine(last_day, time(23, 59, 59), WIB)
        return {"fields": fields, "attachments": attachments, "deadline": isoformat_wib(deadline)}

    # ----------------------------------------------------------------- results

    def _result(self, record_key: str, record: Mapping[str, Any], form: FormDefinition | None,
                request: StatusRequest, now: datetime) -> dict[str, Any]:
        service = getattr(form, "service", None) if form is not None else None
        kind = self.policy.result_kind(service)
        if kind == "card":
            if request.documents:
                raise StatusRefused("layanan ini menghasilkan kartu yang diambil di kantor; jangan "
                                    "lampirkan dokumen (--document), sebutkan --collect-at dan "
                                    "--collect-from", code="card_has_no_document")
            return {**self._collection(request, now),
                    "card": self.policy.service_names.get(str(service), str(service))}
        if request.collect_at:
            raise StatusRefused("layanan ini menghasilkan dokumen PDF; lampirkan dengan --document, "
                                "bukan tempat pengambilan", code="document_not_collected")
        if not request.documents:
            raise StatusRefused(
                "status 'selesai' untuk layanan ini wajib melampirkan dokumen hasil (PDF bertanda "
                "tangan elektronik) dengan --document", code="document_required")
        documents = []
        for index, document in enumerate(request.documents):
            documents.append(self._store_document(record_key, record, index, document))
        until = now + timedelta(days=self.policy.result_available_days)
        return {"kind": "document", "documents": documents, "issued_at": isoformat_wib(now),
                "available_until": isoformat_wib(until)}

    def _store_document(self, record_key: str, record: Mapping[str, Any], index: int,
                        document: ResultFile) -> dict[str, Any]:
        from .forms import AttachmentSpec
        from .receiving import keep_scan, scan_fields

        spec = AttachmentSpec(id="hasil", label="Dokumen hasil", hint="",
                              accept=("application/pdf",), max_bytes=self.policy.result_max_bytes,
                              min_count=1, max_count=10)
        declared = {"name": document.name, "size": len(document.data), "type": "application/pdf",
                    "attachment": "hasil", "index": index}
        verdict = self._check(document.data, declared, spec)
        if verdict.problem is not None:
            raise StatusRefused(verdict.problem[1], code=verdict.problem[0])
        issued = len(record.get("result", {}).get("documents", [])) if isinstance(
            record.get("result"), Mapping) else 0
        stem = _SAFE.sub("-", document.name.rsplit(".", 1)[0].casefold()).strip("-")[:60] or "dokumen"
        name = f"{issued + index:02d}-{stem}.pdf"
        key = results_key(record_key, name)
        self.storage.put_bytes(key, verdict.data, content_type="application/pdf",
                               if_none_match=True,  # staff may add documents, never replace one
                               tags={RESULT_TAG: RESULT_TAG_VALUE})  # expires with its period
        scan = scan_fields(verdict.scan)
        keep_scan(self.storage, key, scan)
        return {"index": index, "name": f"{stem}.pdf", "key": key, "size": len(verdict.data),
                "sha256": hashlib.sha256(verdict.data).hexdigest(), "scan": scan}

    def _collection(self, request: StatusRequest, now: datetime) -> dict[str, Any]:
        if not request.collect_at:
            known = ", ".join(self.policy.offices) or "belum ada"
            raise StatusRefused(f"sebutkan kantor tempat kartu diambil (--collect-at; id dari "
                                f"offices.yml: {known})", code="collect_at_required")
        office = self.policy.office(request.collect_at)
        if office is None:
            raise StatusRefused(f"kantor '{request.collect_at}' tidak ada di offices.yml",
                                code="unknown_office")
        first = request.collect_from or now.date()
        if first < now.date():
            raise StatusRefused("tanggal mulai pengambilan (--collect-from) tidak boleh lewat",
                                code="collect_from_past")
        bring = [*self.policy.collection_bring, *(b for b in request.bring if b.strip())]
        return {"kind": "card", "issued_at": isoformat_wib(now), "collection": {
            "office": office.id, "office_name": office.name, "address": office.address,
            "hours": dict(office.hours), "from": first.isoformat(), "bring": bring}}


def _known(ids: Sequence[str], allowed: Sequence[str], what: str, option: str) -> list[str]:
    chosen = list(dict.fromkeys(i.strip() for i in ids if i.strip()))
    unknown = [i for i in chosen if i not in allowed]
    if unknown:
        raise StatusRefused(f"{what} '{unknown[0]}' tidak ada di formulir ini ({option}); yang ada: "
                            f"{', '.join(allowed) or 'tidak ada'}", code="unknown_id")
    return chosen


def correction_open(record: Mapping[str, Any], now: datetime) -> bool:
    """Whether the resident can still send the correction staff asked for."""
    from .clock import parse_iso

    correction = record.get("correction")
    if record.get("status") != CORRECTION_REQUESTED or not isinstance(correction, Mapping):
        return False
    try:
        return now <= parse_iso(str(correction.get("deadline")))
    except ValueError:
        return False


__all__ += ["correction_open", "CORRECTED"]
