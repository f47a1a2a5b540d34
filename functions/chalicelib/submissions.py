"""The submission service: create, complete and look up applications.

Files never pass through the function. The flow (see ``shared/DESIGN.md``)::

    service = SubmissionService(storage, forms=load_forms)
    offer = service.create(parse_create_request(body))     # pending + presigned POSTs
    # ... the browser posts each file to offer["uploads"][i]["url"] ...
    receipt = service.complete(offer["submission_id"])     # verified, final record
    service.status(receipt["tracking_code"], receipt["status_token"])

Every step is safe to repeat:

* ``create`` with the same idempotency key and the same answers returns the
  same submission (with fresh upload URLs); different answers under a used key
  are a :class:`~chalicelib.errors.Conflict`.
* ``complete`` checks every declared object (present, exact size, within the
  attachment's limit, type by magic bytes) before anything is written; then it
  *claims* the submission by writing ``pending/<id>/receipt.json`` with a
  conditional put, and finishes (copy files, write record) idempotently, so a
  repeated or concurrent call, or one after a crash half way, returns the same
  receipt.
* ``status`` answers only to the tracking code with its valid, unexpired token;
  anything else is the same :class:`~chalicelib.errors.NotFound`.

The key layout is in :mod:`chalicelib.layout`. Logs carry form ids, submission
ids and error codes only: never answers, names of files, tracking codes or tokens.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import layout
from .clock import Clock, format_wib, isoformat_wib, now_wib, parse_iso
from .errors import Conflict, NotFound, Unprocessable, field_error
from .payloads import CreateRequest, FileDeclaration, is_submission_id
from .tracking import (
    hash_token,
    new_status_token,
    new_tracking_code,
    normalise_tracking_code,
    token_matches,
)

if TYPE_CHECKING:
    from .forms import FormDefinition
    from .storage import Storage

__all__ = [
    "STATUS_LABELS",
    "INITIAL_STATUS",
    "Settings",
    "SubmissionService",
]

log = logging.getLogger("dukcapil.submissions")

STATUS_LABELS: dict[str, str] = {
    "diterima": "Diterima",
    "diproses": "Diproses",
    "perlu_perbaikan": "Perlu perbaikan",
    "selesai": "Selesai",
    "ditolak": "Ditolak",
}
"""Application statuses (staff change them; see issue 5) and how residents read them."""

INITIAL_STATUS = "diterima"
RECORD_SCHEMA = 1

_NOT_FOUND_STATUS = (
    "Kode pelacakan atau token tidak cocok. Periksa kembali keduanya seperti tertulis "
    "pada tanda terima."
)
_DUMMY_HASH = hash_token("tidak-ada")

FormsSource = Mapping[str, "FormDefinition"] | Callable[[], Mapping[str, "FormDefinition"]]


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


class SubmissionService:
    """Create, complete and look up submissions on one :class:`Storage`.

    Parameters
    ----------
    storage:
        Any backend of :mod:`chalicelib.storage` (S3 or local folder).
    forms:
        The form definitions by id, or a function returning them (called once,
        on first use, so that importing the app stays cheap).
    clock:
        Returns the current aware time; WIB is used for every stored time.
    settings:
        Expiry times; the defaults suit production.
    """

    def __init__(
        self,
        storage: Storage,
        forms: FormsSource,
        *,
        clock: Clock = now_wib,
        settings: Settings | None = None,
    ) -> None:
        self.storage = storage
        from .forms import LazyForms

        self._forms = LazyForms(forms)
        self._clock = clock
        self.settings = settings or Settings()

    # ------------------------------------------------------------------ forms

    @property
    def forms(self) -> Mapping[str, FormDefinition]:
        """The form definitions, loaded on first use."""
        return self._forms.get()

    def form(self, form_id: str) -> FormDefinition:
        """Return one form definition.

        Raises
        ------
        NotFound
            No form has that id.
        """
        form = self.forms.get(form_id) if isinstance(form_id, str) else None
        if form is None:
            raise NotFound(
                "Formulir tidak ditemukan. Buka kembali formulir dari daftar layanan.",
                code="form_not_found",
            )
        return form

    # ----------------------------------------------------------------- create

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
        form = self.form(request.form_id)
        now = self._clock()
        result = form.validate(
            request.values, today=now.date(), confirmed_warnings=request.confirmed_warnings
        )
        problems = [*result.errors, *result.unconfirmed_warnings]
        problems.extend(form.check_files([_declared_file(f) for f in request.files]))
        if problems:
            errors = [p.to_dict() for p in problems]
            log.info(
                "create refused form=%s codes=%s",
                request.form_id,
                ",".join(sorted({e["code"] for e in errors})),
            )
            has_errors = any(e.get("severity", "error") == "error" for e in errors)
            raise Unprocessable(
                "Ada isian yang perlu diperbaiki. Periksa pesan di setiap isian."
                if has_errors
                else "Ada isian yang perlu Anda periksa dan konfirmasi sebelum dikirim.",
                code="validation_failed" if has_errors else "confirmation_required",
                errors=errors,
            )

        payload_hash = _payload_hash(request.form_id, result.values, request.files)
        index_key = layout.idempotency_index_key(request.idempotency_key)
        submission_id = secrets.token_hex(16)
        pending = self._pending_record(
            submission_id, form, request, result.values, payload_hash, now
        )
        entry = {
            "submission_id": submission_id,
            "payload_sha256": payload_hash,
            "created_at": isoformat_wib(now),
        }
        owner = self._claim_key(index_key, entry, now)
        if owner is not None:  # a retry, or a concurrent twin: answer with that submission
            return self._replay(owner, pending, payload_hash)
        self.storage.put_json(layout.pending_record_key(submission_id), pending)
        log.info(
            "create ok form=%s submission=%s files=%d",
            request.form_id,
            submission_id,
            len(request.files),
        )
        return self._offer(pending, replayed=False)

    def _claim_key(
        self, key: str, entry: dict[str, Any], now: datetime
    ) -> dict[str, Any] | None:
        """Own an idempotency key: ``None`` if this request now does, else the owner's entry.

        One conditional put in the common case (a new key). An entry older than
        ``idempotency_ttl`` is taken over (conditional on its etag), so keys expire
        on both backends even where no lifecycle rule removes them.
        """
        from .storage import AlreadyExists, PreconditionFailed

        etag: str | None = None
        for _ in range(4):
            try:
                if etag is None:
                    self.storage.put_json(key, entry, if_none_match=True)
                else:
                    self.storage.put_json(key, entry, if_match=etag)
                return None
            except (AlreadyExists, PreconditionFailed):
                current = self.storage.get_json(key)
                if current is None:  # removed meanwhile: try to create it again
                    etag = None
                    continue
                data, etag = current
                if self._fresh(data, self.settings.idempotency_ttl, now):
                    return data
        raise Conflict(  # pragma: no cover - four lost races in a row
            "Pengiriman sedang diproses. Tunggu sebentar lalu coba lagi.",
            code="idempotency_busy",
        )

    def _replay(
        self, entry: Mapping[str, Any], pending: dict[str, Any], payload_hash: str
    ) -> dict[str, Any]:
        """Answer a create whose idempotency key is already in use."""
        if entry.get("payload_sha256") != payload_hash:
            log.info("create conflict form=%s", pending["form_id"])
            raise Conflict(
                "Kunci pengiriman ini sudah dipakai untuk isian atau berkas yang berbeda. "
                "Muat ulang halaman formulir lalu kirim lagi sebagai pengajuan baru.",
                code="idempotency_key_reused",
            )
        submission_id = str(entry["submission_id"])
        receipt = self.storage.get_json(layout.pending_receipt_key(submission_id))
        if receipt is not None:
            log.info("create replay form=%s submission=%s received", pending["form_id"],
                     submission_id)
            return {
                "submission_id": submission_id,
                "form_id": pending["form_id"],
                "status": "received",
                "replayed": True,
                "uploads": [],
                "receipt": receipt[0]["receipt"],
            }
        stored = self.storage.get_json(layout.pending_record_key(submission_id))
        if stored is None:  # the first request stopped between its two writes
            same = dict(pending, submission_id=submission_id)
            same["files"] = _file_entries(submission_id, pending["files"])
            same["created_at"] = entry.get("created_at", pending["created_at"])
            self.storage.put_json(layout.pending_record_key(submission_id), same)
            stored = (same, "")
        log.info("create replay form=%s submission=%s", pending["form_id"], submission_id)
        return self._offer(stored[0], replayed=True)

    def _pending_record(
        self,
        submission_id: str,
        form: FormDefinition,
        request: CreateRequest,
        values: Mapping[str, Any],
        payload_hash: str,
        now: datetime,
    ) -> dict[str, Any]:
        files = [
            {
                "index": i,
                "attachment": f.attachment,
                "name": f.name,
                "size": f.size,
                "type": f.type,
            }
            for i, f in enumerate(request.files)
        ]
        return {
            "schema": RECORD_SCHEMA,
            "submission_id": submission_id,
            "form_id": request.form_id,
            "form_title": _form_title(form),
            "status": "pending",
            "created_at": isoformat_wib(now),
            "payload_sha256": payload_hash,
            "values": _jsonable(values),
            "confirmed_warnings": list(request.confirmed_warnings),
            "files": _file_entries(submission_id, files),
        }

    def _offer(self, pending: Mapping[str, Any], *, replayed: bool) -> dict[str, Any]:
        """Presigned POSTs for every declared file of a pending submission."""
        uploads = []
        expires_at: str | None = None
        for f in pending["files"]:
            post = self.storage.presign_post(
                f["key"],
                content_type=f["type"],
                max_bytes=f["size"],
                expires_in=self.settings.upload_expiry,
            )
            offer = post.to_dict()
            offer["expires_at"] = expires_at = isoformat_wib(post.expires_at)
            uploads.append(
                {
                    "index": f["index"],
                    "attachment": f["attachment"],
                    "name": f["name"],
                    "size": f["size"],
                    "type": f["type"],
                    **offer,
                }
            )
        return {
            "submission_id": pending["submission_id"],
            "form_id": pending["form_id"],
            "status": "pending",
            "replayed": replayed,
            "expires_at": expires_at,
            "uploads": uploads,
        }

    # --------------------------------------------------------------- complete

    def complete(self, submission_id: str) -> dict[str, Any]:
        """Verify the uploads of a pending submission and receive it.

        Returns
        -------
        dict
            The receipt: ``tracking_code``, ``received_at`` (ISO, +07:00),
            ``received_at_text``, ``status``, ``status_token`` (shown only here),
            ``status_token_expires_at`` and ``summary``. The same receipt on every
            repeated call.

        Raises
        ------
        NotFound
            No such pending submission, or it expired.
        Unprocessable
            One or more files are missing, of the wrong size or type; ``errors``
            has one entry per file (``field`` is ``files.<attachment id>`` as in
            :meth:`FormDefinition.check_files`, ``index`` the file's position in
            the declaration).
        """
        pending = self._load_pending(submission_id)
        loaded = self.storage.get_json(layout.pending_receipt_key(submission_id))
        if loaded is None:
            form = self.form(pending["form_id"])
            self._verify_uploads(form, pending)
            claim, won = self._claim(form, pending)
        else:
            claim, won = loaded[0], False
        self._finalise(pending, claim, fresh=won)
        log.info("complete ok form=%s submission=%s", pending["form_id"], submission_id)
        return dict(claim["receipt"])

    def _load_pending(self, submission_id: str) -> dict[str, Any]:
        missing = NotFound(
            "Pengajuan tidak ditemukan atau sudah kedaluwarsa. Kirim ulang formulir.",
            code="submission_not_found",
        )
        if not is_submission_id(submission_id):
            raise missing
        loaded = self.storage.get_json(layout.pending_record_key(submission_id))
        if loaded is None:
            raise missing
        pending = loaded[0]
        if not self._fresh(pending, self.settings.pending_ttl, self._clock()):
            log.info("complete expired submission=%s", submission_id)
            raise missing
        return pending

    def _verify_uploads(self, form: FormDefinition, pending: Mapping[str, Any]) -> None:
        """Check every declared object really arrived, as declared and allowed.

        This holds even if a presigned policy was bypassed: the size is read from
        storage, the type from the object's first bytes.
        """
        specs = {a.id: a for a in form.attachments}
        errors: list[dict[str, Any]] = []
        arrived: list[Any] = []
        for f in pending["files"]:
            problem = self._check_upload(f, specs.get(f["attachment"]))
            if problem is not None:
                entry = field_error(f"files.{f['attachment']}", *problem)
                entry["index"] = f["index"]
                errors.append(entry)
            else:
                declared = FileDeclaration(f["attachment"], f["name"], f["size"], f["type"])
                arrived.append(_declared_file(declared))
        if not errors:  # limits and counts again, on what really arrived
            errors.extend(problem.to_dict() for problem in form.check_files(arrived))
        if errors:
            log.info(
                "complete refused form=%s submission=%s codes=%s",
                pending["form_id"],
                pending["submission_id"],
                ",".join(sorted({e["code"] for e in errors})),
            )
            raise Unprocessable(
                "Ada berkas yang belum diterima dengan benar. Unggah ulang berkas yang ditandai.",
                code="files_invalid",
                errors=errors,
            )

    def _check_upload(self, declared: Mapping[str, Any], spec: Any) -> tuple[str, str] | None:
        """``(code, message)`` for what is wrong with one uploaded object, or ``None``."""
        from .filetypes import HEAD_BYTES, sniff

        name = declared["name"]
        accepted: Sequence[str] = tuple(getattr(spec, "accept", ()) or ())
        max_bytes: int | None = getattr(spec, "max_bytes", None)
        info = self.storage.head(declared["key"])
        if info is None:
            return (
                "file_missing",
                f"Berkas “{name}” belum sampai. Unggah ulang berkas ini lalu kirim lagi",
            )
        if max_bytes is not None and info.size > max_bytes:
            return (
                "file_too_large",
                f"Berkas “{name}” terlalu besar ({_human_size(info.size)}); "
                f"paling besar {_human_size(max_bytes)}",
            )
        if info.size != declared["size"]:
            return (
                "file_size_mismatch",
                f"Berkas “{name}” yang sampai ({_human_size(info.size)}) tidak sama dengan "
                f"yang dipilih ({_human_size(declared['size'])}). Unggah ulang berkas ini",
            )
        sniffed = sniff(self.storage.read_range(declared["key"], HEAD_BYTES))
        if sniffed is None or (accepted and sniffed not in accepted):
            kinds = ", ".join(_type_label(t) for t in accepted) or "yang diizinkan"
            return (
                "file_type_invalid",
                f"Isi berkas “{name}” bukan jenis yang diterima ({kinds}). "
                "Pilih berkas hasil pindaian atau foto yang benar",
            )
        if sniffed != declared["type"]:
            return (
                "file_type_mismatch",
                f"Isi berkas “{name}” adalah {_type_label(sniffed)}, bukan "
                f"{_type_label(declared['type'])} seperti yang dipilih. Unggah ulang berkas ini",
            )
        return None

    def _claim(
        self, form: FormDefinition, pending: Mapping[str, Any]
    ) -> tuple[dict[str, Any], bool]:
        """Decide the receipt and claim the submission with a conditional write.

        Returns the claim and whether this call won it (a concurrent call may have).
        """
        from .storage import AlreadyExists

        now = self._clock()
        day = now.date().isoformat()
        token = new_status_token()
        token_expires = now + self.settings.token_ttl
        for _ in range(8):
            code = new_tracking_code()
            record = layout.record_key(day, pending["form_id"], code)
            entry = {
                "tracking_code": code,
                "record": record,
                "form_id": pending["form_id"],
                "received_at": isoformat_wib(now),
                "token_sha256": hash_token(token),
                "token_expires_at": isoformat_wib(token_expires),
            }
            try:
                self.storage.put_json(layout.tracking_index_key(code), entry, if_none_match=True)
                break
            except AlreadyExists:
                continue
        else:  # pragma: no cover - 8 collisions in a 2**44 space
            raise RuntimeError("could not allocate a tracking code")
        files = [
            {
                **f,
                "final_key": layout.final_file_key(
                    day, pending["form_id"], code, f["key"].rsplit("/", 1)[-1]
                ),
            }
            for f in pending["files"]
        ]
        claim = {
            "tracking_code": code,
            "record": record,
            "received_at": isoformat_wib(now),
            "token_sha256": entry["token_sha256"],
            "token_expires_at": entry["token_expires_at"],
            "files": files,
            "receipt": {
                "tracking_code": code,
                "submission_id": pending["submission_id"],
                "form_id": pending["form_id"],
                "form_title": pending.get("form_title", pending["form_id"]),
                "received_at": isoformat_wib(now),
                "received_at_text": format_wib(now),
                "status": INITIAL_STATUS,
                "status_label": STATUS_LABELS[INITIAL_STATUS],
                "status_token": token,
                "status_token_expires_at": isoformat_wib(token_expires),
                "status_token_expires_text": format_wib(token_expires),
                "summary": _summary(form, pending),
            },
        }
        try:
            self.storage.put_json(
                layout.pending_receipt_key(pending["submission_id"]), claim, if_none_match=True
            )
        except AlreadyExists:  # a concurrent complete won: use its receipt
            self.storage.delete(layout.tracking_index_key(code))
            loaded = self.storage.get_json(layout.pending_receipt_key(pending["submission_id"]))
            if loaded is None:  # pragma: no cover - deleted between two calls
                raise
            return loaded[0], False
        return claim, True

    def _finalise(
        self, pending: Mapping[str, Any], claim: Mapping[str, Any], *, fresh: bool = False
    ) -> None:
        """Copy the files and write the final record (each step safe to repeat).

        ``fresh``: the claim was made just now, so the record cannot exist yet and
        the check for it is skipped (one storage call less).
        """
        from .storage import AlreadyExists

        if not fresh and self.storage.head(claim["record"]) is not None:
            return
        for f in claim["files"]:
            self.storage.copy(f["key"], f["final_key"])
        received = claim["received_at"]
        record = {
            "schema": RECORD_SCHEMA,
            "tracking_code": claim["tracking_code"],
            "submission_id": pending["submission_id"],
            "form_id": pending["form_id"],
            "form_title": pending.get("form_title", pending["form_id"]),
            "created_at": pending["created_at"],
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
            "values": pending["values"],
            "confirmed_warnings": pending.get("confirmed_warnings", []),
            "files": [
                {
                    "index": f["index"],
                    "attachment": f["attachment"],
                    "name": f["name"],
                    "size": f["size"],
                    "type": f["type"],
                    "key": f["final_key"],
                }
                for f in claim["files"]
            ],
            "status_token": {
                "sha256": claim["token_sha256"],
                "expires_at": claim["token_expires_at"],
            },
        }
        try:
            self.storage.put_json(claim["record"], record, if_none_match=True)
        except AlreadyExists:
            return
        for f in claim["files"]:
            self.storage.delete(f["key"])

    # ----------------------------------------------------------------- status

    def status(self, tracking_code: object, token: object) -> dict[str, Any]:
        """Status and history of one application, for the holder of its token.

        Raises
        ------
        NotFound
            Unknown code, missing/wrong/expired token: always the same answer.
        """
        code = normalise_tracking_code(tracking_code)
        loaded = self.storage.get_json(layout.tracking_index_key(code)) if code else None
        entry = loaded[0] if loaded else {}
        stored_hash = entry.get("token_sha256")
        matches = token_matches(token, stored_hash if isinstance(stored_hash, str) else _DUMMY_HASH)
        not_found = NotFound(_NOT_FOUND_STATUS, code="status_not_found")
        if not loaded or not matches or self._expired(entry.get("token_expires_at")):
            log.info("status refused")
            raise not_found
        record = self.storage.get_json(str(entry["record"]))
        if record is None:
            raise not_found
        data = record[0]
        status = str(data.get("status", INITIAL_STATUS))
        return {
            "tracking_code": code,
            "form_id": data.get("form_id"),
            "form_title": data.get("form_title"),
            "received_at": data.get("received_at"),
            "received_at_text": _format_iso(data.get("received_at")),
            "status": status,
            "status_label": STATUS_LABELS.get(status, status),
            "history": [_public_history(h) for h in data.get("history", [])],
            "status_token_expires_at": entry.get("token_expires_at"),
        }

    # ---------------------------------------------------------------- cleanup

    def purge_expired(self) -> int:
        """Delete expired pending submissions and idempotency entries; return how many.

        S3 does this with the bucket's lifecycle rules; the local folder backend
        has none, so the local server calls this at start.
        """
        now = self._clock()
        removed = 0
        groups: dict[str, list[str]] = {}
        for key in self.storage.list_keys(layout.PENDING_PREFIX):
            submission = key[len(layout.PENDING_PREFIX) :].split("/", 1)[0]
            groups.setdefault(submission, []).append(key)
        for submission, keys in groups.items():
            loaded = self.storage.get_json(layout.pending_record_key(submission))
            if loaded is not None and self._fresh(loaded[0], self.settings.pending_ttl, now):
                continue
            for key in keys:
                self.storage.delete(key)
            removed += 1
        for key in list(self.storage.list_keys(layout.IDEMPOTENCY_PREFIX)):
            loaded = self.storage.get_json(key)
            if loaded is None or not self._fresh(loaded[0], self.settings.idempotency_ttl, now):
                self.storage.delete(key)
                removed += 1
        return removed

    # ---------------------------------------------------------------- helpers

    @staticmethod
    def _fresh(data: Mapping[str, Any], ttl: timedelta, now: datetime) -> bool:
        try:
            created = parse_iso(str(data["created_at"]))
        except (KeyError, ValueError):
            return False
        return now - created < ttl

    def _expired(self, moment: object) -> bool:
        try:
            return parse_iso(str(moment)) <= self._clock()
        except ValueError:
            return True


# ---------------------------------------------------------------- module helpers


def _declared_file(f: FileDeclaration) -> Any:
    from .forms import DeclaredFile

    return DeclaredFile(attachment=f.attachment, name=f.name, size=f.size, type=f.type)


def _file_entries(submission_id: str, files: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **{k: f[k] for k in ("index", "attachment", "name", "size", "type")},
            "key": layout.pending_upload_key(
                submission_id, int(f["index"]), str(f["attachment"]), str(f["type"])
            ),
        }
        for f in files
    ]


def _payload_hash(form_id: str, values: Mapping[str, Any], files: Sequence[FileDeclaration]) -> str:
    canonical = json.dumps(
        {
            "form_id": form_id,
            "values": _jsonable(values),
            "files": [[f.attachment, f.name, f.size, f.type] for f in files],
        },
        sort_keys=True,
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    """Normalised answers as plain JSON (dates become ISO strings)."""
    return json.loads(json.dumps(dict(values), default=_json_default, ensure_ascii=False))


def _json_default(value: object) -> object:
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str)
    return str(value)


def _form_title(form: FormDefinition) -> str:
    return str(getattr(form, "title", None) or getattr(form, "id", ""))


def _summary(form: FormDefinition, pending: Mapping[str, Any]) -> dict[str, Any]:
    """What the receipt repeats back: form title, answered questions, files.

    A receipt is printed and may be left on a shared computer, so only the
    answers to choice questions (a kecamatan, a kind of request) are repeated;
    for every other answered question only its label is listed (``value`` is
    ``None``): no NIK, name, phone number or address.
    """
    values = pending["values"]
    fields = []
    for spec in getattr(form, "fields", ()):
        answer = values.get(spec.id)
        if answer in (None, "", [], {}):
            continue
        shown = None
        if spec.type == "choice":
            labels = {c.value: c.label for c in getattr(spec, "choices", ())}
            shown = labels.get(str(answer), str(answer))
        fields.append({"id": spec.id, "label": spec.label, "value": shown})
    labels = {a.id: a.label for a in form.attachments}
    counts: dict[str, int] = {}
    for f in pending["files"]:
        counts[f["attachment"]] = counts.get(f["attachment"], 0) + 1
    return {
        "form_title": pending.get("form_title", pending["form_id"]),
        "fields": fields,
        "files": [
            {"attachment": a, "label": labels.get(a, a), "count": n} for a, n in counts.items()
        ],
    }


def _public_history(entry: Mapping[str, Any]) -> dict[str, Any]:
    status = str(entry.get("to", ""))
    return {
        "at": entry.get("at"),
        "at_text": _format_iso(entry.get("at")),
        "status": status,
        "status_label": STATUS_LABELS.get(status, status),
        "note": entry.get("note", ""),
    }


def _format_iso(moment: object) -> str | None:
    try:
        return format_wib(parse_iso(str(moment)))
    except ValueError:
        return None


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bita"


_TYPE_LABELS = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WebP",
    "image/gif": "GIF",
    "image/heic": "HEIC",
    "image/tiff": "TIFF",
}


def _type_label(content_type: str | None) -> str:
    return _TYPE_LABELS.get(content_type or "", content_type or "tidak dikenal")
