"""`content/offices.yml` and the area data it refers to (`content/data/*.csv`).

An office names its area by Kepmendagri code: the regency (`33.22`) for the
Dinas, a kecamatan (`33.22.11`) for a kecamatan service point. Codes must be in
`data/kecamatan.csv`; the desa and kelurahan of a kecamatan come from
`data/desa.csv` (optional) and make the office findable by the name of a
resident's village.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from .checking import SLUG, Checker, Problem, read_yaml_file
from .yamlfile import LineDict, LineList

KECAMATAN_FILE = "data/kecamatan.csv"  # code,name
DESA_FILE = "data/desa.csv"  # code,name,district_code


@dataclass(frozen=True)
class Office:
    id: str
    name: str
    kind: str
    area_code: str
    address: str
    hours: dict[str, str]
    services: tuple[str, ...]
    area_name: str = field(default="", compare=False)  # the kecamatan's name, from data/kecamatan.csv
    villages: tuple[str, ...] = field(default=(), compare=False)  # its desa/kelurahan, from data/desa.csv
    districts: tuple[str, ...] = field(default=(), compare=False)  # a regency office: every kecamatan


OFFICE_KEYS = {"id", "name", "kind", "area_code", "address", "hours", "services"}


def load_offices(root: Path, problems: list[Problem]) -> list[Office]:
    path = root / "offices.yml"
    check = Checker(path, problems)
    raw = read_yaml_file(path, problems)
    data = check.mapping(raw, "offices.yml") if raw is not None else None
    if data is None:
        return []
    items = data.get("offices")
    if not isinstance(items, LineList) or not items:
        check.error(data.line_of("offices"), "'offices' harus berupa daftar kantor dan tidak boleh kosong")
        return []
    kecamatan, villages = _area_data(root, problems)
    offices: list[Office] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        entry = check.mapping(item, "setiap kantor", items.line_of(index))
        if entry is None:
            continue
        check.unknown_keys(entry, OFFICE_KEYS, "kantor")
        office_id = check.text(entry, "id", "kantor")
        if office_id and not SLUG.match(office_id):
            check.error(entry.line_of("id"), f"id kantor '{office_id}' hanya boleh huruf kecil, angka dan tanda hubung")
        if office_id in seen:
            check.error(entry.line_of("id"), f"id kantor '{office_id}' sudah dipakai di baris {seen[office_id]}")
        seen[office_id] = entry.line_of("id")
        area_code = check.text(entry, "area_code", "kantor", required=False)
        name = check.text(entry, "name", "kantor")
        if area_code and kecamatan is not None:
            _check_area_code(check, entry, area_code, name, kecamatan)
        offices.append(
            Office(
                id=office_id,
                name=name,
                kind=check.text(entry, "kind", "kantor"),
                area_code=area_code,
                address=check.text(entry, "address", "kantor", required=False),
                hours=check.hours(entry),
                services=check.text_list(entry, "services", "kantor"),
                area_name=(kecamatan or {}).get(area_code, ""),
                villages=tuple(sorted(villages.get(area_code, ()))),
                districts=tuple(sorted(n for c, n in (kecamatan or {}).items() if c.rsplit(".", 1)[0] == area_code)),
            )
        )
    if kecamatan is None and any(o.area_code for o in offices):
        problems.append(Problem(root / KECAMATAN_FILE, 1, "berkas tidak ditemukan; 'area_code' di offices.yml "
                                                          "diperiksa dengan berkas ini (kolom code,name)"))
    return offices


def _check_area_code(check: Checker, entry: LineDict, code: str, name: str, kecamatan: dict[str, str]) -> None:
    """A kecamatan code must be a row of kecamatan.csv; a regency code must be the regency of its rows."""
    regencies = {c.rsplit(".", 1)[0] for c in kecamatan}
    if code in kecamatan or code in regencies:
        return
    hint = ""
    same_name = [c for c, n in sorted(kecamatan.items()) if n.lower() in name.lower()]
    if same_name:
        hint = f" (kode {kecamatan[same_name[0]]} di berkas itu: {same_name[0]})"
    check.error(entry.line_of("area_code"), f"kode wilayah '{code}' tidak ada di {KECAMATAN_FILE}{hint}")


def _area_data(root: Path, problems: list[Problem]) -> tuple[dict[str, str] | None, dict[str, list[str]]]:
    """(kecamatan code -> name, or None when the file is missing; kecamatan code -> desa names)."""
    kecamatan = _read_csv(root / KECAMATAN_FILE, ("code", "name"), problems)
    rows = _read_csv(root / DESA_FILE, ("code", "name", "district_code"), problems, full=True)
    villages: dict[str, list[str]] = {}
    for row in rows or []:
        villages.setdefault(row["district_code"], []).append(row["name"])
    return (kecamatan if kecamatan is not None else None), villages


def _read_csv(path: Path, columns: tuple[str, ...], problems: list[Problem], full: bool = False):
    if not path.is_file():
        return None
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                problems.append(Problem(path, 1, f"kolom {', '.join(missing)} tidak ada "
                                                 f"(baris pertama harus: {','.join(columns)})"))
                return None
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        problems.append(Problem(path, 1, f"tidak bisa dibaca: {exc}"))
        return None
    if full:
        return rows
    return {row["code"].strip(): row["name"].strip() for row in rows}


def check_office_services(root: Path, services: dict[str, str], offices: list[Office],
                          problems: list[Problem]) -> None:
    known = ", ".join(services) or "belum ada"
    raw = read_yaml_file(root / "offices.yml", []) or {}
    entries = raw.get("offices") if isinstance(raw, dict) else None
    for index, office in enumerate(offices):
        entry = entries[index] if isinstance(entries, list) and index < len(entries) else None
        line = entry.line_of("services") if isinstance(entry, LineDict) else 1
        for service in office.services:
            if service not in services:
                message = f"kantor '{office.id}': layanan '{service}' tidak ada di services.yml ({known})"
                problems.append(Problem(root / "offices.yml", line, message))


def load_kecamatan(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}
