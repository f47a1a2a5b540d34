"""Field types of the online forms: their options, their checks, their messages.

    from chalicelib.fields import validate_field
    outcome = validate_field(spec, " 0812-3456-7890 ", today=date(2026, 11, 27))
    outcome.value   # "+6281234567890"
    outcome.error   # None, or a code such as "telepon_bukan_hp"
    spec.messages[outcome.error]   # the Indonesian sentence for that code

Each type (``nik``, ``kk``, ``name``, ``phone``, ``email``, ``date``, ``choice``,
``text``, ``number``) is one `FieldType`: the options a form definition may set,
one validator, and a message template per error code. The templates are the
"locale file": they tell the resident how to fix the answer (GOV.UK style) and
never contain the answer itself. A form definition may replace a template per
field (``messages:``). Messages are resolved once, when the form is loaded, so
the browser receives exactly the sentences the function would send.

Validators never raise, whatever JSON value they get: a wrong type is the error
``tipe_tidak_valid``, an empty answer ``wajib_diisi`` (or nothing, if optional).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import phonenumbers

from . import nik as nikmod

Severity = Literal["error", "warning"]
Report = Callable[[str, str], None]  # (key, message) about a form definition

REQUIRED = "wajib_diisi"
WRONG_TYPE = "tipe_tidak_valid"
FIELD_ID = re.compile(r"[a-z][a-z0-9_]{0,49}", re.ASCII)
COMMON_KEYS = ("id", "type", "label", "hint", "required", "export", "messages")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")


# ---------------------------------------------------------------------------
# Public data types
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldError:
    """One problem with one answer, as the API returns it (HTTP 422 body items)."""

    field: str
    code: str
    message: str
    severity: Severity = "error"

    def to_dict(self) -> dict:
        return {"field": self.field, "code": self.code, "message": self.message,
                "severity": self.severity}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class OfficeOption:
    """An office from ``content/offices.yml``, as a choice source."""

    id: str
    name: str
    kind: str


@dataclass(frozen=True)
class FieldSpec:
    """One question of a form, loaded from ``content/forms/<id>.yml``."""

    id: str
    type: str
    label: str
    hint: str
    required: bool
    export_column: str
    options: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)
    choices: tuple[Choice, ...] = ()
    messages: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    line: int = field(default=0, compare=False)

    def error(self, code: str, severity: Severity = "error") -> FieldError:
        """The `FieldError` for ``code`` with this field's message."""
        return FieldError(self.id, code, self.messages.get(code, code), severity)

    def to_dict(self) -> dict:
        """JSON-safe description for the browser: what to render and how to check it."""
        data: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "label": self.label,
            "hint": self.hint,
            "required": self.required,
            "export": self.export_column,
        }
        for key, value in self.options.items():
            if value is not None:
                data[key] = value.isoformat() if isinstance(value, date) else value
        if self.type == "choice":
            data["choices"] = [{"value": c.value, "label": c.label} for c in self.choices]
        if self.type in ("nik", "kk"):
            data["length"] = nikmod.NIK_LENGTH
            data["separators"] = nikmod.SEPARATORS  # removed before checking
        data["messages"] = dict(self.messages)
        return data


@dataclass(frozen=True)
class Outcome:
    """What `validate_field` found: a normalised ``value`` or an ``error`` code."""

    value: Any = None
    error: str | None = None
    detail: Any = None  # e.g. the NikResult, for cross-checks

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Context:
    today: date
    provinces: Collection[str] | None = None


# ---------------------------------------------------------------------------
# Labels and messages
# ---------------------------------------------------------------------------


