"""Staff casework on received applications: list, read, download, change status, export.

Used by the staff CLI (``portal inbox|show|download|set-status|export``) and meant for a
later staff API; it knows nothing about click or HTTP::

    casework = Casework(storage_from_env(), forms=load_forms)
    casework.inbox(date(2020, 9, 20), date(2020, 9, 26), kecamatan="getasan")
    casework.set_status("K7QM-2XRD-9F", "perlu-perbaikan", note="Foto KK buram.", by="Rina")
    casework.download("K7QM-2XRD-9F", Path("~/permohonan").expanduser(), forbidden=[...])
    write_csv(casework.export(date(2020, 9, 26), "ktp-el-baru"), Path("~/ekspor.csv"))

**History is append-only.** A status change reads the record with its etag, appends
``{at, by, from, to, note}`` and writes it back only if the record is still that
version (``put_json(if_match=etag)``). When another change got there first, the write
fails with ``PreconditionFailed`` and the change is re-applied to the fresh record, a
few times with jittered back-off: two staff changing one application at once both
get their entry, in the order the writes landed, and each entry's ``from`` is the
status the previous entry set.

**Personal data** (answers, files) is returned to the caller only: nothing here logs
answers, names, NIKs or tracking codes. Downloads and exports are written with
owner-only permissions (files 0600, folders 0700), atomically, and never inside the
folders the caller names as forbidden (the site build, the repository's content).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import layout, retention
from .clock import Clock, now_wib, parse_iso
from .private_files import write_private
from .scanning import ScanResult, scan_state
from .statuses import STATUS_LABELS
from .tracking import normalise_tracking_code

if TYPE_CHECKING:
    from .fields import FieldSpec
    from .forms import FormDefinition
    from .policy import Policy
    from .status_changes import ResultFile
    from .storage import Storage

__all__ = [
    "EXPORT_COLUMNS",
    "NOTE_MAX_LENGTH",
    "NOTE_REQUIRED",
    "STATUSES",
    "Application",
    "ApplicationNotFound",
    "Casework",
    "CaseworkError",
    "ConcurrentChange",
    "Download",
    "Export",
    "InboxEntry",
    "InvalidInput",
    "StatusChange",
    "UnsafeDestination",
    "check_destination",
    "clean_by",
    "clean_note",
    "kecamatan_field",
    "last_days",
    "parse_status",
    "write_csv",
    "at_revision",
]

log = logging.getLogger("dukcapil.casework")

STATUSES: tuple[str, ...] = tuple(STATUS_LABELS)
"""diterima, diproses, perlu_perbaikan, diperbaiki, selesai, ditolak (staff set all but diperbaiki)."""

NOTE_MAX_LENGTH = 500
"""Longest note (characters); the resident reads it in the status check."""

NOTE_REQUIRED = frozenset({"perlu_perbaikan", "ditolak"})
"""Statuses the resident cannot act on without a note saying what and why."""

BY_MAX_LENGTH = 80
MAX_INBOX_DAYS = 366
MAX_ATTEMPTS = 8
READ_WORKERS = 8

EXPORT_COLUMNS: tuple[str, ...] = ("tracking_code", "received_at", "status")
"""Columns every export starts with, before the form definition's ``export_columns``."""

_RECORD_KEY = re.compile(
    r"^applications/(?P<day>\d{4}-\d{2}-\d{2})/(?P<form>[^/]+)/(?P<code>[^/]+)/record\.json$"
)
_FORM_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SAFE_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
_FORMULA_START = ("=", "@", "\t", "\r", "+", "-")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d[\d ]*(?:[.,]\d+)?$")

FormsSource = Mapping[str, "FormDefinition"] | Callable[[], Mapping[str, "FormDefinition"]]


# --------------------------------------------------------------------------- errors


