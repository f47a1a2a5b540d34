"""Message templates in ``content/messages/<id>.yml``: load them, check them.

One file per event (see :data:`chalicelib.notify.events.TEMPLATES`), written by the
office in plain text with ``${placeholder}`` slots::

    subject: Permohonan ${form_title} sudah kami terima
    body: |
      Permohonan Anda sudah kami terima pada ${received_at}.
      Catatan petugas: ${note}          # a line whose placeholders are all empty is left out
      ${status_link}
    sms: Permohonan ${tracking_code} diterima. Cek status: ${status_link}   # optional

``penutup.yml`` holds only ``body``: it closes every email (office name, contacts).
The office's identity comes from ``content/site.yml``. A broken template never
half-loads: :func:`load_messages` collects every problem as ``file:line: key: what is
wrong`` (unknown or missing placeholders, a stray ``$``, a missing file, an SMS too long
for one message) and raises one :class:`MessageTemplateError`; the content check
(``portal check``) reports the same problems through :func:`check_messages`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

from ..forms import DefinitionProblem, FormDefinitionError
from ..paths import content_dir
from ..yamlfile import LineDict, YamlSyntaxError, read_tree
from .events import FOOTER, PLACEHOLDERS, REQUIRED, SMS_PLACEHOLDERS, TEMPLATES, Office

__all__ = [
    "MESSAGES_FOLDER",
    "MessageTemplate",
    "MessageTemplateError",
    "Messages",
    "SMS_MAX_LENGTH",
    "TemplateProblem",
    "check_messages",
    "load_messages",
    "placeholders_in",
]

MESSAGES_FOLDER = "messages"
SUBJECT_MAX_LENGTH = 150
SMS_MAX_LENGTH = 160
"""One SMS in the GSM 7-bit alphabet; longer texts are sent in parts and cost more."""

KEYS = ("subject", "body", "sms")
_GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_SAMPLES = {
    "tracking_code": "K7QM-2XRD-9F",
    "status_link": "https://layanan.contoh.go.id/formulir/status/#kode=K7QM-2XRD-9F&token=ABCD-EFGH-JKMN",
    "status_label": "Perlu perbaikan",
    "deadline": "Jumat, 9 Oktober 2020",
    "available_until": "Rabu, 30 Desember 2020",
    "collect_from": "Senin, 12 Oktober 2020",
}
"""Typical values of the SMS placeholders, to measure a template's length."""

_CONTACT_LABELS = (
    ("address", "Alamat"), ("phone", "Telepon"), ("whatsapp", "WhatsApp"), ("sms", "SMS"),
    ("email", "Email"), ("website", "Situs web"),
)


TemplateProblem = DefinitionProblem
"""One problem in a template file, located by file, line and key (as in form definitions)."""


class MessageTemplateError(FormDefinitionError):
    """The message templates have problems; ``problems`` lists every one of them."""


@dataclass(frozen=True)
class MessageTemplate:
    """One event's texts as the office wrote them (placeholders not yet filled)."""

    id: str
    subject: str
    body: str
    sms: str | None = None
    path: Path | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Messages:
    """Every template, the closing text of emails and the office they speak for."""

    templates: Mapping[str, MessageTemplate]
    office: Office

    def __getitem__(self, template_id: str) -> MessageTemplate:
        return self.templates[template_id]

    @property
    def footer(self) -> str:
        return self.templates[FOOTER].body


def placeholders_in(text: str) -> list[tuple[str | None, str]]:
    """The placeholders of a template text, in order: ``(name, as written)``.

    ``name`` is ``None`` for a ``$`` that is neither ``$$`` nor a placeholder.
    """
    found: list[tuple[str | None, str]] = []
    for match in Template.pattern.finditer(text):
        if match.group("escaped") is not None:
            continue
        written = (match.group(0) if match.group("invalid") is None
                   else text[match.start():match.start() + 2].rstrip())
        found.append((match.group("named") or match.group("braced"), written))
    return found


