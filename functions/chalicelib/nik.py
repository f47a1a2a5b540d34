"""NIK and KK number checks: the one place these rules live.

    from chalicelib.nik import parse_nik, compare_nik
    result = parse_nik("3322 0152 0890 0001", today=date(2026, 11, 27))
    result.value        # "3322015208900001"
    result.birth_date   # date(1990, 8, 12): day 52 is a woman born on the 12th
    result.sex          # "P"
    compare_nik(result, birth_date=date(1990, 8, 21), sex="P")  # ["nik_tanggal_lahir_berbeda"]

A NIK is 16 ASCII digits ``PP RR DD ddmmyy SSSS`` (see `shared/data/NIK.md`):

* ``PP`` a province code from ``content/data/provinces.csv`` (38 codes);
* ``RR`` regency/city and ``DD`` kecamatan, each not ``00``. They are **not**
  looked up in the current area list: a NIK keeps the code it was first issued
  under (Kabupaten Semarang's old ``33.22.14``, Merauke's ``91.01``);
* ``dd`` day of birth, ``01``-``31`` for men and ``41``-``71`` for women (day
  + 40); ``mm`` month ``01``-``12``; ``yy`` the year's last two digits, read
  as ``20yy`` unless that is after the current year, else ``19yy``. The date
  must exist (29 February only in leap years);
* ``SSSS`` a serial, not ``0000``.

What a person types is cleaned first: spaces (`SEPARATORS`: ASCII and no-break
spaces, tabs, line breaks), dots and ASCII hyphens are removed. Every other
character that is not an ASCII digit is an error; digits from other scripts
(full-width ``３``, Arabic-Indic ``٣``) get their own error code, because
``str.isdigit()``, ``int()`` and ``\\d`` would accept them but what is stored
must be ASCII.

A KK number (Nomor Kartu Keluarga) has the same shape for its first six digits
(province, regency, kecamatan). The other ten are not checked: the sources in
NIK.md document no rule for them, and a KK number holds no birth date, so a
stricter check could only reject real cards.

A NIK that disagrees with the date of birth or sex given elsewhere on the form
is not invalid (Permendagri 108/2019 Pasal 15(3): changing them does not change
the NIK): `compare_nik` returns warning codes the resident confirms.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from .paths import content_dir

NIK_LENGTH = 16
KK_LENGTH = 16
MALE = "L"  # laki-laki, as printed on the KTP-el
FEMALE = "P"  # perempuan
WIB = timezone(timedelta(hours=7), "WIB")  # Indonesia has no daylight saving time

# Error codes. Each has a message in chalicelib.fields.
NIK_EMPTY = "nik_kosong"
NIK_BAD_CHARACTER = "nik_karakter_tidak_valid"
NIK_NON_ASCII_DIGIT = "nik_angka_tidak_standar"
NIK_TOO_SHORT = "nik_terlalu_pendek"
NIK_TOO_LONG = "nik_terlalu_panjang"
NIK_BAD_PROVINCE = "nik_provinsi_tidak_dikenal"
NIK_BAD_REGENCY = "nik_kabupaten_tidak_valid"
NIK_BAD_DISTRICT = "nik_kecamatan_tidak_valid"
NIK_BAD_DAY = "nik_tanggal_tidak_valid"
NIK_BAD_MONTH = "nik_bulan_tidak_valid"
NIK_NO_SUCH_DATE = "nik_tanggal_tidak_ada"
NIK_BAD_SERIAL = "nik_nomor_urut_tidak_valid"

KK_EMPTY = "kk_kosong"
KK_BAD_CHARACTER = "kk_karakter_tidak_valid"
KK_NON_ASCII_DIGIT = "kk_angka_tidak_standar"
KK_TOO_SHORT = "kk_terlalu_pendek"
KK_TOO_LONG = "kk_terlalu_panjang"
KK_BAD_PROVINCE = "kk_provinsi_tidak_dikenal"
KK_BAD_REGENCY = "kk_kabupaten_tidak_valid"
KK_BAD_DISTRICT = "kk_kecamatan_tidak_valid"

# Warning codes from compare_nik.
WARN_BIRTH_DATE = "nik_tanggal_lahir_berbeda"
WARN_SEX = "nik_jenis_kelamin_berbeda"

NIK_ERRORS = (
    NIK_EMPTY, NIK_BAD_CHARACTER, NIK_NON_ASCII_DIGIT, NIK_TOO_SHORT, NIK_TOO_LONG,
    NIK_BAD_PROVINCE, NIK_BAD_REGENCY, NIK_BAD_DISTRICT, NIK_BAD_DAY, NIK_BAD_MONTH,
    NIK_NO_SUCH_DATE, NIK_BAD_SERIAL,
)
KK_ERRORS = (
    KK_EMPTY, KK_BAD_CHARACTER, KK_NON_ASCII_DIGIT, KK_TOO_SHORT, KK_TOO_LONG,
    KK_BAD_PROVINCE, KK_BAD_REGENCY, KK_BAD_DISTRICT,
)
NIK_WARNINGS = (WARN_BIRTH_DATE, WARN_SEX)

_ASCII_DIGITS = frozenset("0123456789")
# What people type between groups, removed before checking: spaces (including the
# no-break spaces that copying from a PDF or a web page produces), tabs, line
# breaks, dots and ASCII hyphens. Listed explicitly so the browser can mirror it.
SEPARATORS = " \t\r\n\u00a0\u2007\u202f.-"
_SEPARATORS = frozenset(SEPARATORS)


@dataclass(frozen=True)
class NikResult:
    """The outcome of `parse_nik`: either ``value`` and its parts, or ``error``."""

    value: str | None
    error: str | None = None
    birth_date: date | None = None
    sex: str | None = None  # MALE ("L") or FEMALE ("P")
    region: str | None = None  # "33.22.01": province.regency.kecamatan as issued

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class KkResult:
    """The outcome of `parse_kk`: either ``value`` and its region, or ``error``."""

    value: str | None
    error: str | None = None
    region: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def today_wib() -> date:
    """Today's date in Asia/Jakarta (UTC+7)."""
    return datetime.now(WIB).date()