class CaseworkError(Exception):
    """A refusal staff can act on: ``message`` is an Indonesian sentence, ``code`` stable."""

    code = "casework_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class InvalidInput(CaseworkError):
    """A status, note, name, date, form id or tracking code that cannot be used."""

    code = "invalid_input"


class ApplicationNotFound(CaseworkError):
    """No application has that tracking code."""

    code = "not_found"


class ConcurrentChange(CaseworkError):
    """The record kept changing under us for every attempt (very busy application)."""

    code = "concurrent_change"


class UnsafeDestination(CaseworkError):
    """Personal data would be written into a folder where it may be published or committed."""

    code = "unsafe_destination"


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class InboxEntry:
    """One line of the inbox: nothing personal (no NIK, no name, no contact)."""

    tracking_code: str
    received_at: datetime
    day: str
    form_id: str
    form_title: str
    kecamatan: str  # the choice value (an office id), "" when unanswered
    kecamatan_label: str
    status: str
    key: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class Application:
    """One application's record as stored, with the etag it was read at."""

    key: str
    etag: str
    record: dict[str, Any]

    @property
    def tracking_code(self) -> str:
        return str(self.record.get("tracking_code", ""))

    @property
    def status(self) -> str:
        return str(self.record.get("status", ""))

    @property
    def history(self) -> list[dict[str, Any]]:
        return list(self.record.get("history") or [])


@dataclass(frozen=True)
class StatusChange:
    """A status change that was written: the new history entry and how many tries it took."""

    tracking_code: str
    entry: dict[str, Any]
    attempts: int
    record: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class Download:
    """Where an application was written: ``folder`` holds record.json and files/.

    ``scans`` pairs every file name with its malware-scan verdict; ``withheld`` names the
    files not written because a scanner found a threat in them."""

    folder: Path
    record: Path
    files: tuple[Path, ...]
    scans: tuple[tuple[str, ScanResult], ...] = ()
    withheld: tuple[str, ...] = ()


@dataclass(frozen=True)
class Export:
    """The rows of one day's applications to one form, columns first."""

    day: date
    form_id: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


# --------------------------------------------------------------------------- input checks


def at_revision(record: Mapping[str, Any], number: int | None) -> dict[str, Any]:
    """The record as it stood at revision ``number`` (answers and files); ``None``: the current.

    Revision 1 is the application; each correction adds one that holds only what it
    changed, so revision N is revisions 1..N applied in order (files replace the
    files of their attachment).

    Raises
    ------
    InvalidInput
        No such revision.
    """
    revisions = list(record.get("revisions") or [])
    if number is None or (revisions and number == len(revisions)):
        return dict(record)
    if not 1 <= number <= max(1, len(revisions)) or not revisions:
        raise InvalidInput(f"permohonan ini tidak punya revisi {number} (ada {max(1, len(revisions))})",
                           code="unknown_revision")
    values: dict[str, Any] = {}
    files: list[dict[str, Any]] = []
    for revision in revisions[:number]:
        values.update(revision.get("values") or {})
        replaced = {f.get("attachment") for f in revision.get("files") or []}
        files = [f for f in files if f.get("attachment") not in replaced] + list(revision.get("files") or [])
    return {**record, "values": values, "files": files, "shown_revision": number}


def parse_status(text: object) -> str:
    """Return the stored status for what staff typed.

    ``perlu-perbaikan``, ``perlu perbaikan``, ``Perlu_Perbaikan`` all give
    ``perlu_perbaikan``; labels (``Perlu perbaikan``) work too.

    Raises
    ------
    InvalidInput
        Not one of the five statuses.
    """
    wanted = re.sub(r"[\s-]+", "_", str(text or "").strip().casefold())
    if wanted in STATUS_LABELS:
        return wanted
    allowed = ", ".join(s.replace("_", "-") for s in STATUSES)
    raise InvalidInput(f"status '{text}' tidak dikenal; pilih salah satu: {allowed}",
                       code="unknown_status")