def load_messages(content: Path | None = None) -> Messages:
    """Load and check every template in ``<content>/messages/`` and the office in ``site.yml``.

    Parameters
    ----------
    content
        The content folder; defaults to :func:`chalicelib.paths.content_dir` (the packaged
        copy inside the Lambda, whose ``.yml.json`` twins spare it a YAML parser).

    Raises
    ------
    MessageTemplateError
        Listing every problem found, each with file, line and key.
    """
    root = Path(content) if content is not None else content_dir()
    problems: list[TemplateProblem] = []
    templates = _load_templates(root / MESSAGES_FOLDER, problems)
    office = _load_office(root / "site.yml", problems)
    if problems:
        raise MessageTemplateError(problems)
    return Messages(templates, office)


def check_messages(content: Path) -> list[TemplateProblem]:
    """Every problem of the templates under ``content`` (empty when they are fine)."""
    try:
        load_messages(content)
    except MessageTemplateError as error:
        return error.problems
    return []


# --------------------------------------------------------------------------- loading


def _load_templates(folder: Path, problems: list[TemplateProblem]) -> dict[str, MessageTemplate]:
    templates: dict[str, MessageTemplate] = {}
    if not folder.is_dir():
        problems.append(TemplateProblem(folder, 1, "", "folder templat pesan tidak ada; salin "
                                                       "dari content/messages/ aslinya"))
        return templates
    for path in sorted(folder.iterdir()):
        if path.suffix == ".yaml":
            problems.append(TemplateProblem(path, 1, "", "pakai akhiran .yml, bukan .yaml"))
        elif path.suffix == ".yml" and path.is_file():
            if path.stem not in TEMPLATES:
                problems.append(TemplateProblem(path, 1, "", f"templat '{path.stem}' tidak dikenal "
                                                f"(yang ada: {', '.join(TEMPLATES)})"))
                continue
            template = _load_template(path, problems)
            if template is not None:
                templates[template.id] = template
    for template_id, purpose in TEMPLATES.items():
        if template_id not in templates and not (folder / f"{template_id}.yml").exists():
            problems.append(TemplateProblem(folder / f"{template_id}.yml", 1, "",
                                            f"templat pesan '{template_id}' ({purpose}) tidak ada"))
    return templates


def _load_template(path: Path, problems: list[TemplateProblem]) -> MessageTemplate | None:
    template_id = path.stem
    try:
        data = read_tree(path)
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(TemplateProblem(path, 1, "", f"tidak bisa dibaca: {exc}"))
        return None
    except YamlSyntaxError as exc:
        problems.append(TemplateProblem(path, exc.line, "", exc.message))
        return None
    if not isinstance(data, LineDict):
        problems.append(TemplateProblem(path, 1, "", "isi berkas harus pasangan 'kunci: nilai'"))
        return None
    before = len(problems)
    raw = _raw_lines(path)
    allowed_keys = ("body",) if template_id == FOOTER else KEYS
    for key in data:
        if key not in allowed_keys:
            problems.append(TemplateProblem(path, data.line_of(str(key)), str(key),
                                            f"kunci tidak dikenal (yang boleh: {', '.join(allowed_keys)})"))
    texts: dict[str, str | None] = {}
    for key in allowed_keys:
        value = data.get(key)
        if value is None and key == "sms":
            texts[key] = None
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append(TemplateProblem(path, data.line_of(key), key, "wajib diisi (teks)"))
            continue
        texts[key] = value
        _check_text(path, template_id, key, value, data.line_of(key), raw, problems)
    subject = texts.get("subject")
    if subject is not None:
        if "\n" in subject.strip():
            problems.append(TemplateProblem(path, data.line_of("subject"), "subject",
                                            "judul email harus satu baris"))
        elif len(subject.strip()) > SUBJECT_MAX_LENGTH:
            problems.append(TemplateProblem(path, data.line_of("subject"), "subject",
                                            f"judul email paling panjang {SUBJECT_MAX_LENGTH} karakter"))
    used = {name for key in ("subject", "body") for name, _ in placeholders_in(texts.get(key) or "")}
    missing = sorted(REQUIRED.get(template_id, frozenset()) - used)
    if missing and "body" in texts:
        names = ", ".join("${" + name + "}" for name in missing)
        problems.append(TemplateProblem(path, data.line_of("body"), "body",
                                        f"wajib memuat {names} ({TEMPLATES[template_id]})"))
    if texts.get("sms") is not None:
        _check_sms(path, str(texts["sms"]), data.line_of("sms"), problems)
    if len(problems) > before:
        return None
    return MessageTemplate(template_id, " ".join((texts.get("subject") or "").split()),
                           str(texts["body"]), texts.get("sms"), path)