def province_codes(path: Path | None = None) -> frozenset[str]:
    """Read the two-digit province codes from a ``code,name`` CSV file.

    Parameters
    ----------
    path
        Defaults to ``content_dir()/data/provinces.csv``.

    Raises
    ------
    ValueError
        If a row's code is not two ASCII digits; the message names file and line.
    OSError
        If the file cannot be read.
    """
    return _read_province_codes(str((path or content_dir() / "data" / "provinces.csv").resolve()))


@lru_cache(maxsize=8)
def _read_province_codes(path: str) -> frozenset[str]:
    codes: set[str] = set()
    with open(path, encoding="utf-8", newline="") as handle:
        for line_no, row in enumerate(csv.DictReader(handle), start=2):
            code = (row.get("code") or "").strip()
            if len(code) != 2 or not set(code) <= _ASCII_DIGITS:
                raise ValueError(f"{path}:{line_no}: kode provinsi '{code}' harus 2 angka")
            codes.add(code)
    if not codes:
        raise ValueError(f"{path}:1: tidak ada kode provinsi (kolom 'code')")
    return frozenset(codes)


def _clean(raw: object, length: int, prefix: str) -> tuple[str | None, str | None]:
    """Remove what people type between groups; return (digits, error code)."""
    if not isinstance(raw, str):
        return None, f"{prefix}_karakter_tidak_valid"
    if not raw.strip():
        return None, f"{prefix}_kosong"
    kept = [ch for ch in raw if ch not in _SEPARATORS]
    if any(ch not in _ASCII_DIGITS and unicodedata.category(ch) != "Nd" for ch in kept):
        return None, f"{prefix}_karakter_tidak_valid"
    if any(ch not in _ASCII_DIGITS for ch in kept):
        return None, f"{prefix}_angka_tidak_standar"
    if len(kept) < length:
        return None, f"{prefix}_terlalu_pendek"
    if len(kept) > length:
        return None, f"{prefix}_terlalu_panjang"
    return "".join(kept), None


