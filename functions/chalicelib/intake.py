"""Step 1 of an application: validate the answers, store them as pending, offer uploads.

    intake = Intake(storage, forms, clock=now_wib, settings=Settings())
    offer = intake.create(parse_create_request(body))   # presigned POST per declared file

The pending record is written once, conditionally, at a key derived from the
browser's idempotency key (:func:`chalicelib.pending.submission_id_for`): that
write is also the idempotency claim. The same key with the same answers gets the
same submission back (with fresh upload URLs, or the receipt once received);
other answers under a used key are a :class:`~chalicelib.errors.Conflict`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import layout
from .clock import Clock, isoformat_wib
from .errors import Conflict, Unprocessable
from .payloads import CreateRequest, FileDeclaration
from .pending import Settings, is_fresh, submission_id_for
from .summaries import form_title

if TYPE_CHECKING:
    from .forms import FormDefinition
    from .storage import Storage

__all__ = ["Intake", "RECORD_SCHEMA", "file_entries", "jsonable", "declared_file", "payload_hash",
           "refuse_if_any"]

log = logging.getLogger("dukcapil.submissions")

RECORD_SCHEMA = 2
"""2: submission ids derive from the idempotency key; files carry their sha256."""

ReceiptLookup = Callable[[str, str], "dict[str, Any] | None"]
"""``(submission_id, idempotency_key) -> receipt`` once received, else ``None``."""


class Intake:
    """Validate and store pending submissions on one storage backend."""

    def __init__(self, storage: Storage, form: Callable[[str], FormDefinition], *,
                 clock: Clock, settings: Settings, receipt_for: ReceiptLookup,
                 quota: Any = None) -> None:
        self.storage = storage
        self._form = form
        self._clock = clock
        self.settings = settings
        self._receipt_for = receipt_for
        self.quota = quota

    def create(self, request: CreateRequest) -> dict[str, Any]:
        """Validate a submission, store it as pending and offer one upload per file.

        Returns
        -------
        dict
            ``submission_id``, ``status`` (``"pending"``, or ``"received"`` with
            ``receipt`` when a replayed key was already completed), ``replayed``,
            ``expires_at`` and ``uploads`` (one presigned POST per declared file).

        Raises
        ------
        NotFound
            Unknown form.
        Unprocessable
            Errors in the answers or the declared files, or warnings that need
            the resident's confirmation (``severity: "warning"``).
        Conflict
            The idempotency key was already used for different answers or files.
        """
        form = self._form(request.form_id)
        now = self._clock()
        values = self.validate(form, request, now)
        digest = payload_hash(request.form_id, values, request.files)
        submission_id = submission_id_for(request.idempotency_key)
        pending = _pending_record(submission_id, form, request, values, digest, now)
        return self.store(pending, request.idempotency_key, self._receipt_for)

    def store(self, pending: dict[str, Any], idempotency_key: str,
              received: ReceiptLookup) -> dict[str, Any]:
        """Write a pending record once (the idempotency claim) and offer its uploads.

        A replay with the same ``payload_sha256`` gets the same submission (or, once
        received, what ``received`` returns); another payload under a fresh key is a
        :class:`Conflict`; a stale, never received one is started afresh. Only a new
        pending record counts against the quota (a replay does not): over it, the
        record is removed again and :class:`~chalicelib.errors.TooManyRequests` raised.
        """
        from .storage import AlreadyExists, PreconditionFailed

        now = self._clock()
        submission_id = pending["submission_id"]
        key = layout.pending_record_key(submission_id)
        etag: str | None = None
        for _ in range(4):
            try:
                if etag is None:
                    self.storage.put_json(key, pending, if_none_match=True)
                else:
                    self.storage.put_json(key, pending, if_match=etag)
            except (AlreadyExists, PreconditionFailed):
                loaded = self.storage.get_json(key)
                if loaded is None:  # purged meanwhile: create it again
                    etag = None
                    continue
                stored, etag = loaded
                answer = received(submission_id, idempotency_key)
                if answer is not None or is_fresh(stored, self.settings.idempotency_ttl, now):
                    return self._replay(stored, pending["payload_sha256"], answer)
                continue  # an old, never completed submission under this key: start again
            self._count(pending, key)
            log.info("create ok form=%s submission=%s files=%d", pending["form_id"],
                     submission_id, len(pending["files"]))
            return self._offer(pending, replayed=False)
        raise Conflict(  # pragma: no cover - four lost races in a row
            "Pengiriman sedang diproses. Tunggu sebentar lalu coba lagi.",
            code="idempotency_busy",
        )

    def _count(self, pending: Mapping[str, Any], key: str) -> None:
        """Count a new pending submission in the quota; undo the write when it is over."""
        if self.quota is None:
            return
        from .errors import TooManyRequests

        try:
            self.quota.reserve(submissions=1,
                               declared_bytes=sum(int(f["size"]) for f in pending["files"]))
        except TooManyRequests:
            self.storage.delete(key)
            log.info("create refused form=%s codes=quota", pending["form_id"])
            raise

    def validate(self, form: FormDefinition, request: CreateRequest,
                 now: datetime) -> dict[str, Any]:
        """Normalised answers, or :class:`Unprocessable` listing every problem."""
        result = form.validate(request.values, today=now.date(),
                               confirmed_warnings=request.confirmed_warnings)
        problems = [*result.errors, *result.unconfirmed_warnings]
        problems.extend(form.check_files([declared_file(f) for f in request.files]))
        refuse_if_any(problems, request.form_id)
        return dict(result.values)


    def _replay(self, stored: Mapping[str, Any], payload_hash: str,
                received: dict[str, Any] | None) -> dict[str, Any]:
        """Answer a create whose idempotency key is already in use."""
        if stored.get("payload_sha256") != payload_hash:
            log.info("create conflict form=%s", stored.get("form_id"))
            raise Conflict(
                "Kunci pengiriman ini sudah dipakai untuk isian atau berkas yang berbeda. "
                "Muat ulang halaman formulir lalu kirim lagi sebagai pengajuan baru.",
                code="idempotency_key_reused",
            )
        if received is not None:
            log.info("create replay form=%s submission=%s received", stored["form_id"],
                     stored["submission_id"])
            return {
                "submission_id": stored["submission_id"],
                "form_id": stored["form_id"],
                "status": "received",
                "replayed": True,
                "uploads": [],
                "receipt": received,
            }
        log.info("create replay form=%s submission=%s", stored["form_id"], stored["submission_id"])
        return self._offer(stored, replayed=True)

    def _offer(self, pending: Mapping[str, Any], *, replayed: bool) -> dict[str, Any]:
        """Presigned POSTs for every declared file of a pending submission."""
        uploads, expires_at = offer_uploads(self.storage, pending["files"],
                                            self.settings.upload_expiry)
        return {
            "submission_id": pending["submission_id"],
            "form_id": pending["form_id"],
            "status": "pending",
            "replayed": replayed,
            "expires_at": expires_at,
            "uploads": uploads,
        }


def refuse_if_any(problems: Sequence[Any], form_id: str) -> None:
    """Raise :class:`Unprocessable` listing ``problems`` (errors, or warnings to confirm)."""
    if not problems:
        return
    errors = [p.to_dict() for p in problems]
    log.info("create refused form=%s codes=%s", form_id,
             ",".join(sorted({e["code"] for e in errors})))
    has_errors = any(e.get("severity", "error") == "error" for e in errors)
    raise Unprocessable(
        "Ada isian yang perlu diperbaiki. Periksa pesan di setiap isian."
        if has_errors
        else "Ada isian yang perlu Anda periksa dan konfirmasi sebelum dikirim.",
        code="validation_failed" if has_errors else "confirmation_required",
        errors=errors,
    )


def offer_uploads(storage: Storage, files: Sequence[Mapping[str, Any]],
                  expiry: int) -> tuple[list[dict[str, Any]], str | None]:
    """One presigned POST per declared file, and when the last one expires."""
    uploads = []
    expires_at: str | None = None
    for f in files:
        post = storage.presign_post(f["key"], content_type=f["type"], max_bytes=f["size"],
                                    expires_in=expiry)
        offer = post.to_dict()
        offer["expires_at"] = expires_at = isoformat_wib(post.expires_at)
        uploads.append({
            "index": f["index"],
            "attachment": f["attachment"],
            "name": f["name"],
            "size": f["size"],
            "type": f["type"],
            **offer,
        })
    return uploads, expires_at


def _pending_record(submission_id: str, form: FormDefinition, request: CreateRequest,
                    values: Mapping[str, Any], payload_hash: str,
                    now: datetime) -> dict[str, Any]:
    files = [
        {"index": i, "attachment": f.attachment, "name": f.name, "size": f.size, "type": f.type}
        for i, f in enumerate(request.files)
    ]
    return {
        "schema": RECORD_SCHEMA,
        "submission_id": submission_id,
        "form_id": request.form_id,
        "form_title": form_title(form),
        "status": "pending",
        "created_at": isoformat_wib(now),
        "payload_sha256": payload_hash,
        "values": jsonable(values),
        "confirmed_warnings": list(request.confirmed_warnings),
        "files": file_entries(submission_id, files),
    }


def declared_file(f: FileDeclaration) -> Any:
    from .forms import DeclaredFile

    return DeclaredFile(attachment=f.attachment, name=f.name, size=f.size, type=f.type)


def file_entries(submission_id: str, files: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Declared files with the upload key the server chose for each."""
    return [
        {
            **{k: f[k] for k in ("index", "attachment", "name", "size", "type")},
            "key": layout.pending_upload_key(
                submission_id, int(f["index"]), str(f["attachment"]), str(f["type"])
            ),
        }
        for f in files
    ]


def payload_hash(form_id: str, values: Mapping[str, Any], files: Sequence[FileDeclaration]) -> str:
    canonical = json.dumps(
        {
            "form_id": form_id,
            "values": jsonable(values),
            "files": [[f.attachment, f.name, f.size, f.type] for f in files],
        },
        sort_keys=True,
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    """Normalised answers as plain JSON (dates become ISO strings)."""
    return json.loads(json.dumps(dict(values), default=_json_default, ensure_ascii=False))


def _json_default(value: object) -> object:
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str)
    return str(value)
