"""A resident sends what staff asked to correct: the same record, a new revision.

    corrections = Corrections(storage, form, lookup, intake, receiving, clock=now_wib)
    offer = corrections.create(parse_correction_request(body))   # code + token + answers
    status = corrections.complete(offer["submission_id"], key)  # back in the staff queue

Only the questions and attachments staff named (``record["correction"]``) may be
sent, checked by the form definition's own rules (answers across questions, such
as a NIK against the date of birth, are checked against the current answers).
Files travel the same way as with a new application: presigned POSTs, then
``complete`` reads, checks and keeps exactly those bytes (:mod:`chalicelib.receiving`).

Nothing earlier is overwritten: the record gains a revision ``{revision, at, by,
submission_id, values, files}`` with the new answers and files (kept under
``files/r<N>-<id>/``), its current answers and files are updated, and the history
gains ``perlu_perbaikan -> diperbaiki`` by ``pemohon``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import layout
from .clock import Clock, isoformat_wib
from .errors import Conflict
from .fields import FieldError
from .intake import declared_file, file_entries, jsonable, payload_hash, refuse_if_any
from .pending import load_pending, missing, owns, submission_id_for
from .record_updates import apply_change
from .status_changes import correction_open
from .statuses import CORRECTED, CORRECTION_REQUESTED

if TYPE_CHECKING:
    from .forms import FormDefinition
    from .intake import Intake
    from .payloads import CorrectionRequest
    from .receiving import Receiving
    from .status_lookup import StatusLookup

__all__ = ["Corrections", "CorrectionClosed", "check_correction"]

log = logging.getLogger("dukcapil.corrections")


class CorrectionClosed(Conflict):
    """No correction can be sent now (none asked, already sent, or the window closed)."""

    status = 409
    default_code = "correction_closed"


class Corrections:
    """Take residents' corrections through the same intake and receiving as applications."""

    def __init__(self, storage: Any, form: Callable[[str], FormDefinition],
                 lookup: StatusLookup, intake: Intake, receiving: Receiving, *,
                 clock: Clock,
                 on_changed: Callable[[Mapping[str, Any]], None] | None = None) -> None:
        self.storage = storage
        self._form = form
        self.lookup = lookup
        self.intake = intake
        self.receiving = receiving
        self._clock = clock
        self._on_changed = on_changed

    def create(self, request: CorrectionRequest) -> dict[str, Any]:
        """Check the corrected answers and declared files; offer the uploads.

        Raises
        ------
        NotFound, TooManyRequests
            As the status check (wrong code or token, locked code).
        CorrectionClosed
            Nothing to correct now, or the window has closed.
        Unprocessable
            The answers or files do not pass, or something not asked was sent.
        """
        found = self.lookup.authorise(request.tracking_code, request.token)
        code, record = found.code, found.record
        now = self._clock()
        _require_open(record, now)
        form = self._form(str(record["form_id"]))
        asked = record["correction"]
        values = check_correction(form, record.get("values") or {}, request, asked, now)
        digest = payload_hash(form.id, values, request.files)
        submission_id = submission_id_for(request.idempotency_key)
        files = [{"index": i, "attachment": f.attachment, "name": f.name, "size": f.size,
                  "type": f.type} for i, f in enumerate(request.files)]
        pending = {
            "schema": 2,
            "kind": "correction",
            "submission_id": submission_id,
            "form_id": form.id,
            "tracking_code": code,
            "requested_at": asked.get("requested_at"),
            "status": "pending",
            "created_at": isoformat_wib(now),
            "payload_sha256": digest,
            "values": jsonable(values),
            "confirmed_warnings": list(request.confirmed_warnings),
            "files": file_entries(submission_id, files),
        }
        offer = self.intake.store(pending, request.idempotency_key, self._received)
        log.info("correction offered form=%s submission=%s", form.id, submission_id)
        return offer

    def complete(self, submission_id: str, idempotency_key: object) -> dict[str, Any]:
        """Check the uploads, add the revision, return the status (as the status check shows it).

        Raises
        ------
        NotFound
            Unknown, expired or not-owned correction (the same answer for each).
        Unprocessable
            A file is missing, wrong or infected.
        CorrectionClosed
            The request was answered meanwhile or its window closed.
        """
        from .status_lookup import public_status
        from .storage import AlreadyExists

        if not owns(submission_id, idempotency_key):
            raise missing()
        pending, _ = load_pending(self.storage, submission_id,
                                  ttl=self.receiving.settings.pending_ttl, now=self._clock())
        if pending.get("kind") != "correction":
            raise missing()
        index = self.storage.get_json(layout.tracking_index_key(str(pending["tracking_code"])))
        if index is None:
            raise missing()
        record_key = str(index[0]["record"])
        claim_key = layout.pending_receipt_key(submission_id)
        loaded = self.storage.get_json(claim_key)
        if loaded is None:
            current = self.storage.get_json(record_key)
            if current is None:
                raise missing()
            if _already_applied(current[0], submission_id) is None:
                _require_open(current[0], self._clock(), pending.get("requested_at"))
            form = self._form(str(pending["form_id"]))
            checked = self.receiving.verify_uploads(
                form, pending, counted={str(f["attachment"]) for f in pending["files"]})
            number = len(current[0].get("revisions", [])) + 1
            folder = record_key.rsplit("/", 1)[0] + f"/files/r{number}-{submission_id[:8]}/"
            claim = {"submission_id": submission_id, "record": record_key,
                     "at": isoformat_wib(self._clock()),
                     "files": [{**f, "final_key": folder + f["key"].rsplit("/", 1)[-1]}
                               for f in checked]}
            try:
                self.storage.put_json(claim_key, claim, if_none_match=True)
            except AlreadyExists:
                claim = self.storage.get_json(claim_key)[0]
        else:
            claim = loaded[0]
        record = self._apply(pending, claim)
        return public_status(str(pending["tracking_code"]), record, form=self._form,
                             now=self._clock())

    # ------------------------------------------------------------------ helpers

    def _received(self, submission_id: str, idempotency_key: str) -> dict[str, Any] | None:
        """A replayed create of a correction already sent: its status."""
        if self.storage.get_json(layout.pending_receipt_key(submission_id)) is None:
            return None
        return self.complete(submission_id, idempotency_key)

    def _apply(self, pending: Mapping[str, Any], claim: Mapping[str, Any]) -> dict[str, Any]:
        """Copy the checked files, then add the revision once (safe to repeat)."""
        from .receiving import keep_scan

        for f in claim["files"]:
            if self.storage.head(f["final_key"]) is None:
                self.storage.copy(f["checked_key"], f["final_key"], if_match=f["checked_etag"])
                keep_scan(self.storage, f["final_key"], f.get("scan"))
        submission_id = str(claim["submission_id"])

        def change(record: dict[str, Any]) -> dict[str, Any]:
            if _already_applied(record, submission_id) is not None:
                return record
            _require_open(record, self._clock(), pending.get("requested_at"))
            return _add_revision(record, pending, claim, isoformat_wib(self._clock()))

        loaded = self.storage.get_json(str(claim["record"]))
        if loaded is None:
            raise missing()
        if _already_applied(loaded[0], submission_id) is not None:
            record = loaded[0]
        else:
            record, _ = apply_change(self.storage, str(claim["record"]), change, first=loaded)
            log.info("correction received form=%s submission=%s", pending["form_id"],
                     submission_id)
            if self._on_changed is not None:
                self._on_changed(record)
        for f in claim["files"]:
            self.storage.delete(f["key"])
            self.storage.delete(f["checked_key"])
        return record


