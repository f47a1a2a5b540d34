"""The office's rules for what happens after the receipt, read from ``content/``.

    policy = load_policy(content_dir())
    policy.correction_days            # how long a resident has to send a correction
    policy.result_kind("ktp-el")      # "card" (collected at an office) or "document" (PDF)
    policy.office("dinas").name       # where cards are collected

Two files: ``content/applications.yml`` (time limits, the size of finished
documents, what to bring when collecting a card) and the ``cards`` list of
``content/services.yml``. Both are optional: the defaults below hold when a
file or key is missing. Problems are :class:`~chalicelib.forms.DefinitionProblem`
(file, line, key, Indonesian message), so ``portal check`` reports them like
form definitions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .forms import DefinitionProblem, FormDefinitionError
from .yamlfile import LineDict

__all__ = ["Policy", "OfficeInfo", "load_policy", "DEFAULT_POLICY"]

MAX_RESULT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class OfficeInfo:
    """What a resident needs to find an office: name, address and hours (may be unknown)."""

    id: str
    name: str
    address: str = ""
    hours: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Policy:
    """Time limits and result kinds of the application lifecycle.

    Attributes
    ----------
    correction_days:
        Days a resident has to send what staff asked to correct (then: apply again).
    result_max_bytes:
        Largest finished document staff may attach (PDF).
    result_available_days:
        Days a finished document stays downloadable; then it is removed (the
        office can send it again).
    download_expiry:
        Seconds a resident's download link works (minutes, not days).
    cards:
        Services whose result is a physical card collected at an office.
    collection_bring:
        What a resident brings to collect a card.
    offices:
        Offices by id.
    """

    correction_days: int = 14
    result_max_bytes: int = 10 * 1024 * 1024
    result_available_days: int = 30
    download_expiry: int = 5 * 60
    cards: frozenset[str] = frozenset({"ktp-el", "kia"})
    collection_bring: tuple[str, ...] = ("Tanda terima permohonan (kode pelacakan)",)
    offices: Mapping[str, OfficeInfo] = field(default_factory=dict)
    service_names: Mapping[str, str] = field(default_factory=dict)

    def result_kind(self, service: str | None) -> str:
        """``"card"`` for a service in :attr:`cards`, else ``"document"``."""
        return "card" if service in self.cards else "document"

    def office(self, office_id: str) -> OfficeInfo | None:
        return self.offices.get(office_id)


DEFAULT_POLICY = Policy()


def load_policy(content: Path) -> Policy:
    """Read the policy from a content folder.

    Raises
    ------
    FormDefinitionError
        With every problem found (file, line, key, message).
    """
    problems: list[DefinitionProblem] = []
    values: dict[str, Any] = {}
    apps = _read(content / "applications.yml", problems)
    if isinstance(apps, LineDict):
        _read_applications(content / "applications.yml", apps, values, problems)
    services = _read(content / "services.yml", problems)
    known: set[str] = set()
    if isinstance(services, LineDict):
        listed = services.get("services")
        known = {str(k) for k in listed} if isinstance(listed, Mapping) else set()
        if isinstance(listed, Mapping):
            values["service_names"] = {str(k): str(v) for k, v in listed.items()}
        cards = services.get("cards")
        if cards is not None:
            if not isinstance(cards, list) or not all(isinstance(c, str) for c in cards):
                problems.append(DefinitionProblem(content / "services.yml",
                                                  services.line_of("cards"), "cards",
                                                  "harus daftar id layanan, misalnya [ktp-el, kia]"))
            else:
                for card in cards:
                    if known and card not in known:
                        problems.append(DefinitionProblem(
                            content / "services.yml", services.line_of("cards"), "cards",
                            f"layanan '{card}' tidak ada di 'services' (yang ada: "
                            f"{', '.join(sorted(known))})"))
                values["cards"] = frozenset(cards)
    offices = _read(content / "offices.yml", problems)
    if isinstance(offices, LineDict) and isinstance(offices.get("offices"), list):
        values["offices"] = {
            str(entry["id"]): OfficeInfo(
                id=str(entry["id"]),
                name=str(entry.get("name") or entry["id"]),
                address=str(entry.get("address") or ""),
                hours={str(k): str(v) for k, v in (entry.get("hours") or {}).items()}
                if isinstance(entry.get("hours"), Mapping) else {},
            )
            for entry in offices["offices"]
            if isinstance(entry, Mapping) and isinstance(entry.get("id"), str)
        }
    if problems:
        raise FormDefinitionError(problems)
    return Policy(**values)


_LIMITS = {
    "correction_days": (1, 90, "hari untuk mengirim perbaikan"),
    "result_available_days": (1, 365, "hari dokumen hasil bisa diunduh"),
    "download_minutes": (1, 60, "menit tautan unduhan berlaku"),
}


def _read_applications(path: Path, data: LineDict, values: dict[str, Any],
                       problems: list[DefinitionProblem]) -> None:
    def report(key: str, message: str) -> None:
        problems.append(DefinitionProblem(path, data.line_of(key), key, message))

    known = {*_LIMITS, "result_max_bytes", "collection_bring"}
    for key in data:
        if key not in known:
            report(str(key), f"kunci tidak dikenal (yang dikenal: {', '.join(sorted(known))})")
    for key, (low, high, what) in _LIMITS.items():
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            report(key, f"harus bilangan bulat {low}–{high} ({what})")
            continue
        if key == "download_minutes":
            values["download_expiry"] = value * 60
        else:
            values[key] = value
    if "result_max_bytes" in data:
        size = data["result_max_bytes"]
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_RESULT_BYTES:
            report("result_max_bytes", f"harus bilangan bulat 1–{MAX_RESULT_BYTES} (bita)")
        else:
            values["result_max_bytes"] = size
    if "collection_bring" in data:
        bring = data["collection_bring"]
        if not isinstance(bring, list) or not bring or not all(
                isinstance(item, str) and item.strip() for item in bring):
            report("collection_bring", "harus daftar teks: apa yang dibawa saat mengambil kartu")
        else:
            values["collection_bring"] = tuple(item.strip() for item in bring)


def _read(path: Path, problems: list[DefinitionProblem]) -> Any:
    """The file's tree (or its compiled twin), ``None`` when neither exists."""
    from .forms import _read_yaml

    if not path.is_file() and not path.with_name(path.name + ".json").is_file():
        return None
    return _read_yaml(path, problems)