def in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: first letter lower case, acronyms kept.

    >>> in_sentence("Nama lengkap"), in_sentence("NIK pelapor"), in_sentence("Nomor HP")
    ('nama lengkap', 'NIK pelapor', 'nomor HP')
    """
    if len(label) >= 2 and label[0].isupper() and label[1].isupper():
        return label  # starts with an acronym: NIK, KK, HP, KTP-el
    return label[:1].lower() + label[1:]


def sentence_start(label: str) -> str:
    return label[:1].upper() + label[1:]


def format_date(value: date) -> str:
    """``date(1900, 1, 1)`` → ``"1 Januari 1900"``."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def format_bytes(size: int) -> str:
    """``5242880`` → ``"5 MB"``; ``1572864`` → ``"1,5 MB"`` (binary megabytes)."""
    if size >= 1024 * 1024:
        amount, unit = size / (1024 * 1024), "MB"
    else:
        amount, unit = size / 1024, "KB"
    text = f"{amount:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text} {unit}"


class _Args(dict):
    """Template arguments; a missing one raises KeyError naming it."""


def render(template: str, args: Mapping[str, Any]) -> str:
    """Fill ``{label}``-style placeholders. Raises KeyError/ValueError/IndexError if bad."""
    return template.format_map(_Args(args))


# ---------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_NAME_PUNCTUATION = frozenset(" '.,-")


def _blank(value: str) -> bool:
    return not value or value.isspace()


def _unstorable(ch: str, allow_newline: bool = False) -> bool:
    """Control characters, lone surrogates, line/paragraph separators."""
    if allow_newline and ch in "\n\t":
        return False
    return unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp")


def _is_latin_letter(ch: str) -> bool:
    if ch.isascii():
        return ch.isalpha()
    category = unicodedata.category(ch)
    if category.startswith("L"):
        return "LATIN" in unicodedata.name(ch, "")
    return category == "Mn" and "COMBINING" in unicodedata.name(ch, "")


# ---------------------------------------------------------------------------
# Validators: one per type. Each gets a non-blank string (or, for numbers, an int).
# ---------------------------------------------------------------------------


def _validate_nik(spec: FieldSpec, raw: Any, ctx: Context) -> Outcome:
    result = nikmod.parse_nik(raw, today=ctx.today, provinces=ctx.provinces)
    return Outcome(result.value, result.error, result)


def _validate_kk(spec: FieldSpec, raw: Any, ctx: Context) -> Outcome:
    result = nikmod.parse_kk(raw, provinces=ctx.provinces)
    return Outcome(result.value, result.error, result)


def _validate_name(spec: FieldSpec, raw: str, ctx: Context) -> Outcome:
    max_length = spec.options["max_length"]
    if len(raw) > 4 * max_length + 100:  # cheap early exit for huge input
        return Outcome(error="nama_terlalu_panjang")
    if any(_unstorable(ch) for ch in raw):
        return Outcome(error="nama_karakter_tidak_valid")
    text = " ".join(unicodedata.normalize("NFC", raw).translate(_APOSTROPHES).split())
    if any(not (_is_latin_letter(ch) or ch in _NAME_PUNCTUATION) for ch in text):
        return Outcome(error="nama_karakter_tidak_valid")
    if not any(ch.isalpha() for ch in text):
        return Outcome(error="nama_tanpa_huruf")
    if len(text) > max_length:
        return Outcome(error="nama_terlalu_panjang")
    words = [w for w in text.split(" ") if any(ch.isalpha() for ch in w)]
    if len(words) < spec.options["min_words"]:
        return Outcome(error="nama_kurang_kata")
    return Outcome(text)