def check_correction(form: FormDefinition, current: Mapping[str, Any],
                     request: CorrectionRequest, asked: Mapping[str, Any],
                     now: datetime) -> dict[str, Any]:
    """The corrected answers, normalised; :class:`Unprocessable` with every problem.

    Answers to questions not asked are refused; the whole form is validated with
    the new answers in place so checks across questions still hold, but only the
    asked questions' problems are reported (the others were accepted before).
    """
    fields: Sequence[str] = asked.get("fields") or []
    attachments: Sequence[str] = asked.get("attachments") or []
    problems: list[FieldError] = [
        FieldError(str(name)[:64], "field_tidak_diminta",
                   "Isian ini tidak diminta untuk diperbaiki. Muat ulang halaman lalu coba lagi.")
        for name in request.values if name not in fields
    ]
    merged = {**current, **{name: request.values.get(name) for name in fields}}
    result = form.validate(merged, today=now.date(),
                           confirmed_warnings=request.confirmed_warnings)
    problems += [e for e in result.errors if e.field in fields]
    problems += [w for w in result.unconfirmed_warnings if w.field in fields]
    declared = [declared_file(f) for f in request.files]
    for f in declared:
        if f.attachment not in attachments:
            problems.append(FieldError(f"files.{f.attachment}"[:80], "berkas_tidak_diminta",
                                       "Lampiran ini tidak diminta untuk diunggah ulang. Muat ulang "
                                       "halaman lalu coba lagi."))
    wanted = [f for f in declared if f.attachment in attachments]
    problems += [p for p in form.check_files(wanted)
                 if p.field.removeprefix("files.") in attachments]
    for spec in form.attachments:  # an attachment asked for needs at least one new file
        if spec.id in attachments and not any(f.attachment == spec.id for f in wanted):
            problems.append(spec.error("berkas_kurang"))
    refuse_if_any(_unique(problems), form.id)
    return {name: result.values.get(name) for name in fields}