def _raw_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _check_text(path: Path, template_id: str, key: str, text: str, key_line: int,
                raw: list[str], problems: list[TemplateProblem]) -> None:
    allowed = PLACEHOLDERS[template_id]
    if key == "sms":
        allowed = allowed & SMS_PLACEHOLDERS
    for name, written in placeholders_in(text):
        line = _line_of(raw, key_line, written)
        if name is None:
            problems.append(TemplateProblem(path, line, key, "tanda $ harus diikuti {nama_isian} "
                                            "(atau tulis $$ untuk tanda $ biasa)"))
        elif name not in allowed:
            if key == "sms" and name in PLACEHOLDERS[template_id]:
                reason = "terlalu panjang atau pribadi untuk SMS"
            else:
                reason = "tidak dikenal"
            problems.append(TemplateProblem(path, line, key, f"isian ${{{name}}} {reason} (yang "
                                            f"boleh: {', '.join(sorted(allowed))})"))


def _line_of(raw: list[str], key_line: int, token: str) -> int:
    """The line of ``token`` in the file, searching from its key's line (block scalars)."""
    for index in range(max(key_line - 1, 0), len(raw)):
        if token and token in raw[index]:
            return index + 1
    return key_line


def _check_sms(path: Path, text: str, line: int, problems: list[TemplateProblem]) -> None:
    if "\n" in text.strip():
        problems.append(TemplateProblem(path, line, "sms", "SMS harus satu baris"))
        return
    sample = Template(text).safe_substitute(_SAMPLES)
    outside = sorted({ch for ch in sample if ch not in _GSM7})
    if outside:
        shown = " ".join(repr(ch) for ch in outside[:5])
        problems.append(TemplateProblem(path, line, "sms", f"karakter {shown} membuat SMS dikirim "
                                        "sebagai Unicode (hanya 70 karakter per SMS); pakai huruf biasa"))
    elif len(sample) > SMS_MAX_LENGTH:
        problems.append(TemplateProblem(path, line, "sms", f"SMS terlalu panjang: {len(sample)} "
                                        f"karakter dengan isian contoh, paling banyak {SMS_MAX_LENGTH}"))


def _load_office(path: Path, problems: list[TemplateProblem]) -> Office:
    """Name and contact lines from ``site.yml`` (empty contacts are left out)."""
    try:
        data: Any = read_tree(path)
    except (OSError, UnicodeDecodeError, YamlSyntaxError) as exc:
        problems.append(TemplateProblem(path, getattr(exc, "line", 1), "", f"tidak bisa dibaca: {exc}"))
        return Office("", "")
    if not isinstance(data, Mapping):
        return Office("", "")
    name = " ".join(str(data.get("office_name") or "").split())
    short = " ".join(str(data.get("office_short_name") or "").split()) or name
    nested = data.get("contacts")
    sources = [nested, data] if isinstance(nested, Mapping) else [data]
    contacts = []
    for key, label in _CONTACT_LABELS:
        value = next((source.get(key) for source in sources if source.get(key)), None)
        if isinstance(value, str) and value.strip():
            contacts.append(f"{label}: {' '.join(value.split())}")
    return Office(name, short, tuple(contacts))

