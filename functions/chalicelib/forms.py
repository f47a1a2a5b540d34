"""Form definitions (``content/forms/<id>.yml``): load them, check them, use them.

    from chalicelib.forms import load_forms, DeclaredFile
    forms = load_forms()                      # {"ktp-el-baru": FormDefinition, ...}
    form = forms["ktp-el-baru"]
    result = form.validate(body["values"], today=today_wib(),
                           confirmed_warnings=body.get("confirmed_warnings", ()))
    problems = [*result.errors, *result.unconfirmed_warnings,
                *form.check_files([DeclaredFile(**f) for f in body["files"]])]
    form.to_public_dict()                     # what the site and the browser render

A definition is the single source of truth for a form: the site renders its
HTML from `FormDefinition.to_public_dict`, the browser mirrors its checks with
the same messages, the function validates with `FormDefinition.validate` and
`FormDefinition.check_files`, and staff exports use `FormDefinition.export_columns`.

A broken definition never half-loads: `load_forms` reads every file, collects
every problem as ``file:line: key: what is wrong`` and raises one
`FormDefinitionError` listing them all.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from . import nik as nikmod
from .fields import (
    FIELD_ID,
    FieldError,
    FieldSpec,
    OfficeOption,
    Outcome,
    Report,
    format_bytes,
    parse_field,
    validate_field,
)
from .paths import content_dir
from .yamlfile import LineDict as _Map
from .yamlfile import LineList as _Seq
from .yamlfile import YamlSyntaxError, read_tree

__all__ = [
    "AttachmentSpec",
    "DeclaredFile",
    "DefinitionProblem",
    "FieldError",
    "FieldSpec",
    "FormDefinition",
    "FormDefinitionError",
    "ValidationResult",
    "load_forms",
]

SERVICES = ("ktp-el", "kk", "akta-kelahiran", "akta-kematian", "pindah-datang", "kia")
MIME_LABELS = {"application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG"}
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_FILES_PER_ATTACHMENT = 10
MAX_FILE_NAME = 200
MAX_UNKNOWN_REPORTED = 20
FORM_FIELD = "_form"  # the `field` of errors about the whole submission
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*", re.ASCII)
FORM_KEYS = ("title", "description", "service", "guide", "fields", "attachments")
ATTACHMENT_KEYS = ("id", "label", "hint", "accept", "max_bytes", "min_count", "max_count")

FORM_MESSAGES = {
    "formulir_tidak_valid": "Jawaban formulir tidak terbaca. Muat ulang halaman, lalu isi "
                            "formulir lagi",
    "field_tidak_dikenal": "Isian ini tidak ada di formulir. Muat ulang halaman, lalu isi "
                           "formulir lagi",
    "berkas_lampiran_tidak_dikenal": "Lampiran ini tidak ada di formulir. Muat ulang halaman, "
                                     "lalu pilih berkas lagi",
}


# ---------------------------------------------------------------------------
# Public data types
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AttachmentSpec:
    """One kind of document a form asks for (scans or photos of the originals)."""

    id: str
    label: str
    hint: str
    accept: tuple[str, ...]
    max_bytes: int
    min_count: int
    max_count: int
    messages: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def field(self) -> str:
        """The `FieldError.field` of this attachment's errors."""
        return f"files.{self.id}"

    def error(self, code: str) -> FieldError:
        return FieldError(self.field, code, self.messages.get(code, code))

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "label": self.label,
            "hint": self.hint,
            "accept": list(self.accept),
            "max_bytes": self.max_bytes,
            "max_size": format_bytes(self.max_bytes),
            "min_count": self.min_count,
            "max_count": self.max_count,
            "required": self.min_count > 0,
            "messages": dict(self.messages),
        }


@dataclass(frozen=True)
class DeclaredFile:
    """A file the browser says it will upload: checked before any URL is handed out."""

    attachment: str
    name: str
    size: int
    type: str