def clean_note(note: object, status: str) -> str:
    """Return the note as stored: whitespace collapsed, control characters removed.

    Raises
    ------
    InvalidInput
        Empty when the status needs a note (perlu perbaikan, ditolak), or longer than
        ``NOTE_MAX_LENGTH`` characters.
    """
    text = " ".join("".join(ch for ch in str(note or "") if ch.isprintable() or ch.isspace())
                    .split())
    if not text and status in NOTE_REQUIRED:
        raise InvalidInput(
            f"status '{STATUS_LABELS[status]}' wajib diberi catatan (--note) yang menjelaskan "
            "kepada warga apa yang harus dilakukan atau mengapa ditolak",
            code="note_required",
        )
    if len(text) > NOTE_MAX_LENGTH:
        raise InvalidInput(
            f"catatan terlalu panjang ({len(text)} karakter); paling banyak {NOTE_MAX_LENGTH}",
            code="note_too_long",
        )
    return text


def clean_by(by: object) -> str:
    """Return the staff name as stored. Raises ``InvalidInput`` when empty or too long."""
    text = " ".join(str(by or "").split())
    if not text:
        raise InvalidInput("nama petugas (--by) wajib diisi", code="by_required")
    if len(text) > BY_MAX_LENGTH or not text.isprintable():
        raise InvalidInput(f"nama petugas paling banyak {BY_MAX_LENGTH} karakter biasa",
                           code="by_invalid")
    return text


def last_days(count: int, today: date) -> tuple[date, date]:
    """``(first, last)`` of the ``count`` days ending today (the inbox's default range)."""
    return today - timedelta(days=count - 1), today


def kecamatan_field(form: FormDefinition | None) -> FieldSpec | None:
    """The form's kecamatan question: the choice field listing kecamatan offices.

    In order: a ``choice`` with ``choices_from: offices`` and ``office_kind: kecamatan``;
    any ``choice`` drawn from offices; a field whose id is ``kecamatan``.
    """
    if form is None:
        return None
    choices = [spec for spec in form.fields if spec.type == "choice"]
    for spec in choices:
        if spec.options.get("office_kind") == "kecamatan":
            return spec
    for spec in choices:
        if "office_kind" in spec.options:
            return spec
    return next((spec for spec in form.fields if spec.id == "kecamatan"), None)


def check_destination(path: Path, forbidden: Iterable[Path]) -> Path:
    """Return ``path`` resolved, if it is not inside (or equal to) a forbidden folder.

    Symbolic links are followed, so a link into ``build/`` is refused too.
    Nothing is created.

    Raises
    ------
    UnsafeDestination
        The folder lies inside one of ``forbidden``.
    """
    resolved = Path(path).expanduser().resolve()
    for folder in forbidden:
        bad = Path(folder).expanduser().resolve()
        if resolved == bad or bad in resolved.parents:
            raise UnsafeDestination(
                f"{resolved} ada di dalam {bad}: data pribadi warga tidak boleh disimpan di "
                "folder hasil build situs atau di folder repositori (bisa ikut terbit atau "
                "ter-commit). Pilih folder lain, misalnya di folder rumah Anda.",
            )
    return resolved


# --------------------------------------------------------------------------- service


