"""How content checks report: `file:line: what is wrong`, every problem at once.

`Checker` reads values out of one YAML file and records a `Problem` for each
bad value; `load_content` gathers them and raises `ContentErrors` listing every
one. Warnings use the same shape but never stop the build (`portal check`
prints them and still succeeds).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .yamlfile import LineDict, YamlSyntaxError, parse_yaml

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DAY_NAMES = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")
HOURS = re.compile(r"^([01]\d|2[0-3])[.:]([0-5]\d)\s*[-–]\s*([01]\d|2[0-3])[.:]([0-5]\d)$")


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentErrors(Exception):
    """Raised when content has problems; `problems` lists every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (str(p.path), p.line))
        super().__init__("\n".join(str(p) for p in self.problems))


class Checker:
    """Collects problems (and warnings) for one file while reading values out of its YAML."""

    def __init__(self, path: Path, problems: list[Problem], warnings: list[Problem] | None = None) -> None:
        self.path = path
        self.problems = problems
        self.warnings = warnings if warnings is not None else []

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(Problem(self.path, line, message))

    def mapping(self, data: Any, where: str, line: int = 1) -> LineDict | None:
        if not isinstance(data, LineDict):
            self.error(getattr(data, "line", line), f"{where} harus berupa pasangan 'kunci: nilai'")
            return None
        return data

    def unknown_keys(self, data: LineDict, allowed: set[str], where: str) -> None:
        for key in data:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.error(data.line_of(key), f"kunci '{key}' tidak dikenal di {where} (yang dikenal: {known})")

    def text(self, data: LineDict, key: str, where: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(data.line_of(key), f"'{key}' wajib diisi di {where}")
            return ""
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.error(data.line_of(key), f"'{key}' harus berupa teks")
            return ""
        return str(value).strip()

    def text_list(self, data: LineDict, key: str, where: str, required: bool = False) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            if required:
                self.error(data.line_of(key), f"'{key}' wajib diisi di {where}")
            return ()
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            self.error(data.line_of(key), f"'{key}' harus berupa daftar teks")
            return ()
        if required and not value:
            self.error(data.line_of(key), f"'{key}' tidak boleh kosong di {where}")
        return tuple(str(v).strip() for v in value)

    def day(self, data: LineDict, key: str, required: bool = True) -> date | None:
        value = data.get(key)
        if value is None:
            if required:
                self.error(data.line_of(key), f"'{key}' wajib diisi (format TTTT-BB-HH, misalnya 2020-09-25)")
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
                raise ValueError
            return date.fromisoformat(str(value))
        except ValueError:
            self.error(
                data.line_of(key),
                f"'{key}': '{value}' bukan tanggal yang ada (format TTTT-BB-HH, misalnya 2020-09-25)",
            )
            return None

    def hours(self, data: LineDict, key: str = "hours") -> dict[str, str]:
        """Opening hours per day (`senin: 08.00-15.00`, `sabtu: tutup`); empty means not published."""
        hours = data.get(key) or {}
        if not isinstance(hours, dict):
            self.error(data.line_of(key), "'hours' harus berupa pasangan hari: jam, misalnya senin: 08.00-15.00")
            return {}
        for day_name, value in hours.items():
            if day_name not in DAY_NAMES:
                self.error(hours.line_of(day_name), f"hari '{day_name}' tidak dikenal (pakai: {', '.join(DAY_NAMES)})")
            elif value is None or not str(value).strip():
                continue  # left empty (the staff editor's cleared field): unknown that day, like an empty address
            elif not (str(value).strip().lower() == "tutup" or HOURS.match(str(value).strip())):
                self.error(hours.line_of(day_name), f"jam '{value}' tidak valid (contoh: 08.00-15.00, atau 'tutup')")
        return {k: str(v).strip() for k, v in hours.items() if v is not None and str(v).strip()}


def read_yaml_file(path: Path, problems: list[Problem]) -> Any:
    if not path.is_file():
        problems.append(Problem(path, 1, "berkas tidak ditemukan"))
        return None
    try:
        return parse_yaml(path.read_text(encoding="utf-8"))
    except YamlSyntaxError as exc:
        problems.append(Problem(path, exc.line, exc.message))
        return None


def suggestions(word: str, options: set[str] | list[str]) -> list[str]:
    """What a mistyped id may have meant: every id containing the typed word, else near spellings.

    >>> suggestions("ungaran", {"ungaran-barat", "ungaran-timur", "bawen"})
    ['ungaran-barat', 'ungaran-timur']
    >>> suggestions("bawenn", {"bawen", "bergas"})
    ['bawen']
    """
    typed = word.strip().lower()
    ordered = sorted(options)
    containing = [o for o in ordered if typed in o] if len(typed) >= 3 else []
    return containing or difflib.get_close_matches(typed, ordered, n=3)


def did_you_mean(word: str, options: set[str] | list[str]) -> str:
    """` (maksudnya 'a'?)`, ` (maksudnya 'a' atau 'b'?)`, or nothing."""
    found = [f"'{o}'" for o in suggestions(word, options)]
    if not found:
        return ""
    listed = found[0] if len(found) == 1 else ", ".join(found[:-1]) + " atau " + found[-1]
    return f" (maksudnya {listed}?)"