@dataclass
class ValidationResult:
    """The outcome of `FormDefinition.validate`."""

    values: dict  # normalised values of the known fields that passed (None: optional, empty)
    errors: list[FieldError]  # rejections
    warnings: list[FieldError]  # every warning found, confirmed or not
    confirmed: frozenset[str] = frozenset()  # the codes the client confirmed

    def is_confirmed(self, warning: FieldError) -> bool:
        """A warning is confirmed by its code, or by ``"<field>:<code>"``."""
        return warning.code in self.confirmed or f"{warning.field}:{warning.code}" in self.confirmed

    @property
    def unconfirmed_warnings(self) -> list[FieldError]:
        return [w for w in self.warnings if not self.is_confirmed(w)]

    @property
    def ok(self) -> bool:
        """No errors, and every warning confirmed."""
        return not self.errors and not self.unconfirmed_warnings


@dataclass(frozen=True)
class FormDefinition:
    """One online form, as loaded from ``content/forms/<id>.yml``."""

    id: str
    title: str
    description: str
    service: str
    guide: str | None
    fields: tuple[FieldSpec, ...]
    attachments: tuple[AttachmentSpec, ...]
    provinces: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    path: Path | None = field(default=None, repr=False, compare=False)

    # -- answers -----------------------------------------------------------

    def validate(
        self,
        values: Mapping[str, object],
        *,
        today: date,
        confirmed_warnings: Collection[str] = (),
    ) -> ValidationResult:
        """Check and normalise the answers of one submission.

        Parameters
        ----------
        values
            Field id → answer, as the browser sent it (any JSON values).
        today
            Today in WIB (future dates, ages, the century of a NIK's year).
        confirmed_warnings
            Warning codes the resident confirmed (``"nik_tanggal_lahir_berbeda"``),
            or ``"<field>:<code>"`` to confirm one field's warning only.

        Returns
        -------
        ValidationResult
            Errors in field order (unknown fields first); warnings where a valid
            NIK disagrees with the form's date of birth or sex. Never raises.

        Example
        -------
        >>> result = form.validate({"nik": "3322 0152 0890 0001", ...}, today=date(2026, 11, 27))
        >>> result.ok, [e.code for e in result.errors]
        """
        confirmed = _codes(confirmed_warnings)
        if not isinstance(values, Mapping):
            error = FieldError(FORM_FIELD, "formulir_tidak_valid",
                               FORM_MESSAGES["formulir_tidak_valid"])
            return ValidationResult({}, [error], [], confirmed)
        known = {spec.id for spec in self.fields}
        errors = [
            FieldError(name, "field_tidak_dikenal", FORM_MESSAGES["field_tidak_dikenal"])
            for name in sorted({_safe_name(k) for k in values if k not in known})
        ][:MAX_UNKNOWN_REPORTED]
        provinces = self.provinces or None
        outcomes: dict[str, Outcome] = {}
        clean: dict[str, Any] = {}
        for spec in self.fields:
            outcome = validate_field(spec, values.get(spec.id), today=today, provinces=provinces)
            outcomes[spec.id] = outcome
            if outcome.ok:
                clean[spec.id] = outcome.value
            else:
                errors.append(spec.error(outcome.error or ""))
        warnings = [
            spec.error(code, "warning")
            for spec in self.fields
            if spec.type == "nik"
            for code in _nik_warnings(spec, outcomes)
        ]
        return ValidationResult(clean, errors, warnings, confirmed)

    # -- files -------------------------------------------------------------

    def check_files(self, files: Sequence[DeclaredFile]) -> list[FieldError]:
        """Check the files the browser declares before it uploads them.

        Unknown attachment ids, too few or too many files per attachment, a size
        outside ``1..max_bytes``, a declared type not accepted, and file names
        longer than 200 characters or with path separators or control
        characters. ``field`` is ``files.<attachment>``. One error per field and
        code, in the order of the definition. Never raises.
        """
        if not isinstance(files, list | tuple):
            files = ()
        specs = {spec.id: spec for spec in self.attachments}
        found: dict[tuple[str, str], FieldError] = {}
        counts: Counter[str] = Counter()

        def add(error: FieldError) -> None:
            found.setdefault((error.field, error.code), error)

        for declared in files:
            attachment = getattr(declared, "attachment", None)
            spec = specs.get(attachment) if isinstance(attachment, str) else None
            if spec is None:
                add(FieldError(f"files.{_safe_name(attachment)}", "berkas_lampiran_tidak_dikenal",
                               FORM_MESSAGES["berkas_lampiran_tidak_dikenal"]))
                continue
            counts[spec.id] += 1
            for code in _file_problems(spec, declared):
                add(spec.error(code))
        for spec in self.attachments:
            if counts[spec.id] < spec.min_count:
                add(spec.error("berkas_kurang"))
            elif counts[spec.id] > spec.max_count:
                add(spec.error("berkas_terlalu_banyak"))
        order = {spec.field: index for index, spec in enumerate(self.attachments)}
        return sorted(found.values(), key=lambda e: order.get(e.field, len(order)))

    # -- views -------------------------------------------------------------

    @property
    def export_columns(self) -> list[str]:
        """Column names of staff exports, one per field, in form order."""
        return [spec.export_column for spec in self.fields]

    def export_row(self, values: Mapping[str, Any]) -> list[str]:
        """One export row for `ValidationResult.values`, aligned with `export_columns`."""
        return ["" if values.get(spec.id) is None else str(values.get(spec.id))
                for spec in self.fields]

    def to_public_dict(self) -> dict:
        """JSON-safe definition for the site and the browser (no secrets, no paths)."""
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "service": self.service,
            "guide": self.guide,
            "fields": [spec.to_dict() for spec in self.fields],
            "attachments": [spec.to_dict() for spec in self.attachments],
            "export_columns": self.export_columns,
            "provinces": sorted(self.provinces),
            "messages": dict(FORM_MESSAGES),
        }


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DefinitionProblem:
    """One problem in a content file, located by file, line and key."""

    path: Path
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class FormDefinitionError(Exception):
    """The form definitions have problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[DefinitionProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: (str(p.path), p.line, p.key))
        super().__init__("\n".join(str(p) for p in self.problems))


class LazyForms:
    """Form definitions given as a mapping, or as a function loaded on first use.

    Services take either; a function keeps a cold start from loading forms before
    a request needs them.
    """

    def __init__(self, source: Mapping[str, FormDefinition] | Callable[[], Mapping[str, FormDefinition]]) -> None:
        self._source = source
        self._forms: Mapping[str, FormDefinition] | None = None

    def get(self) -> Mapping[str, FormDefinition]:
        if self._forms is None:
            self._forms = self._source() if callable(self._source) else self._source
        return self._forms


def load_forms(
    folder: Path | None = None,
    offices_file: Path | None = None,
    *,
    provinces_file: Path | None = None,
) -> dict[str, FormDefinition]:
    """Load and check every ``*.yml`` form definition in a folder.

    Parameters
    ----------
    folder
        Defaults to ``content_dir() / "forms"`` (see `chalicelib.paths`).
    offices_file
        For ``choices_from: offices``; defaults to ``content_dir() / "offices.yml"``.
    provinces_file
        Province codes for NIK and KK checks; defaults to
        ``content_dir() / "data/provinces.csv"``.

    Returns
    -------
    dict[str, FormDefinition]
        By form id (the file name without ``.yml``), sorted by id.

    Raises
    ------
    FormDefinitionError
        Listing every problem found, each with file, line and key.
    """
    base = content_dir()
    folder = Path(folder) if folder is not None else base / "forms"
    offices_path = Path(offices_file) if offices_file is not None else base / "offices.yml"
    provinces_path = (Path(provinces_file) if provinces_file is not None
                      else base / "data" / "provinces.csv")
    problems: list[DefinitionProblem] = []
    provinces: frozenset[str] = frozenset()
    try:
        provinces = nikmod.province_codes(provinces_path)
    except (OSError, ValueError) as exc:
        problems.append(DefinitionProblem(provinces_path, 1, "", f"tidak bisa dibaca: {exc}"))
    offices = _load_offices(offices_path, problems)
    forms: dict[str, FormDefinition] = {}
    if not folder.is_dir():
        problems.append(DefinitionProblem(folder, 1, "", "folder formulir tidak ada"))
    else:
        for path in sorted(folder.iterdir()):
            if path.suffix == ".yaml":
                problems.append(DefinitionProblem(path, 1, "", "pakai akhiran .yml, bukan .yaml"))
            elif path.suffix == ".yml" and path.is_file():
                form = _load_form(path, offices, provinces, problems)
                if form is not None:
                    forms[form.id] = form
    if problems:
        raise FormDefinitionError(problems)
    return forms


# ---------------------------------------------------------------------------
# Helpers: validation
# ---------------------------------------------------------------------------


def _codes(confirmed: object) -> frozenset[str]:
    if isinstance(confirmed, str) or not isinstance(confirmed, Collection):
        return frozenset()
    return frozenset(code for code in confirmed if isinstance(code, str))


def _safe_name(value: object) -> str:
    """A client-sent key or id, fit to echo back: no control characters, at most 100."""
    text = value if isinstance(value, str) else repr(value)
    text = "".join("?" if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") else ch
                   for ch in text[:100])
    return text or "?"


def _nik_warnings(spec: FieldSpec, outcomes: Mapping[str, Outcome]) -> list[str]:
    nik_outcome = outcomes[spec.id]
    if not nik_outcome.ok or nik_outcome.detail is None:
        return []
    birth = outcomes.get(spec.options.get("check_birth_date") or "")
    sex = outcomes.get(spec.options.get("check_sex") or "")
    return nikmod.compare_nik(
        nik_outcome.detail,
        birth_date=birth.detail if birth is not None and birth.ok else None,
        sex=sex.value if sex is not None and sex.ok else None,
    )


def _file_problems(spec: AttachmentSpec, declared: object) -> list[str]:
    codes = []
    name = getattr(declared, "name", None)
    if (not isinstance(name, str) or not name.strip() or len(name) > MAX_FILE_NAME
            or any(ch in "/\\" or unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp")
                   for ch in name)):
        codes.append("berkas_nama_tidak_valid")
    size = getattr(declared, "size", None)
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        codes.append("berkas_kosong")
    elif size > spec.max_bytes:
        codes.append("berkas_terlalu_besar")
    mime = getattr(declared, "type", None)
    if not isinstance(mime, str) or mime.split(";")[0].strip().lower() not in spec.accept:
        codes.append("berkas_jenis_tidak_diterima")
    return codes


def _types_text(accept: Sequence[str]) -> str:
    names = [MIME_LABELS[m] for m in accept]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} atau {names[1]}"
    return f"{', '.join(names[:-1])}, atau {names[-1]}"


def _attachment_messages(label: str, accept: Sequence[str], max_bytes: int,
                         min_count: int, max_count: int) -> dict[str, str]:
    at_least = (f"Unggah {label}" if min_count <= 1
                else f"Unggah paling sedikit {min_count} berkas untuk {label}")
    return {
        "berkas_kurang": at_least,
        "berkas_terlalu_banyak": f"Unggah paling banyak {max_count} berkas untuk {label}",
        "berkas_kosong": f"Berkas yang dipilih untuk {label} kosong. Pilih berkas lain",
        "berkas_terlalu_besar": f"Berkas untuk {label} harus lebih kecil dari "
                                f"{format_bytes(max_bytes)}",
        "berkas_jenis_tidak_diterima": f"Berkas untuk {label} harus berupa "
                                       f"{_types_text(accept)}",
        "berkas_nama_tidak_valid": f"Nama berkas untuk {label} tidak boleh lebih dari "
                                   f"{MAX_FILE_NAME} karakter atau memuat tanda / dan \\. "
                                   "Ganti nama berkasnya, lalu pilih lagi",
    }


# ---------------------------------------------------------------------------
# Helpers: YAML that remembers lines
# ---------------------------------------------------------------------------


def _read_yaml(path: Path, problems: list[DefinitionProblem]) -> Any:
    try:
        return read_tree(path)
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(DefinitionProblem(path, 1, "", f"tidak bisa dibaca: {exc}"))
    except YamlSyntaxError as exc:
        problems.append(DefinitionProblem(path, exc.line, "", exc.message))
    return None


def _line(node: Any, key: str) -> int:
    """Line of ``key`` (or ``key[index]``) inside a mapping read by `_read_yaml`."""
    if not isinstance(node, _Map):
        return getattr(node, "line", 1)
    name, _, rest = key.partition("[")
    line = node.key_lines.get(name, node.line)
    value = node.get(name)
    if rest and isinstance(value, _Seq):
        index = rest.rstrip("]")
        if index.isascii() and index.isdigit() and int(index) < len(value.item_lines):
            line = value.item_lines[int(index)]
    return line


def _reporter(path: Path, node: Any, prefix: str,
              problems: list[DefinitionProblem]) -> Report:
    def report(key: str, message: str) -> None:
        problems.append(DefinitionProblem(path, _line(node, key), f"{prefix}{key}", message))
    return report


# ---------------------------------------------------------------------------
# Helpers: reading definitions
# ---------------------------------------------------------------------------


def _load_offices(path: Path, problems: list[DefinitionProblem]) -> list[OfficeOption] | None:
    if not path.is_file():
        return None
    data = _read_yaml(path, problems)
    entries = data.get("offices") if isinstance(data, Mapping) else None
    if not isinstance(entries, list):
        problems.append(DefinitionProblem(path, _line(data, "offices"), "offices",
                                          "harus daftar kantor (id, name, kind)"))
        return None
    offices = []
    for index, entry in enumerate(entries):
        values = [entry.get(k) if isinstance(entry, Mapping) else None
                  for k in ("id", "name", "kind")]
        if not all(isinstance(v, str) and v for v in values):
            problems.append(DefinitionProblem(path, _line(data, f"offices[{index}]"),
                                              f"offices[{index}]",
                                              "setiap kantor perlu 'id', 'name', dan 'kind'"))
            continue
        offices.append(OfficeOption(*values))
    return offices


def _load_form(path: Path, offices: list[OfficeOption] | None, provinces: frozenset[str],
               problems: list[DefinitionProblem]) -> FormDefinition | None:
    before = len(problems)
    data = _read_yaml(path, problems)
    if len(problems) > before:
        return None
    if not isinstance(data, _Map):
        problems.append(DefinitionProblem(path, 1, "", "isi berkas harus pasangan 'kunci: nilai'"))
        return None
    report = _reporter(path, data, "", problems)
    if not SLUG.fullmatch(path.stem):
        report("", f"nama berkas '{path.name}' harus huruf kecil, angka, dan tanda -")
    for key in data:
        if key not in FORM_KEYS:
            report(str(key), f"kunci tidak dikenal (yang boleh: {', '.join(FORM_KEYS)})")
    title = _required_text(data, "title", report)
    description = _required_text(data, "description", report)
    service = data.get("service")
    if service not in SERVICES:
        report("service", f"'{service}' bukan layanan yang dikenal (yang ada: "
                          f"{', '.join(SERVICES)})")
    guide = data.get("guide")
    if guide is not None and not (isinstance(guide, str) and SLUG.fullmatch(guide)):
        report("guide", "harus slug panduan (huruf kecil, angka, tanda -), misalnya ktp-el-baru")
    fields = _load_fields(path, data, offices, report, problems)
    attachments = _load_attachments(path, data, {spec.id for spec in fields}, report, problems)
    if len(problems) > before:
        return None
    return FormDefinition(path.stem, title, description, str(service), guide, tuple(fields),
                          tuple(attachments), provinces, path)


def _required_text(node: Mapping[str, Any], key: str, report: Report) -> str:
    value = node.get(key)
    if not isinstance(value, str) or not value.strip():
        report(key, "wajib diisi (teks)")
        return ""
    return " ".join(value.split())


def _load_fields(path: Path, data: _Map, offices: list[OfficeOption] | None, report: Report,
                 problems: list[DefinitionProblem]) -> list[FieldSpec]:
    entries = data.get("fields")
    if not isinstance(entries, list) or not entries:
        report("fields", "wajib diisi: daftar isian formulir")
        return []
    labels = {e["id"]: e["label"] for e in entries
              if isinstance(e, Mapping) and isinstance(e.get("id"), str)
              and isinstance(e.get("label"), str)}
    specs: list[FieldSpec] = []
    reporters: dict[str, Report] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, _Map):
            report(f"fields[{index}]", "setiap isian harus pasangan 'kunci: nilai'")
            continue
        field_id = entry.get("id")
        prefix = (f"fields.{field_id}." if isinstance(field_id, str) and FIELD_ID.fullmatch(
            field_id) else f"fields[{index}].")
        item_report = _reporter(path, entry, prefix, problems)
        spec = parse_field(entry, item_report, offices=offices, labels=labels, line=entry.line)
        if spec is None:
            continue
        if spec.id in reporters:
            item_report("id", f"id '{spec.id}' sudah dipakai isian lain")
        elif any(other.export_column == spec.export_column for other in specs):
            item_report("export", f"kolom ekspor '{spec.export_column}' sudah dipakai isian lain")
        reporters.setdefault(spec.id, item_report)
        specs.append(spec)
    by_id = {spec.id: spec for spec in specs}
    for spec in specs:
        _check_references(spec, by_id, reporters[spec.id])
    return specs


def _check_references(spec: FieldSpec, by_id: Mapping[str, FieldSpec], report: Report) -> None:
    if spec.type != "nik":
        return
    birth = spec.options.get("check_birth_date")
    if birth is not None and (birth not in by_id or by_id[birth].type != "date"):
        report("check_birth_date", f"'{birth}' harus id isian berjenis date di formulir ini")
    sex = spec.options.get("check_sex")
    if sex is not None:
        other = by_id.get(sex)
        values = {choice.value for choice in other.choices} if other else set()
        if other is None or other.type != "choice" or values != {nikmod.MALE, nikmod.FEMALE}:
            report("check_sex", f"'{sex}' harus id isian berjenis choice dengan value "
                                f"'{nikmod.MALE}' dan '{nikmod.FEMALE}'")


def _load_attachments(path: Path, data: _Map, field_ids: set[str], report: Report,
                      problems: list[DefinitionProblem]) -> list[AttachmentSpec]:
    entries = data.get("attachments")
    if entries is None:
        return []
    if not isinstance(entries, list):
        report("attachments", "harus daftar lampiran")
        return []
    specs: list[AttachmentSpec] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, _Map):
            report(f"attachments[{index}]", "setiap lampiran harus pasangan 'kunci: nilai'")
            continue
        att_id = entry.get("id")
        prefix = (f"attachments.{att_id}." if isinstance(att_id, str) and FIELD_ID.fullmatch(
            att_id) else f"attachments[{index}].")
        item_report = _reporter(path, entry, prefix, problems)
        spec = _parse_attachment(entry, item_report)
        if spec is None:
            continue
        if any(other.id == spec.id for other in specs):
            item_report("id", f"id '{spec.id}' sudah dipakai lampiran lain")
        elif spec.id in field_ids:
            item_report("id", f"id '{spec.id}' sudah dipakai isian")
        specs.append(spec)
    return specs


def _parse_attachment(entry: _Map, report: Report) -> AttachmentSpec | None:
    problems: list[str] = []

    def bad(key: str, message: str) -> None:
        problems.append(key)
        report(key, message)

    for key in entry:
        if key not in ATTACHMENT_KEYS:
            bad(str(key), f"kunci tidak dikenal (yang boleh: {', '.join(ATTACHMENT_KEYS)})")
    att_id = entry.get("id")
    if not isinstance(att_id, str) or not FIELD_ID.fullmatch(att_id):
        bad("id", "wajib diisi: huruf kecil, angka, dan garis bawah, diawali huruf")
    label = entry.get("label")
    if not isinstance(label, str) or not label.strip():
        bad("label", "wajib diisi (teks)")
    hint = entry.get("hint") or ""
    if not isinstance(hint, str):
        bad("hint", "harus berupa teks")
    accept = entry.get("accept")
    if (not isinstance(accept, list) or not accept
            or any(not isinstance(m, str) or m not in MIME_LABELS for m in accept)
            or len(set(accept)) != len(accept)):
        bad("accept", f"daftar jenis berkas tanpa ulangan, dari: {', '.join(MIME_LABELS)}")
    numbers = {}
    for key, low, high in (("max_bytes", 1, MAX_ATTACHMENT_BYTES),
                           ("min_count", 0, MAX_FILES_PER_ATTACHMENT),
                           ("max_count", 1, MAX_FILES_PER_ATTACHMENT)):
        value = entry.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            bad(key, f"wajib diisi: bilangan bulat antara {low} dan {high}")
        numbers[key] = value
    if not problems and numbers["min_count"] > numbers["max_count"]:
        bad("max_count", "tidak boleh lebih kecil dari 'min_count'")
    if problems:
        return None
    label = " ".join(label.split())
    messages = _attachment_messages(label, accept, numbers["max_bytes"], numbers["min_count"],
                                    numbers["max_count"])
    return AttachmentSpec(att_id, label, " ".join(hint.split()), tuple(accept),
                          numbers["max_bytes"], numbers["min_count"], numbers["max_count"],
                          messages)