class Casework:
    """Staff operations on one :class:`~chalicelib.storage.Storage`.

    Parameters
    ----------
    storage
        Either backend (S3 with the staff member's own credentials, or a local folder).
    forms
        Form definitions by id, or a function returning them (called on first use).
    clock
        Returns the current aware time; history entries are stamped in WIB.
    max_attempts
        How many times a status change is tried against concurrent changes.
    sleep
        Waits between attempts (tests pass a no-op).
    """

    def __init__(
        self,
        storage: Storage,
        forms: FormsSource,
        *,
        clock: Clock = now_wib,
        max_attempts: int = MAX_ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
        policy: Policy | Callable[[], Policy] | None = None,
        notifier: Callable[[], Any] | None = None,
    ) -> None:
        from .notices import Notices

        self.storage = storage
        self.notices = Notices(notifier)
        self._policy_source = policy if callable(policy) else None
        self._policy = None if callable(policy) else policy
        from .forms import LazyForms

        self._forms = LazyForms(forms)
        self._clock = clock
        self.max_attempts = max(1, max_attempts)
        self._sleep = sleep

    @property
    def forms(self) -> Mapping[str, FormDefinition]:
        """The form definitions, loaded on first use."""
        return self._forms.get()

    # ------------------------------------------------------------------ inbox

    def inbox(
        self,
        first_day: date,
        last_day: date,
        *,
        form_id: str | None = None,
        kecamatan: str | None = None,
        status: str | None = None,
    ) -> list[InboxEntry]:
        """Applications received on ``first_day``..``last_day`` (WIB days, inclusive).

        Filters: ``form_id``; ``kecamatan`` (office id or name, any case, with or without
        "Kecamatan"); ``status`` (as :func:`parse_status` reads it). Oldest first.

        Raises
        ------
        InvalidInput
            A reversed or too long range, a malformed form id, an unknown status.
        """
        if last_day < first_day:
            raise InvalidInput("tanggal akhir lebih awal dari tanggal awal", code="bad_range")
        span = (last_day - first_day).days + 1
        if span > MAX_INBOX_DAYS:
            raise InvalidInput(f"rentang paling panjang {MAX_INBOX_DAYS} hari", code="bad_range")
        if form_id is not None:
            _check_form_id(form_id)
        wanted_status = parse_status(status) if status else None
        keys: list[str] = []
        for offset in range(span):
            day = (first_day + timedelta(days=offset)).isoformat()
            prefix = f"{layout.APPLICATIONS_PREFIX}{day}/" + (f"{form_id}/" if form_id else "")
            keys.extend(k for k in self.storage.list_keys(prefix) if _RECORD_KEY.match(k))
        entries = [self._entry(key, record) for key, record in self._read_many(keys)]
        if wanted_status:
            entries = [e for e in entries if e.status == wanted_status]
        if kecamatan:
            entries = [e for e in entries if _same_place(kecamatan, e)]
        return sorted(entries, key=lambda e: (e.received_at, e.tracking_code))

    def _entry(self, key: str, record: Mapping[str, Any]) -> InboxEntry:
        match = _RECORD_KEY.match(key)
        assert match is not None  # keys were filtered by the same pattern
        form_id = str(record.get("form_id") or match["form"])
        form = self.forms.get(form_id)
        spec = kecamatan_field(form)
        values = record.get("values") or {}
        answer = values.get(spec.id if spec else "kecamatan")
        value = "" if answer is None else str(answer)
        labels = {c.value: c.label for c in spec.choices} if spec else {}
        try:
            received = parse_iso(str(record.get("received_at")))
        except ValueError:
            received = datetime.fromisoformat(f"{match['day']}T00:00:00+07:00")
        return InboxEntry(
            tracking_code=str(record.get("tracking_code") or match["code"]),
            received_at=received,
            day=match["day"],
            form_id=form_id,
            form_title=str(record.get("form_title") or (form.title if form else form_id)),
            kecamatan=value,
            kecamatan_label=labels.get(value, value),
            status=str(record.get("status", "")),
            key=key,
        )

    def _read_many(self, keys: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
        """Read records concurrently (S3 round trips dominate); missing ones are skipped."""
        if not keys:
            return []
        with ThreadPoolExecutor(max_workers=min(READ_WORKERS, len(keys))) as pool:
            loaded = list(pool.map(self.storage.get_json, keys))
        return [(key, item[0]) for key, item in zip(keys, loaded, strict=True) if item]

    # ------------------------------------------------------------------- read

    def get(self, tracking_code: str) -> Application:
        """The application with this tracking code (typed any way the resident reads it).

        Raises
        ------
        InvalidInput
            Not a well-formed tracking code (the check character catches typos).
        ApplicationNotFound
            No application has it.
        """
        code = normalise_tracking_code(tracking_code)
        if code is None:
            raise InvalidInput(
                f"'{tracking_code}' bukan kode pelacakan yang benar (contoh: K7QM-2XRD-9F); "
                "periksa setiap hurufnya",
                code="bad_tracking_code",
            )
        index = self.storage.get_json(layout.tracking_index_key(code))
        record_key = index[0].get("record") if index else None
        loaded = self.storage.get_json(str(record_key)) if record_key else None
        if loaded is None:
            raise ApplicationNotFound(f"permohonan {code} tidak ditemukan", code="not_found")
        return Application(key=str(record_key), etag=loaded[1], record=loaded[0])

    def form_of(self, application: Application) -> FormDefinition | None:
        """The form definition the application was made with (``None`` if it was removed)."""
        return self.forms.get(str(application.record.get("form_id", "")))

    # ------------------------------------------------------------------ status

    def set_status(self, tracking_code: str, status: str, *, note: str, by: str,
                   fields: Sequence[str] = (), attachments: Sequence[str] = (),
                   documents: Sequence[ResultFile] = (), collect_at: str | None = None,
                   collect_from: date | None = None, bring: Sequence[str] = ()) -> StatusChange:
        """Append a status change to the application's history and set its status.

        Parameters
        ----------
        tracking_code
            The application.
        status
            One of :data:`STATUSES` (hyphens, spaces and labels accepted).
        note
            What the resident reads in the status check; required for ``perlu_perbaikan``
            and ``ditolak``; at most :data:`NOTE_MAX_LENGTH` characters.
        by
            The staff member's name (kept in the history; residents do not see it).
        fields, attachments
            ``perlu_perbaikan``: the ids (from the form definition) of the questions and
            attachments the resident must send again.
        documents
            ``selesai`` for a document service: the finished PDFs.
        collect_at, collect_from, bring
            ``selesai`` for a card service (KTP-el, KIA): the office id, the first day,
            and what to bring besides the office's default list.

        Returns
        -------
        StatusChange
            The entry written and the number of attempts it took.

        Raises
        ------
        InvalidInput, ApplicationNotFound
            Before anything is written.
        ConcurrentChange
            Every attempt met a newer version (``max_attempts`` concurrent changes).
        """
        from .record_updates import ConcurrentChange as Lost
        from .record_updates import apply_change
        from .status_changes import StatusChanges, StatusRefused, StatusRequest

        new_status = parse_status(status)
        request = StatusRequest(
            status=new_status, note=clean_note(note, new_status), by=clean_by(by),
            fields=tuple(fields), attachments=tuple(attachments), documents=tuple(documents),
            collect_at=collect_at, collect_from=collect_from, bring=tuple(bring))
        application = self.get(tracking_code)
        changes = StatusChanges(self.storage, self.policy, clock=self._clock)
        try:
            change = changes.prepare(application.key, application.record,
                                     self.form_of(application), request)
            record, attempts = apply_change(self.storage, application.key, change,
                                            max_attempts=self.max_attempts, sleep=self._sleep,
                                            first=(application.record, application.etag))
        except StatusRefused as refused:
            raise InvalidInput(refused.message, code=refused.code) from None
        except Lost:
            raise ConcurrentChange(
                "permohonan ini sedang diubah petugas lain terus-menerus; tunggu sebentar lalu "
                "coba lagi",
            ) from None
        entry = record["history"][-1]
        retention.after_status_change(self.storage, application.key, application.tracking_code,
                                      entry["from"], new_status)
        self.notices.changed(record, self.form_of(application))  # never raises
        log.info("set_status ok form=%s to=%s attempts=%d", record.get("form_id"), new_status,
                 attempts)
        return StatusChange(application.tracking_code, entry, attempts, record)

    @property
    def policy(self) -> Policy:
        """The office's lifecycle rules (``content/applications.yml``), loaded on first use."""
        if self._policy is None:
            source = self._policy_source
            if source is None:
                from .paths import content_dir
                from .policy import load_policy

                def source() -> Policy:
                    return load_policy(content_dir())
            self._policy = source()
        return self._policy

    # ---------------------------------------------------------------- download

    def download(self, tracking_code: str, destination: Path, *,
                 forbidden: Iterable[Path] = (), revision: int | None = None) -> Download:
        """Write ``record.json`` and every file into ``destination/<CODE>/``.

        Files are 0600 and folders 0700 (``destination`` itself is created 0700 when it
        does not exist; an existing one keeps its mode). Files keep the server-chosen
        names (``files/00-kk.pdf``), never the resident's own file names. A file a malware
        scanner tagged as a threat is never written (an earlier copy of it in the folder is
        removed) and is listed in ``withheld``; files not yet scanned are written, and
        ``scans`` says so. With ``revision``, the files as they were at that revision go
        into ``destination/<CODE>/revisi-<N>/`` (the record, with every revision, too).

        Raises
        ------
        UnsafeDestination
            ``destination`` is inside a forbidden folder (checked before anything else).
        InvalidInput, ApplicationNotFound
            Bad or unknown tracking code, or no such revision.
        """
        base = check_destination(destination, forbidden)
        application = self.get(tracking_code)
        shown = at_revision(application.record, revision)
        folder = base / application.tracking_code
        if revision is not None:
            folder = folder / f"revisi-{revision}"
        _private_dirs(base, folder / "files")
        record_path = folder / "record.json"
        written: list[Path] = []
        scans: list[tuple[str, ScanResult]] = []
        for index, item in enumerate(shown.get("files") or []):
            name = str(item.get("key", "")).rsplit("/", 1)[-1]
            if not _SAFE_FILE.match(name):
                name = f"{int(item.get('index', index)):02d}-berkas.bin"
            target = folder / "files" / name
            scans.append((name, scan_state(self.storage, str(item["key"]))))
            if scans[-1][1].infected:
                target.unlink(missing_ok=True)
                continue
            _write_private(target, self.storage.read_bytes(str(item["key"])))
            written.append(target)
        body = json.dumps(application.record, ensure_ascii=False, indent=2) + "\n"
        _write_private(record_path, body.encode("utf-8"))
        withheld = tuple(name for name, scan in scans if scan.infected)
        log.info("download form=%s files=%d withheld=%d", application.record.get("form_id"),
                 len(written), len(withheld))
        return Download(folder=folder, record=record_path, files=tuple(written),
                        scans=tuple(scans), withheld=withheld)

    def scan_states(self, application: Application) -> dict[str, ScanResult]:
        """The malware-scan verdict of each of the application's files, by storage key."""
        return {str(item["key"]): scan_state(self.storage, str(item["key"]))
                for item in application.record.get("files") or []}

    # ------------------------------------------------------------------ export

    def forms_received(self, day: date) -> list[str]:
        """Ids of the forms with at least one application received on ``day``."""
        found = set()
        for key in self.storage.list_keys(f"{layout.APPLICATIONS_PREFIX}{day.isoformat()}/"):
            match = _RECORD_KEY.match(key)
            if match:
                found.add(match["form"])
        return sorted(found)

    def export(self, day: date, form_id: str) -> Export:
        """One day's applications to one form, as rows for the office's own systems.

        Columns: :data:`EXPORT_COLUMNS` then the form definition's ``export_columns``;
        cells from ``FormDefinition.export_row``. Oldest first.

        Raises
        ------
        InvalidInput
            Unknown form, or its export columns clash with the three fixed ones.
        """
        _check_form_id(form_id)
        form = self.forms.get(form_id)
        if form is None:
            known = ", ".join(sorted(self.forms)) or "belum ada"
            raise InvalidInput(f"formulir '{form_id}' tidak ada di content/forms/ (yang ada: "
                               f"{known})", code="unknown_form")
        clash = sorted(set(EXPORT_COLUMNS) & set(form.export_columns))
        if clash:
            raise InvalidInput(
                f"kolom ekspor {', '.join(clash)} di formulir '{form_id}' bentrok dengan kolom "
                f"tetap ({', '.join(EXPORT_COLUMNS)}); ubah 'export' isian itu",
                code="export_column_clash",
            )
        prefix = f"{layout.APPLICATIONS_PREFIX}{day.isoformat()}/{form_id}/"
        keys = [k for k in self.storage.list_keys(prefix) if _RECORD_KEY.match(k)]
        records = [record for _, record in self._read_many(keys)]
        records.sort(key=lambda r: (str(r.get("received_at", "")), str(r.get("tracking_code"))))
        rows = tuple(
            (
                str(r.get("tracking_code", "")),
                str(r.get("received_at", "")),
                str(r.get("status", "")),
                *form.export_row(r.get("values") or {}),
            )
            for r in records
        )
        return Export(day, form_id, (*EXPORT_COLUMNS, *form.export_columns), rows)


# --------------------------------------------------------------------------- CSV


def write_csv(export: Export, path: Path, *, delimiter: str = ",",
              forbidden: Iterable[Path] = ()) -> Path:
    """Write an export as CSV for Excel and other systems; return the file's path.

    UTF-8 with a byte order mark (Excel then reads names with accents correctly; other
    CSV readers skip it with ``utf-8-sig``), CRLF line ends (RFC 4180), every cell
    quoted when needed. A cell that a spreadsheet would run as a formula (starting with
    ``=``, ``@``, ``+`` or ``-`` and not a plain number such as ``+6281234567890``) gets
    a leading apostrophe. The file is 0600 and written atomically.

    Raises
    ------
    UnsafeDestination
        ``path`` is inside a forbidden folder.
    InvalidInput
        ``delimiter`` is not ``,`` or ``;``.
    """
    if delimiter not in (",", ";"):
        raise InvalidInput("pemisah kolom harus ',' atau ';'", code="bad_delimiter")
    target = check_destination(path, forbidden)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(export.columns)
    writer.writerows([_cell(value) for value in row] for row in export.rows)
    _private_dirs(target.parent, target.parent)
    _write_private(target, buffer.getvalue().encode("utf-8-sig"))
    log.info("export form=%s rows=%d", export.form_id, len(export.rows))
    return target


def _cell(value: str) -> str:
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


# --------------------------------------------------------------------------- helpers


def _check_form_id(form_id: str) -> None:
    if not _FORM_ID.match(form_id or ""):
        raise InvalidInput(f"'{form_id}' bukan id formulir (huruf kecil, angka, tanda hubung)",
                           code="bad_form_id")


def _same_place(query: str, entry: InboxEntry) -> bool:
    def norm(text: str) -> str:
        text = " ".join(text.casefold().replace("-", " ").split())
        return text.removeprefix("kecamatan ").strip()

    wanted = norm(query)
    return bool(wanted) and wanted in {norm(entry.kecamatan), norm(entry.kecamatan_label)}


def _private_dirs(base: Path, leaf: Path) -> None:
    """Create ``base`` (0700, if missing) and every folder from it down to ``leaf`` (0700)."""
    if not base.exists():
        base.mkdir(mode=0o700, parents=True)
        os.chmod(base, 0o700)
    current = base
    for part in leaf.relative_to(base).parts:
        current = current / part
        if current.is_symlink():
            raise UnsafeDestination(f"{current} adalah tautan simbolik; hapus dulu")
        if not current.exists():
            current.mkdir(mode=0o700)
        os.chmod(current, 0o700)


_write_private = write_private  # kept for the modules that import it from here