def _region_error(digits: str, provinces: Collection[str], prefix: str) -> str | None:
    if digits[0:2] not in provinces:
        return f"{prefix}_provinsi_tidak_dikenal"
    if digits[2:4] == "00":
        return f"{prefix}_kabupaten_tidak_valid"
    if digits[4:6] == "00":
        return f"{prefix}_kecamatan_tidak_valid"
    return None


def _region(digits: str) -> str:
    return f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}"


def parse_nik(
    raw: object,
    *,
    today: date | None = None,
    provinces: Collection[str] | None = None,
) -> NikResult:
    """Check a NIK as typed by a person and take it apart.

    Parameters
    ----------
    raw
        The text the person typed (spaces, dots and hyphens are allowed).
    today
        Decides the century of the birth year; defaults to today in WIB.
    provinces
        Valid province codes; defaults to `province_codes()`.

    Returns
    -------
    NikResult
        ``value`` (16 ASCII digits), ``birth_date``, ``sex`` and ``region`` when
        valid; otherwise ``error``, one of `NIK_ERRORS` (the first rule broken,
        reading the NIK from left to right). Never raises for any input.

    Example
    -------
    >>> parse_nik("33.22.01.520890.0001", today=date(2026, 11, 27)).birth_date
    datetime.date(1990, 8, 12)
    """
    digits, error = _clean(raw, NIK_LENGTH, "nik")
    if digits is None:
        return NikResult(None, error)
    if provinces is None:
        provinces = province_codes()
    error = _region_error(digits, provinces, "nik")
    if error:
        return NikResult(None, error)
    day, month, year2 = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    if 1 <= day <= 31:
        sex = MALE
    elif 41 <= day <= 71:
        sex, day = FEMALE, day - 40
    else:
        return NikResult(None, NIK_BAD_DAY)
    if not 1 <= month <= 12:
        return NikResult(None, NIK_BAD_MONTH)
    current_year = (today or today_wib()).year
    year = 2000 + year2 if 2000 + year2 <= current_year else 1900 + year2
    try:
        birth_date = date(year, month, day)
    except ValueError:
        return NikResult(None, NIK_NO_SUCH_DATE)
    if digits[12:16] == "0000":
        return NikResult(None, NIK_BAD_SERIAL)
    return NikResult(digits, None, birth_date, sex, _region(digits))


def parse_kk(raw: object, *, provinces: Collection[str] | None = None) -> KkResult:
    """Check a KK number: 16 ASCII digits, a known province, regency and kecamatan not 00.

    Cleaning and character errors are the same as for `parse_nik`; the codes
    start with ``kk_`` (one of `KK_ERRORS`). Digits 7-16 are not checked (see
    the module docstring). Never raises for any input.
    """
    digits, error = _clean(raw, KK_LENGTH, "kk")
    if digits is None:
        return KkResult(None, error)
    error = _region_error(digits, province_codes() if provinces is None else provinces, "kk")
    if error:
        return KkResult(None, error)
    return KkResult(digits, None, _region(digits))


def compare_nik(
    nik: NikResult,
    *,
    birth_date: date | None = None,
    sex: str | None = None,
) -> list[str]:
    """Warning codes where a valid NIK disagrees with the stated birth date or sex.

    A mismatch is allowed (the NIK does not change when those data change), so
    these are warnings for the resident to confirm, never errors. ``None``
    arguments and an invalid NIK are not compared.

    Example
    -------
    >>> compare_nik(parse_nik("3322015208900001", today=date(2026, 11, 27)), sex="L")
    ['nik_jenis_kelamin_berbeda']
    """
    if not nik.ok:
        return []
    warnings = []
    if birth_date is not None and nik.birth_date != birth_date:
        warnings.append(WARN_BIRTH_DATE)
    if sex is not None and nik.sex != sex:
        warnings.append(WARN_SEX)
    return warnings
