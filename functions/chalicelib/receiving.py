"""Step 3 of an application: check what arrived, keep exactly those bytes, issue the receipt.

    receiving = Receiving(storage, form, clock=now_wib, settings=Settings())
    receipt = receiving.complete(submission_id, idempotency_key)

**What is stored is exactly what was checked.** Each upload is read once, whole;
those bytes are checked (size, type by content, structure, malware scan where a
scanner is configured) and the bytes to keep are written by the function itself
to ``pending/<id>/checked/<attempt>/`` — a key no presigned POST can reach. The
final copy is conditional on that object's etag. A file re-posted while
``complete`` runs changes nothing that is kept, and once the submission is
claimed the local upload endpoint refuses its policies.

**The receipt's credential is never stored.** The status token is derived from
the idempotency key (:func:`chalicelib.tracking.derive_status_token`), which only
the resident's browser holds; a repeated ``complete`` must present it
(:func:`chalicelib.pending.owns`), and only the token's digest is kept.

**Safe to repeat and crash-proof.** The claim (``pending/<id>/receipt.json``) is
one conditional write; then, each step idempotent: the tracking index entry, the
file copies, the record, the clean-up. The index entry is written only by the
claim's owner, so a crash leaves no orphan entry — a retry finishes the work.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import secrets
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import layout
from .clock import Clock, format_wib, isoformat_wib
from .errors import Unprocessable, field_error
from .pending import Settings, load_pending, missing, owns
from .statuses import INITIAL_STATUS, STATUS_LABELS
from .summaries import human_size, receipt_summary
from .tracking import derive_status_token, new_tracking_code, token_digest

if TYPE_CHECKING:
    from .forms import FormDefinition
    from .storage import Storage

__all__ = ["Receiving", "Checked", "FileChecker", "check_file", "scanner", "scan_fields",
           "keep_scan"]

log = logging.getLogger("dukcapil.submissions")

RECORD_SCHEMA = 2


@dataclass(frozen=True)
class Checked:
    """The verdict on one file's bytes.

    ``problem`` is ``(code, Indonesian message)`` or ``None``; ``data`` are the
    bytes to keep (images may lose location metadata); ``content_type`` is what
    the bytes really are; ``scan`` is the malware scanner's verdict
    (:class:`chalicelib.scanning.ScanResult`), ``None`` when nothing scanned.
    """

    problem: tuple[str, str] | None
    data: bytes = b""
    content_type: str | None = None
    scan: Any = None


FileChecker = Callable[[bytes, Mapping[str, Any], Any], Checked]
"""``(data, declared file, attachment spec) -> Checked``."""


class Receiving:
    """Verify uploads and turn a pending submission into an application record."""

    def __init__(self, storage: Storage, form: Callable[[str], FormDefinition], *,
                 clock: Clock, settings: Settings, check: FileChecker | None = None,
                 on_received: Callable[[Mapping[str, Any], Mapping[str, Any], str], None]
                 | None = None) -> None:
        self.storage = storage
        self._form = form
        self._clock = clock
        self.settings = settings
        self._check = check or check_file
        self._on_received = on_received

    # ----------------------------------------------------------------- public

    def complete(self, submission_id: str, idempotency_key: object) -> dict[str, Any]:
        """Verify the uploads of a pending submission and receive it.

        Returns
        -------
        dict
            The receipt: ``tracking_code``, ``received_at`` (ISO, +07:00),
            ``received_at_text``, ``status``, ``status_token``,
            ``status_token_expires_at`` and ``summary``. The same receipt on every
            repeated call with the same key.

        Raises
        ------
        NotFound
            No such pending submission, it expired, or ``idempotency_key`` is not
            the one it was created with (the same answer in every case).
        Unprocessable
            One or more files are missing, of the wrong size, type or structure,
            or infected; ``errors`` has one entry per file (``field`` is
            ``files.<attachment id>``, ``index`` the file's declared position).
        """
        if not owns(submission_id, idempotency_key):
            log.info("complete refused: not the owner")
            raise missing()
        pending, _ = load_pending(self.storage, submission_id, ttl=self.settings.pending_ttl,
                                  now=self._clock())
        loaded = self.storage.get_json(layout.pending_receipt_key(submission_id))
        if loaded is None:
            form = self._form(pending["form_id"])
            checked = self.verify_uploads(form, pending)
            claim, etag, won = self._claim(form, pending, checked, str(idempotency_key))
        else:
            (claim, etag), won = loaded, False
        claim = self._finalise(pending, claim, etag)
        log.info("complete ok form=%s submission=%s", pending["form_id"], submission_id)
        receipt = receipt_with_token(claim, str(idempotency_key))
        if won and self._on_received is not None:  # once, after the record is written
            self._on_received(claim, pending, receipt["status_token"])
        return receipt

    def receipt_for(self, submission_id: str, idempotency_key: str) -> dict[str, Any] | None:
        """The receipt of a submission already claimed (finishing it if a crash interrupted)."""
        loaded = self.storage.get_json(layout.pending_receipt_key(submission_id))
        if loaded is None:
            return None
        pending = self.storage.get_json(layout.pending_record_key(submission_id))
        claim = self._finalise(pending[0] if pending else {}, loaded[0], loaded[1])
        return receipt_with_token(claim, idempotency_key)

    # ---------------------------------------------------------------- checking

    def verify_uploads(self, form: FormDefinition, pending: Mapping[str, Any], *,
                       counted: Collection[str] | None = None) -> list[dict[str, Any]]:
        """Read, check and keep every declared file; :class:`Unprocessable` on any problem.

        This holds even if a presigned policy was bypassed: the size is that of the
        bytes read, the type is what the bytes are. ``counted`` limits the count
        checks (too few, too many) to these attachment ids: a correction sends
        only the attachments staff asked for again (``None``: every attachment).
        """
        from .storage import NotFound as Missing

        specs = {a.id: a for a in form.attachments}
        attempt = secrets.token_hex(8)
        errors: list[dict[str, Any]] = []
        arrived: list[Any] = []
        kept: list[dict[str, Any]] = []
        for f in pending["files"]:
            try:
                data = self.storage.read_bytes(f["key"])
            except Missing:
                data = None
            verdict = (Checked(("file_missing", f"Berkas “{f['name']}” belum sampai. Unggah ulang "
                                                "berkas ini lalu kirim lagi"))
                       if data is None else self._check(data, f, specs.get(f["attachment"])))
            del data
            if verdict.problem is not None:
                entry = field_error(f"files.{f['attachment']}", *verdict.problem)
                entry["index"] = f["index"]
                errors.append(entry)
                if verdict.problem[0] != "file_missing":
                    self.storage.delete(f["key"])  # a refused file is not kept, even pending
                continue
            from .forms import DeclaredFile

            arrived.append(DeclaredFile(attachment=f["attachment"], name=f["name"],
                                        size=len(verdict.data), type=str(verdict.content_type)))
            checked_key = layout.checked_file_key(pending["submission_id"], attempt,
                                                  f["key"].rsplit("/", 1)[-1])
            etag = self.storage.put_bytes(checked_key, verdict.data,
                                          content_type=str(verdict.content_type))
            kept.append({**f, "checked_key": checked_key, "checked_etag": etag,
                         "size": len(verdict.data), "type": verdict.content_type,
                         "sha256": hashlib.sha256(verdict.data).hexdigest(),
                         "scan": scan_fields(verdict.scan)})
        if not errors:  # limits and counts again, on what really arrived
            errors.extend(problem.to_dict() for problem in form.check_files(arrived)
                          if counted is None or problem.field.removeprefix("files.") in counted)
        if errors:
            log.info("complete refused form=%s submission=%s codes=%s", pending["form_id"],
                     pending["submission_id"], ",".join(sorted({e["code"] for e in errors})))
            raise Unprocessable(
                "Ada berkas yang belum diterima dengan benar. Unggah ulang berkas yang ditandai.",
                code="files_invalid",
                errors=errors,
            )
        return kept

    # ---------------------------------------------------------------- claiming

    def _claim(self, form: FormDefinition, pending: Mapping[str, Any],
               checked: Sequence[Mapping[str, Any]],
               idempotency_key: str) -> tuple[dict[str, Any], str, bool]:
        """Decide the receipt and claim the submission with one conditional write.

        Returns the claim, its etag and whether this call won it.
        """
        from .storage import AlreadyExists

        now = self._clock()
        token = derive_status_token(idempotency_key, pending["submission_id"])
        token_expires = now + self.settings.token_ttl
        claim = {
            "submission_id": pending["submission_id"],
            "form_id": pending["form_id"],
            "day": now.date().isoformat(),
            "received_at": isoformat_wib(now),
            "token_sha256": token_digest(token),
            "token_expires_at": isoformat_wib(token_expires),
            "files": [dict(f) for f in checked],
            "receipt": {
                "submission_id": pending["submission_id"],
                "form_id": pending["form_id"],
                "form_title": pending.get("form_title", pending["form_id"]),
                "received_at": isoformat_wib(now),
                "received_at_text": format_wib(now),
                "status": INITIAL_STATUS,
                "status_label": STATUS_LABELS[INITIAL_STATUS],
                "status_token_expires_at": isoformat_wib(token_expires),
                "status_token_expires_text": format_wib(token_expires),
                "summary": receipt_summary(form, pending),
            },
        }
        _assign_code(claim, new_tracking_code())
        key = layout.pending_receipt_key(pending["submission_id"])
        try:
            etag = self.storage.put_json(key, claim, if_none_match=True)
        except AlreadyExists:  # a concurrent complete won: use its claim
            loaded = self.storage.get_json(key)
            if loaded is None:  # pragma: no cover - deleted between two calls
                raise
            return loaded[0], loaded[1], False
        return claim, etag, True

    # --------------------------------------------------------------- finishing

    def _finalise(self, pending: Mapping[str, Any], claim: dict[str, Any],
                  etag: str) -> dict[str, Any]:
        """Index the code, copy the checked files, write the record, clean up.

        Every step is safe to repeat; returns the claim (its code changes only if
        the random tracking code was already taken, about once in 2**44).
        """
        from .storage import AlreadyExists

        while True:
            entry = {
                "tracking_code": claim["tracking_code"],
                "record": claim["record"],
                "form_id": claim["form_id"],
                "received_at": claim["received_at"],
                "token_sha256": claim["token_sha256"],
                "token_expires_at": claim["token_expires_at"],
            }
            index_key = layout.tracking_index_key(claim["tracking_code"])
            try:
                self.storage.put_json(index_key, entry, if_none_match=True)
                break
            except AlreadyExists:
                existing = self.storage.get_json(index_key)
                if existing is not None and existing[0].get("record") == claim["record"]:
                    break  # ours, from an earlier try
                _assign_code(claim, new_tracking_code())  # taken by another application
                etag = self.storage.put_json(
                    layout.pending_receipt_key(claim["submission_id"]), claim, if_match=etag)
        if self.storage.head(claim["record"]) is None:
            for f in claim["files"]:
                if self.storage.head(f["final_key"]) is None:
                    self.storage.copy(f["checked_key"], f["final_key"], if_match=f["checked_etag"])
                    keep_scan(self.storage, f["final_key"], f.get("scan"))
            with contextlib.suppress(AlreadyExists):
                self.storage.put_json(claim["record"], _record(pending, claim), if_none_match=True)
        for f in claim["files"]:
            self.storage.delete(f["key"])
            self.storage.delete(f["checked_key"])
        return claim


# ---------------------------------------------------------------- module helpers


def receipt_with_token(claim: Mapping[str, Any], idempotency_key: str) -> dict[str, Any]:
    """The receipt as the browser receives it: the stored part plus the derived token."""
    token = derive_status_token(idempotency_key, str(claim["submission_id"]))
    return {**claim["receipt"], "tracking_code": claim["tracking_code"], "status_token": token}


def _assign_code(claim: dict[str, Any], code: str) -> None:
    day, form_id = claim["day"], claim["form_id"]
    claim["tracking_code"] = code
    claim["record"] = layout.record_key(day, form_id, code)
    claim["receipt"]["tracking_code"] = code
    for f in claim["files"]:
        f["final_key"] = layout.final_file_key(day, form_id, code, f["key"].rsplit("/", 1)[-1])


def _record(pending: Mapping[str, Any], claim: Mapping[str, Any]) -> dict[str, Any]:
    received = claim["received_at"]
    files = [
        {
            "index": f["index"],
            "attachment": f["attachment"],
            "name": f["name"],
            "size": f["size"],
            "type": f["type"],
            "sha256": f["sha256"],
            "scan": f.get("scan") or {"status": "not_scanned"},
            "key": f["final_key"],
        }
        for f in claim["files"]
    ]
    return {
        "schema": RECORD_SCHEMA,
        "tracking_code": claim["tracking_code"],
        "submission_id": claim["submission_id"],
        "form_id": claim["form_id"],
        "form_title": pending.get("form_title", claim["receipt"]["form_title"]),
        "created_at": pending.get("created_at", received),
        "received_at": received,
        "status": INITIAL_STATUS,
        "history": [
            {
                "at": received,
                "by": "sistem",
                "from": None,
                "to": INITIAL_STATUS,
                "note": "Permohonan diterima secara daring.",
            }
        ],
        "values": pending.get("values", {}),
        "confirmed_warnings": pending.get("confirmed_warnings", []),
        "files": files,
        "revisions": [{"revision": 1, "at": received, "by": "pemohon",
                       "submission_id": claim["submission_id"],
                       "values": pending.get("values", {}), "files": files}],
        "status_token": {"sha256": claim["token_sha256"], "expires_at": claim["token_expires_at"]},
    }


def check_file(data: bytes, declared: Mapping[str, Any], spec: Any) -> Checked:
    """Every check a file's bytes get before they are kept.

    Size (against the attachment's limit and the declared size), then structure
    (:func:`chalicelib.filecheck.inspect_upload`: type by content, a PDF that
    parses with nothing active in it, an image that decodes whole with nothing
    appended, location metadata removed), then the malware scanner when one is
    configured. A scanner that fails keeps the file with that verdict, so staff
    read "pemindaian gagal", never "bersih".
    """
    from .filecheck import inspect_upload
    from .scanning import scan_problem

    name = declared["name"]
    max_bytes: int | None = getattr(spec, "max_bytes", None)
    if max_bytes is not None and len(data) > max_bytes:
        return Checked(("file_too_large", f"Berkas “{name}” terlalu besar ({human_size(len(data))}); "
                                          f"paling besar {human_size(max_bytes)}"))
    if len(data) != declared["size"]:
        return Checked(("file_size_mismatch",
                        f"Berkas “{name}” yang sampai ({human_size(len(data))}) tidak sama dengan "
                        f"yang dipilih ({human_size(declared['size'])}). Unggah ulang berkas ini"))
    inspection = inspect_upload(data, declared_type=declared["type"],
                                accept=tuple(getattr(spec, "accept", ()) or ()), name=name)
    if inspection.problem is not None:
        return Checked(inspection.problem)
    result = scanner().scan_bytes(inspection.data)
    if result.infected:
        log.warning("upload refused: malware found (%s)", result.signature or "tanpa nama")
        return Checked(scan_problem(name))
    return Checked(None, inspection.data, inspection.content_type, result)


@functools.lru_cache(maxsize=1)
def scanner() -> Any:
    """The malware scanner the environment configures, built once per process."""
    from .scanning import scanner_from_env

    return scanner_from_env()


def scan_fields(result: Any) -> dict[str, Any]:
    """A scan verdict as kept in a record."""
    if result is None:
        return {"status": "not_scanned"}
    fields = {"status": result.status, "engine": result.engine, "signature": result.signature}
    return {k: v for k, v in fields.items() if v}


def keep_scan(storage: Any, key: str, fields: Mapping[str, Any] | None) -> None:
    """Record a verdict with the stored object (tags), where staff tools read it."""
    from .scanning import ScanResult, record_scan

    if fields:
        record_scan(storage, key, ScanResult(str(fields.get("status")), fields.get("signature"),
                                             fields.get("engine")))