def _unique(problems: Sequence[FieldError]) -> list[FieldError]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for problem in problems:
        if (problem.field, problem.code) not in seen:
            seen.add((problem.field, problem.code))
            unique.append(problem)
    return unique


def _require_open(record: Mapping[str, Any], now: datetime, requested_at: object = None) -> None:
    correction = record.get("correction") or {}
    if requested_at is not None and correction.get("requested_at") != requested_at:
        raise CorrectionClosed("Perbaikan ini sudah diterima atau permintaannya sudah berubah. "
                               "Muat ulang halaman status untuk melihat keadaan terbaru.")
    if record.get("status") != CORRECTION_REQUESTED:
        raise CorrectionClosed("Permohonan ini sedang tidak menunggu perbaikan dari Anda. Muat "
                               "ulang halaman status untuk melihat keadaan terbaru.")
    if not correction_open(record, now):
        raise CorrectionClosed(
            "Batas waktu perbaikan sudah lewat, jadi perbaikan tidak bisa dikirim lagi lewat "
            "halaman ini. Ajukan permohonan baru, atau hubungi kantor bila perlu bantuan.",
            code="correction_expired")


def _already_applied(record: Mapping[str, Any], submission_id: str) -> Mapping[str, Any] | None:
    return next((r for r in record.get("revisions", [])
                 if r.get("submission_id") == submission_id), None)


def _add_revision(record: dict[str, Any], pending: Mapping[str, Any],
                  claim: Mapping[str, Any], at: str) -> dict[str, Any]:
    revisions = list(record.get("revisions") or [])
    if not revisions:  # a record from before revisions: its first answers are revision 1
        revisions.append({"revision": 1, "at": record.get("received_at"), "by": "pemohon",
                          "submission_id": record.get("submission_id"),
                          "values": record.get("values", {}), "files": record.get("files", [])})
    files = [{"index": f["index"], "attachment": f["attachment"], "name": f["name"],
              "size": f["size"], "type": f["type"], "sha256": f["sha256"],
              "scan": f.get("scan") or {"status": "not_scanned"}, "key": f["final_key"]}
             for f in claim["files"]]
    number = len(revisions) + 1
    revisions.append({"revision": number, "at": at, "by": "pemohon",
                      "submission_id": claim["submission_id"],
                      "values": pending["values"], "files": files})
    replaced = {f["attachment"] for f in files}
    current_files = [f for f in record.get("files", []) if f.get("attachment") not in replaced]
    asked = record.get("correction") or {}
    record.update({
        "revisions": revisions,
        "values": {**record.get("values", {}), **pending["values"]},
        "files": [*current_files, *files],
        "status": CORRECTED,
        "history": [*record.get("history", []), {
            "at": at, "by": "pemohon", "from": record.get("status"), "to": CORRECTED,
            "note": "Perbaikan dikirim secara daring.", "revision": number,
            "fields": asked.get("fields", []), "attachments": asked.get("attachments", []),
        }],
    })
    record.pop("correction", None)
    return record