_PHONE_CHARACTERS = frozenset("0123456789+-(). ")
_MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE,
                 phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _validate_phone(spec: FieldSpec, raw: str, ctx: Context) -> Outcome:
    text = " ".join(raw.split())
    if any(ch not in _PHONE_CHARACTERS for ch in text):
        return Outcome(error="telepon_karakter_tidak_valid")
    digits = sum(ch.isdigit() for ch in text)
    if len(text) > 32 or not 6 <= digits <= 17:
        return Outcome(error="telepon_format")
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        return Outcome(error="telepon_format")
    if number.country_code != 62:
        return Outcome(error="telepon_bukan_indonesia")
    if not phonenumbers.is_valid_number(number):
        return Outcome(error="telepon_tidak_valid")
    if spec.options["mobile"] and phonenumbers.number_type(number) not in _MOBILE_TYPES:
        return Outcome(error="telepon_bukan_hp")
    return Outcome(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


EMAIL_MAX_LENGTH = 254
_EMAIL = re.compile(
    r"(?P<local>[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})",
    re.ASCII,
)


def _validate_email(spec: FieldSpec, raw: str, ctx: Context) -> Outcome:
    text = raw.strip()
    if len(text) > EMAIL_MAX_LENGTH:
        return Outcome(error="email_terlalu_panjang")
    match = _EMAIL.fullmatch(text)
    if not match or len(match["local"]) > 64:
        return Outcome(error="email_format")
    return Outcome(f"{match['local']}@{match['domain'].lower()}")


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def age_on(born: date, today: date) -> int:
    """Full years between ``born`` and ``today`` (a 29 February birthday counts on 1 March)."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _validate_date(spec: FieldSpec, raw: str, ctx: Context) -> Outcome:
    text = raw.strip()
    if not _ISO_DATE.fullmatch(text):
        return Outcome(error="tanggal_format")
    try:
        value = date.fromisoformat(text)
    except ValueError:
        return Outcome(error="tanggal_tidak_ada")
    options = spec.options
    if options["not_future"] and value > ctx.today:
        return Outcome(error="tanggal_di_masa_depan")
    if options.get("min") is not None and value < options["min"]:
        return Outcome(error="tanggal_terlalu_awal")
    if options.get("max") is not None and value > options["max"]:
        return Outcome(error="tanggal_terlalu_akhir")
    if options.get("min_age") is not None and age_on(value, ctx.today) < options["min_age"]:
        return Outcome(error="tanggal_usia_kurang")
    if options.get("max_age") is not None and age_on(value, ctx.today) > options["max_age"]:
        return Outcome(error="tanggal_usia_lebih")
    return Outcome(value.isoformat(), detail=value)


def _validate_choice(spec: FieldSpec, raw: str, ctx: Context) -> Outcome:
    text = raw.strip()
    if any(choice.value == text for choice in spec.choices):
        return Outcome(text)
    return Outcome(error="pilihan_tidak_valid")


def _validate_text(spec: FieldSpec, raw: str, ctx: Context) -> Outcome:
    multiline = spec.options["multiline"]
    max_length = spec.options["max_length"]
    if len(raw) > 4 * max_length + 100:
        return Outcome(error="teks_terlalu_panjang")
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if any(_unstorable(ch, allow_newline=True) for ch in text):  # single line: collapsed below
        return Outcome(error="teks_karakter_tidak_valid")
    text = unicodedata.normalize("NFC", text)
    text = "\n".join(line.rstrip() for line in text.strip().split("\n")) if multiline else " ".join(text.split())
    if len(text) > max_length:
        return Outcome(error="teks_terlalu_panjang")
    if len(text) < spec.options["min_length"]:
        return Outcome(error="teks_terlalu_pendek")
    return Outcome(text)


_INTEGER = re.compile(r"-?[0-9]+", re.ASCII)


def _validate_number(spec: FieldSpec, raw: str | int, ctx: Context) -> Outcome:
    low, high = spec.options["min"], spec.options["max"]
    if isinstance(raw, str):
        text = raw.strip()
        if not _INTEGER.fullmatch(text):
            return Outcome(error="angka_format")
        digits = text.lstrip("-").lstrip("0")
        if len(digits) > 15:  # int() of thousands of digits is slow (and limited)
            return Outcome(error="angka_terlalu_kecil" if text.startswith("-") else
                           "angka_terlalu_besar")
        value = int(text)
    else:
        value = raw
    if value < low:
        return Outcome(error="angka_terlalu_kecil")
    if value > high:
        return Outcome(error="angka_terlalu_besar")
    return Outcome(value)


# ---------------------------------------------------------------------------
# The registry: options, messages and validator of every type
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """An option a form definition may set for a field type."""

    kind: Literal["bool", "int", "date", "field", "str"]
    default: Any = None
    low: int | None = None
    high: int | None = None
    required: bool = False


@dataclass(frozen=True)
class FieldType:
    name: str
    validate: Callable[[FieldSpec, Any, Context], Outcome]
    options: Mapping[str, Option]
    messages: Mapping[str, str]
    empty_verb: str = "Masukkan"
    accepts_int: bool = False
    # Codes that only apply when an option is set; the others always apply.
    applies: Mapping[str, Callable[[Mapping[str, Any]], bool]] = field(default_factory=dict)


_CHECK_AGAIN_KTP = "Periksa lagi di KTP-el atau Kartu Keluarga"
_CHECK_AGAIN_KK = "Periksa lagi di Kartu Keluarga"
_NIK_MESSAGES = {
    "nik_karakter_tidak_valid": "{Label} hanya boleh berisi 16 angka, tanpa huruf atau tanda lain",
    "nik_angka_tidak_standar": "{Label} memakai angka dari huruf lain. Ketik ulang dengan "
                               "angka 0 sampai 9 biasa",
    "nik_terlalu_pendek": f"{{Label}} kurang dari 16 angka. {_CHECK_AGAIN_KTP}",
    "nik_terlalu_panjang": f"{{Label}} lebih dari 16 angka. {_CHECK_AGAIN_KTP}",
    "nik_provinsi_tidak_dikenal": f"2 angka pertama {{label}} bukan kode provinsi. "
                                  f"{_CHECK_AGAIN_KTP}",
    "nik_kabupaten_tidak_valid": f"Angka ke-3 dan ke-4 {{label}} tidak boleh 00. "
                                 f"{_CHECK_AGAIN_KTP}",
    "nik_kecamatan_tidak_valid": f"Angka ke-5 dan ke-6 {{label}} tidak boleh 00. "
                                 f"{_CHECK_AGAIN_KTP}",
    "nik_tanggal_tidak_valid": f"Angka ke-7 dan ke-8 {{label}} harus 01 sampai 31 (laki-laki) "
                               f"atau 41 sampai 71 (perempuan). {_CHECK_AGAIN_KTP}",
    "nik_bulan_tidak_valid": f"Angka ke-9 dan ke-10 {{label}} harus 01 sampai 12. "
                             f"{_CHECK_AGAIN_KTP}",
    "nik_tanggal_tidak_ada": f"Angka ke-7 sampai ke-12 {{label}} bukan tanggal yang ada. "
                             f"{_CHECK_AGAIN_KTP}",
    "nik_nomor_urut_tidak_valid": f"4 angka terakhir {{label}} tidak boleh 0000. "
                                  f"{_CHECK_AGAIN_KTP}",
    # Warnings (only when the field sets check_birth_date / check_sex).
    "nik_tanggal_lahir_berbeda": "Tanggal lahir menurut {label} berbeda dengan {birth_date_label} "
                                 "yang Anda isi. Periksa lagi keduanya. Jika keduanya sudah "
                                 "benar, konfirmasi untuk melanjutkan",
    "nik_jenis_kelamin_berbeda": "Jenis kelamin menurut {label} berbeda dengan {sex_label} "
                                 "yang Anda pilih. Periksa lagi keduanya. Jika keduanya sudah "
                                 "benar, konfirmasi untuk melanjutkan",
}
_KK_MESSAGES = {
    "kk_karakter_tidak_valid": "{Label} hanya boleh berisi 16 angka, tanpa huruf atau tanda lain",
    "kk_angka_tidak_standar": "{Label} memakai angka dari huruf lain. Ketik ulang dengan "
                              "angka 0 sampai 9 biasa",
    "kk_terlalu_pendek": f"{{Label}} kurang dari 16 angka. {_CHECK_AGAIN_KK}",
    "kk_terlalu_panjang": f"{{Label}} lebih dari 16 angka. {_CHECK_AGAIN_KK}",
    "kk_provinsi_tidak_dikenal": f"2 angka pertama {{label}} bukan kode provinsi. "
                                 f"{_CHECK_AGAIN_KK}",
    "kk_kabupaten_tidak_valid": f"Angka ke-3 dan ke-4 {{label}} tidak boleh 00. {_CHECK_AGAIN_KK}",
    "kk_kecamatan_tidak_valid": f"Angka ke-5 dan ke-6 {{label}} tidak boleh 00. {_CHECK_AGAIN_KK}",
}
_EXAMPLE_PHONE = "0812 3456 7890"

TYPES: dict[str, FieldType] = {
    "nik": FieldType(
        "nik", _validate_nik,
        {"check_birth_date": Option("field"), "check_sex": Option("field")},
        _NIK_MESSAGES,
        applies={"nik_tanggal_lahir_berbeda": lambda o: o.get("check_birth_date") is not None,
                 "nik_jenis_kelamin_berbeda": lambda o: o.get("check_sex") is not None},
    ),
    "kk": FieldType("kk", _validate_kk, {}, _KK_MESSAGES),
    "name": FieldType(
        "name", _validate_name,
        {"max_length": Option("int", 60, 1, 60), "min_words": Option("int", 1, 1, 5)},
        {
            "nama_karakter_tidak_valid": "{Label} hanya boleh berisi huruf, spasi, dan tanda "
                                         "' . , - (tanpa angka atau simbol lain)",
            "nama_tanpa_huruf": "{Label} harus berisi huruf",
            "nama_terlalu_panjang": "{Label} tidak boleh lebih dari {max_length} karakter, "
                                    "termasuk spasi",
            "nama_kurang_kata": "{Label} harus paling sedikit {min_words} kata, "
                                "seperti Aisyah Putri",
        },
        applies={"nama_kurang_kata": lambda o: o["min_words"] > 1},
    ),
    "phone": FieldType(
        "phone", _validate_phone, {"mobile": Option("bool", False)},
        {
            "telepon_karakter_tidak_valid": "{Label} hanya boleh berisi angka, spasi, dan tanda "
                                            f"+ atau -, seperti {_EXAMPLE_PHONE}",
            "telepon_format": f"Masukkan {{label}} yang benar, seperti {_EXAMPLE_PHONE}",
            "telepon_bukan_indonesia": "Masukkan nomor Indonesia yang diawali 08 atau +62, "
                                       f"seperti {_EXAMPLE_PHONE}",
            "telepon_tidak_valid": "{Label} tidak lengkap atau salah. Periksa lagi jumlah "
                                   f"angkanya, seperti {_EXAMPLE_PHONE}",
            "telepon_bukan_hp": "Masukkan nomor HP yang dipakai untuk WhatsApp, seperti "
                                f"{_EXAMPLE_PHONE}, bukan nomor telepon rumah atau kantor",
        },
        applies={"telepon_bukan_hp": lambda o: o["mobile"]},
    ),
    "email": FieldType(
        "email", _validate_email, {},
        {
            "email_format": "Masukkan {label} dengan format yang benar, seperti nama@contoh.com",
            "email_terlalu_panjang": f"{{Label}} tidak boleh lebih dari {EMAIL_MAX_LENGTH} "
                                     "karakter",
        },
    ),
    "date": FieldType(
        "date", _validate_date,
        {
            "not_future": Option("bool", False),
            "min": Option("date"),
            "max": Option("date"),
            "min_age": Option("int", None, 0, 150),
            "max_age": Option("int", None, 0, 150),
        },
        {
            "tanggal_format": "{Label} harus berupa tanggal, bulan, dan tahun, seperti 17 8 1990",
            "tanggal_tidak_ada": "{Label} harus tanggal yang benar-benar ada",
            "tanggal_di_masa_depan": "{Label} harus hari ini atau sebelumnya",
            "tanggal_terlalu_awal": "{Label} harus {min_text} atau sesudahnya",
            "tanggal_terlalu_akhir": "{Label} harus {max_text} atau sebelumnya",
            "tanggal_usia_kurang": "Menurut {label}, usianya belum {min_age} tahun. "
                                   "Periksa lagi tanggalnya",
            "tanggal_usia_lebih": "Menurut {label}, usianya lebih dari {max_age} tahun. "
                                  "Periksa lagi tanggalnya",
        },
        applies={
            "tanggal_di_masa_depan": lambda o: o["not_future"],
            "tanggal_terlalu_awal": lambda o: o.get("min") is not None,
            "tanggal_terlalu_akhir": lambda o: o.get("max") is not None,
            "tanggal_usia_kurang": lambda o: o.get("min_age") is not None,
            "tanggal_usia_lebih": lambda o: o.get("max_age") is not None,
        },
    ),
    "choice": FieldType(
        "choice", _validate_choice, {"office_kind": Option("str")},
        {"pilihan_tidak_valid": "Pilih {label} dari daftar"},
        empty_verb="Pilih",
    ),
    "text": FieldType(
        "text", _validate_text,
        {
            "max_length": Option("int", None, 1, 5000, required=True),
            "min_length": Option("int", 0, 0, 5000),
            "multiline": Option("bool", False),
        },
        {
            "teks_terlalu_panjang": "{Label} tidak boleh lebih dari {max_length} karakter",
            "teks_terlalu_pendek": "{Label} harus paling sedikit {min_length} karakter",
            "teks_karakter_tidak_valid": "{Label} berisi karakter yang tidak bisa disimpan. "
                                         "Hapus karakter itu lalu kirim lagi",
        },
        applies={"teks_terlalu_pendek": lambda o: o["min_length"] > 0},
    ),
    "number": FieldType(
        "number", _validate_number,
        {
            "min": Option("int", None, -(10**9), 10**9, required=True),
            "max": Option("int", None, -(10**9), 10**9, required=True),
        },
        {
            "angka_format": "{Label} harus berupa angka, seperti 5",
            "angka_terlalu_kecil": "{Label} harus {min} atau lebih",
            "angka_terlalu_besar": "{Label} harus {max} atau kurang",
        },
        accepts_int=True,
    ),
}

COMMON_MESSAGES = {
    WRONG_TYPE: "Jawaban untuk {label} tidak terbaca. Isi lagi kolom ini",
}
WARNING_CODES = frozenset(nikmod.NIK_WARNINGS)


def message_codes(type_name: str) -> list[str]:
    """Every code a field of this type can produce (errors and warnings)."""
    return [REQUIRED, WRONG_TYPE, *TYPES[type_name].messages]


# ---------------------------------------------------------------------------
# Validation entry point
# ---------------------------------------------------------------------------


def validate_field(
    spec: FieldSpec,
    raw: object,
    *,
    today: date,
    provinces: Collection[str] | None = None,
) -> Outcome:
    """Check one answer and normalise it.

    Parameters
    ----------
    spec
        The field, from a loaded form definition.
    raw
        Any JSON value. ``None``, a missing answer and a blank string are empty.
    today
        Today's date in WIB (for "not in the future", ages and NIK years).
    provinces
        Province codes for NIK/KK; defaults to ``content/data/provinces.csv``.

    Returns
    -------
    Outcome
        ``value`` (normalised; ``None`` for an empty optional answer) or
        ``error`` (a code in ``spec.messages``). Never raises.
    """
    kind = TYPES[spec.type]
    if raw is None or (isinstance(raw, str) and _blank(raw)):
        return Outcome(error=REQUIRED) if spec.required else Outcome(None)
    if not isinstance(raw, str) and not (
        kind.accepts_int and isinstance(raw, int) and not isinstance(raw, bool)
    ):
        return Outcome(error=WRONG_TYPE)
    return kind.validate(spec, raw, Context(today, provinces))


# ---------------------------------------------------------------------------
# Reading a field from a form definition
# ---------------------------------------------------------------------------


def parse_field(
    raw: Mapping[str, Any],
    report: Report,
    *,
    offices: Iterable[OfficeOption] | None,
    labels: Mapping[str, str] | None = None,
    line: int = 0,
) -> FieldSpec | None:
    """Build a `FieldSpec` from one entry of a definition's ``fields:`` list.

    Parameters
    ----------
    raw
        The entry as read from YAML.
    report
        Called as ``report(key, message)`` for every problem (Indonesian, for staff).
    offices
        Choices for ``choices_from: offices``; ``None`` if offices.yml is missing.
    labels
        Labels of all fields of the form by id, for the NIK warning messages.
        Whether referenced fields exist and have the right type is checked by
        the form loader.
    line
        Where the entry starts, kept for later messages.

    Returns
    -------
    FieldSpec | None
        ``None`` if any problem was reported.
    """
    problems: list[str] = []

    def bad(key: str, message: str) -> None:
        problems.append(key)
        report(key, message)

    field_id = raw.get("id")
    if not isinstance(field_id, str) or not FIELD_ID.fullmatch(field_id):
        bad("id", "wajib diisi: huruf kecil, angka, dan garis bawah, diawali huruf "
                  "(misalnya nama_lengkap), paling panjang 50 karakter")
    type_name = raw.get("type")
    if not isinstance(type_name, str) or type_name not in TYPES:
        bad("type", f"'{type_name}' bukan jenis isian yang dikenal "
                    f"(yang ada: {', '.join(TYPES)})")
        return None
    kind = TYPES[type_name]
    special = {"choices", "choices_from"} if type_name == "choice" else set()
    allowed = set(COMMON_KEYS) | set(kind.options) | special
    for key in raw:
        if key not in allowed:
            bad(str(key), f"kunci tidak dikenal untuk jenis '{type_name}' "
                          f"(yang boleh: {', '.join(sorted(allowed))})")
    label = _text(raw, "label", bad, required=True)
    hint = _text(raw, "hint", bad, required=False)
    required = raw.get("required", True)
    if not isinstance(required, bool):
        bad("required", "harus true atau false")
    export = raw.get("export", field_id)
    if "export" in raw and (not isinstance(export, str) or not FIELD_ID.fullmatch(export)):
        bad("export", "nama kolom ekspor: huruf kecil, angka, dan garis bawah, diawali huruf")
    options = _options(raw, kind, bad)
    choices: tuple[Choice, ...] = ()
    if type_name == "choice":
        choices = _choices(raw, options, offices, bad)
    if problems:
        return None
    args = _message_args(label, options, labels or {})
    messages = _messages(kind, options, args, raw.get("messages"), bad, required=required)
    if problems:
        return None
    return FieldSpec(field_id, type_name, label, hint, required, export, options, choices,
                     messages, line)


def _text(raw: Mapping[str, Any], key: str, bad: Report, *, required: bool) -> str:
    value = raw.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        bad(key, "harus berupa teks")
        return ""
    if required and not value.strip():
        bad(key, "wajib diisi")
    return " ".join(value.split())


def _options(raw: Mapping[str, Any], kind: FieldType, bad: Report) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for key, option in kind.options.items():
        value = raw.get(key)
        if value is None:
            if option.required:
                bad(key, "wajib diisi untuk jenis isian ini")
            if option.default is not None or option.kind in ("bool", "int"):
                options[key] = option.default
            continue
        if option.kind == "bool":
            if not isinstance(value, bool):
                bad(key, "harus true atau false")
        elif option.kind == "int":
            if not isinstance(value, int) or isinstance(value, bool):
                bad(key, "harus bilangan bulat")
            elif option.low is not None and option.high is not None and not (
                option.low <= value <= option.high
            ):
                bad(key, f"harus antara {option.low} dan {option.high}")
        elif option.kind == "date":
            try:
                value = date.fromisoformat(str(value)) if _ISO_DATE.fullmatch(str(value)) else None
            except ValueError:
                value = None
            if value is None:
                bad(key, "harus tanggal dengan format TTTT-BB-HH, misalnya 1900-01-01")
        elif not isinstance(value, str) or not value:
            bad(key, "harus berupa teks")
        options[key] = value
    low, high = options.get("min"), options.get("max")
    if _comparable(low, high) and low > high:
        bad("max", "harus sama dengan atau lebih besar dari 'min'")
    low, high = options.get("min_length"), options.get("max_length")
    if _comparable(low, high) and low > high:
        bad("min_length", "tidak boleh lebih besar dari 'max_length'")
    return options


def _comparable(low: Any, high: Any) -> bool:
    """Both set and of the same kind (a wrongly typed option is reported on its own)."""
    kinds = (int, date)
    return any(type(low) is k and type(high) is k for k in kinds)


def _choices(
    raw: Mapping[str, Any],
    options: dict[str, Any],
    offices: Iterable[OfficeOption] | None,
    bad: Report,
) -> tuple[Choice, ...]:
    listed, source = raw.get("choices"), raw.get("choices_from")
    if (listed is None) == (source is None):
        bad("choices", "isi salah satu: 'choices' (daftar value/label) atau "
                       "'choices_from: offices'")
        return ()
    if source is not None:
        if source != "offices":
            bad("choices_from", "yang dikenal hanya 'offices' (dari content/offices.yml)")
            return ()
        if offices is None:
            bad("choices_from", "content/offices.yml tidak ada atau tidak bisa dibaca")
            return ()
        kind = options.get("office_kind")
        choices = tuple(Choice(o.id, o.name) for o in offices if kind is None or o.kind == kind)
        if not choices:
            bad("office_kind", f"tidak ada kantor dengan kind '{kind}' di content/offices.yml")
        return choices
    if "office_kind" in raw:
        bad("office_kind", "hanya dipakai bersama 'choices_from: offices'")
    if not isinstance(listed, list) or not listed:
        bad("choices", "harus daftar berisi value dan label")
        return ()
    result = []
    for index, item in enumerate(listed):
        value = item.get("value") if isinstance(item, Mapping) else None
        label = item.get("label") if isinstance(item, Mapping) else None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip() or not isinstance(label, str) \
                or not label.strip() or (isinstance(item, Mapping) and set(item) - {"value",
                                                                                    "label"}):
            bad(f"choices[{index}]", "setiap pilihan harus punya 'value' dan 'label' (teks), "
                                     "tidak ada kunci lain")
            continue
        if any(c.value == value.strip() for c in result):
            bad(f"choices[{index}]", f"value '{value}' ditulis dua kali")
        result.append(Choice(value.strip(), " ".join(label.split())))
    return tuple(result)


def _message_args(label: str, options: Mapping[str, Any],
                  labels: Mapping[str, str]) -> dict[str, Any]:
    args: dict[str, Any] = {"label": in_sentence(label), "Label": sentence_start(label)}
    for key, value in options.items():
        if value is None:
            continue
        args[key] = value
        if isinstance(value, date):
            args[f"{key}_text"] = format_date(value)
    for option, arg in (("check_birth_date", "birth_date_label"), ("check_sex", "sex_label")):
        other = options.get(option)
        if isinstance(other, str):  # an unknown id is reported by the form loader
            args[arg] = in_sentence(labels.get(other, other))
    return args


def _messages(kind: FieldType, options: Mapping[str, Any], args: Mapping[str, Any],
              overrides: Any, bad: Report, *, required: bool) -> dict[str, str]:
    templates = {REQUIRED: f"{kind.empty_verb} {{label}}"} if required else {}
    templates.update(COMMON_MESSAGES)
    templates.update((code, text) for code, text in kind.messages.items()
                     if code not in kind.applies or kind.applies[code](options))
    if overrides is not None and not isinstance(overrides, Mapping):
        bad("messages", "harus pasangan 'kode: pesan'")
        overrides = None
    for code, text in (overrides or {}).items():
        if code not in templates:
            bad("messages", f"kode '{code}' tidak dipakai isian ini "
                            f"(yang dipakai: {', '.join(templates)})")
        elif not isinstance(text, str) or not text.strip():
            bad("messages", f"pesan untuk '{code}' harus teks")
        else:
            templates[code] = " ".join(text.split())
    messages = {}
    for code, template in templates.items():
        try:
            messages[code] = render(template, args)
        except KeyError as exc:
            bad("messages", f"pesan '{code}' memakai {{{exc.args[0]}}}, yang tidak ada "
                            "untuk isian ini")
        except (ValueError, IndexError):
            bad("messages", f"pesan '{code}': tanda kurung kurawal {{ }} tidak seimbang")
    return messages
