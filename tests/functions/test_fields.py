"""Field types (chalicelib.fields): every error code, with its exact Indonesian message.

Each row of a table below is one answer, the code it must produce and the exact
sentence the resident reads. `test_every_code_is_exercised` fails if a type gains
a code that no row produces.
"""

from __future__ import annotations

import math
from datetime import date

import pytest
from chalicelib.fields import (
    REQUIRED,
    TYPES,
    WRONG_TYPE,
    FieldError,
    FieldSpec,
    OfficeOption,
    age_on,
    format_bytes,
    format_date,
    in_sentence,
    message_codes,
    parse_field,
    validate_field,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TODAY = date(2026, 11, 27)
OFFICES = [
    OfficeOption("dinas", "Kantor Dispendukcapil", "dinas"),
    OfficeOption("getasan", "Kecamatan Getasan", "kecamatan"),
    OfficeOption("tengaran", "Kecamatan Tengaran", "kecamatan"),
]
CHECK = "Periksa lagi di KTP-el atau Kartu Keluarga"
CHECK_KK = "Periksa lagi di Kartu Keluarga"
FULL_WIDTH_NIK = "".join(chr(0xFF10 + int(d)) for d in "3322011708900001")


def make(type_: str, label: str, *, required: bool = True, field_id: str = "isian",
         labels: dict | None = None, **options: object) -> FieldSpec:
    """A FieldSpec from a definition entry; fails the test on any definition problem."""
    problems: list[tuple[str, str]] = []
    raw = {"id": field_id, "type": type_, "label": label, "required": required, **options}
    spec = parse_field(raw, lambda key, message: problems.append((key, message)),
                       offices=OFFICES, labels=labels)
    assert problems == []
    assert spec is not None
    return spec


def problems_of(raw: dict, *, offices: list | None = OFFICES) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    spec = parse_field(raw, lambda key, message: problems.append((key, message)), offices=offices)
    assert (spec is None) == bool(problems)
    return problems


NIK = make("nik", "NIK")
NIK_IBU = make("nik", "NIK ibu", field_id="nik_ibu")
KK = make("kk", "Nomor KK")
NAME = make("name", "Nama lengkap")
CHILD_NAME = make("name", "Nama anak", min_words=2)
MOBILE = make("phone", "Nomor HP (WhatsApp)", mobile=True)
PHONE = make("phone", "Nomor telepon")
EMAIL = make("email", "Alamat email", required=False)
EMAIL_REQUIRED = make("email", "Alamat email")
BIRTH_DATE = make("date", "Tanggal lahir", not_future=True, min="1900-01-01")
WEDDING_DATE = make("date", "Tanggal pernikahan", max="2020-12-31")
APPLICANT_BIRTH = make("date", "Tanggal lahir pemohon", min_age=17, max_age=120)
ANY_DATE = make("date", "Tanggal kejadian")
SEX = make("choice", "Jenis kelamin", choices=[{"value": "L", "label": "Laki-laki"},
                                               {"value": "P", "label": "Perempuan"}])
KECAMATAN = make("choice", "Kecamatan tempat tinggal", choices_from="offices",
                 office_kind="kecamatan")
OFFICE = make("choice", "Kantor", choices_from="offices")
ADDRESS = make("text", "Alamat rumah", max_length=20, min_length=5)
NOTE = make("text", "Catatan", max_length=30, multiline=True, required=False)
RT = make("number", "RT", min=1, max=999)
OFFSET = make("number", "Selisih", min=-10, max=10)

ALL_SPECS = [NIK, NIK_IBU, KK, NAME, CHILD_NAME, MOBILE, PHONE, EMAIL, EMAIL_REQUIRED,
             BIRTH_DATE, WEDDING_DATE, APPLICANT_BIRTH, ANY_DATE, SEX, KECAMATAN, OFFICE,
             ADDRESS, NOTE, RT, OFFSET]

# (spec, answer, code, exact message)
ERRORS = [
    # -- common --------------------------------------------------------------
    (NIK, "", REQUIRED, "Masukkan NIK"),
    (NIK, "   ", REQUIRED, "Masukkan NIK"),
    (NIK, None, REQUIRED, "Masukkan NIK"),
    (NIK, 3322011708900001, WRONG_TYPE, "Jawaban untuk NIK tidak terbaca. Isi lagi kolom ini"),
    (NIK_IBU, "", REQUIRED, "Masukkan NIK ibu"),
    # -- nik -----------------------------------------------------------------
    (NIK, "3322O11708900001", "nik_karakter_tidak_valid",
     "NIK hanya boleh berisi 16 angka, tanpa huruf atau tanda lain"),
    (NIK, "3322/01/170890/0001", "nik_karakter_tidak_valid",
     "NIK hanya boleh berisi 16 angka, tanpa huruf atau tanda lain"),
    (NIK, FULL_WIDTH_NIK, "nik_angka_tidak_standar",
     "NIK memakai angka dari huruf lain. Ketik ulang dengan angka 0 sampai 9 biasa"),
    (NIK, "332201170890001", "nik_terlalu_pendek", f"NIK kurang dari 16 angka. {CHECK}"),
    (NIK, "33220117089000011", "nik_terlalu_panjang", f"NIK lebih dari 16 angka. {CHECK}"),
    (NIK, "9922011708900001", "nik_provinsi_tidak_dikenal",
     f"2 angka pertama NIK bukan kode provinsi. {CHECK}"),
    (NIK_IBU, "9922011708900001", "nik_provinsi_tidak_dikenal",
     f"2 angka pertama NIK ibu bukan kode provinsi. {CHECK}"),
    (NIK, "3300011708900001", "nik_kabupaten_tidak_valid",
     f"Angka ke-3 dan ke-4 NIK tidak boleh 00. {CHECK}"),
    (NIK, "3322001708900001", "nik_kecamatan_tidak_valid",
     f"Angka ke-5 dan ke-6 NIK tidak boleh 00. {CHECK}"),
    (NIK, "3322014001900001", "nik_tanggal_tidak_valid",
     "Angka ke-7 dan ke-8 NIK harus 01 sampai 31 (laki-laki) atau 41 sampai 71 (perempuan). "
     f"{CHECK}"),
    (NIK, "3322011713900001", "nik_bulan_tidak_valid",
     f"Angka ke-9 dan ke-10 NIK harus 01 sampai 12. {CHECK}"),
    (NIK, "3322012902230001", "nik_tanggal_tidak_ada",
     f"Angka ke-7 sampai ke-12 NIK bukan tanggal yang ada. {CHECK}"),
    (NIK, "3322011708900000", "nik_nomor_urut_tidak_valid",
     f"4 angka terakhir NIK tidak boleh 0000. {CHECK}"),
    # -- kk ------------------------------------------------------------------
    (KK, "", REQUIRED, "Masukkan nomor KK"),
    (KK, ["3322010101200001"], WRONG_TYPE,
     "Jawaban untuk nomor KK tidak terbaca. Isi lagi kolom ini"),
    (KK, "KK 3322010101200001", "kk_karakter_tidak_valid",
     "Nomor KK hanya boleh berisi 16 angka, tanpa huruf atau tanda lain"),
    (KK, "\u0663\u0663\u0662\u0662\u0660\u0661\u0660\u0661\u0660\u0661\u0662\u0660\u0660\u0660"
         "\u0660\u0661", "kk_angka_tidak_standar",
     "Nomor KK memakai angka dari huruf lain. Ketik ulang dengan angka 0 sampai 9 biasa"),
    (KK, "332201010120001", "kk_terlalu_pendek", f"Nomor KK kurang dari 16 angka. {CHECK_KK}"),
    (KK, "33220101012000011", "kk_terlalu_panjang", f"Nomor KK lebih dari 16 angka. {CHECK_KK}"),
    (KK, "9922010101200001", "kk_provinsi_tidak_dikenal",
     f"2 angka pertama nomor KK bukan kode provinsi. {CHECK_KK}"),
    (KK, "3300010101200001", "kk_kabupaten_tidak_valid",
     f"Angka ke-3 dan ke-4 nomor KK tidak boleh 00. {CHECK_KK}"),
    (KK, "3322000101200001", "kk_kecamatan_tidak_valid",
     f"Angka ke-5 dan ke-6 nomor KK tidak boleh 00. {CHECK_KK}"),
    # -- name ----------------------------------------------------------------
    (NAME, "", REQUIRED, "Masukkan nama lengkap"),
    (NAME, {"nama": "Budi"}, WRONG_TYPE,
     "Jawaban untuk nama lengkap tidak terbaca. Isi lagi kolom ini"),
    (NAME, "Budi 2", "nama_karakter_tidak_valid",
     "Nama lengkap hanya boleh berisi huruf, spasi, dan tanda ' . , - "
     "(tanpa angka atau simbol lain)"),
    (NAME, "Budi@rumah", "nama_karakter_tidak_valid",
     "Nama lengkap hanya boleh berisi huruf, spasi, dan tanda ' . , - "
     "(tanpa angka atau simbol lain)"),
    (NAME, "Budi\x00", "nama_karakter_tidak_valid",
     "Nama lengkap hanya boleh berisi huruf, spasi, dan tanda ' . , - "
     "(tanpa angka atau simbol lain)"),
    (NAME, "\u674e\u96f7", "nama_karakter_tidak_valid",
     "Nama lengkap hanya boleh berisi huruf, spasi, dan tanda ' . , - "
     "(tanpa angka atau simbol lain)"),
    (NAME, "...", "nama_tanpa_huruf", "Nama lengkap harus berisi huruf"),
    (NAME, "A" * 61, "nama_terlalu_panjang",
     "Nama lengkap tidak boleh lebih dari 60 karakter, termasuk spasi"),
    (NAME, "Budi " * 20, "nama_terlalu_panjang",
     "Nama lengkap tidak boleh lebih dari 60 karakter, termasuk spasi"),
    (CHILD_NAME, "Aisyah", "nama_kurang_kata",
     "Nama anak harus paling sedikit 2 kata, seperti Aisyah Putri"),
    (CHILD_NAME, "Aisyah .", "nama_kurang_kata",
     "Nama anak harus paling sedikit 2 kata, seperti Aisyah Putri"),
    # -- phone ---------------------------------------------------------------
    (MOBILE, "", REQUIRED, "Masukkan nomor HP (WhatsApp)"),
    (MOBILE, 81234567890, WRONG_TYPE,
     "Jawaban untuk nomor HP (WhatsApp) tidak terbaca. Isi lagi kolom ini"),
    (MOBILE, "0812-3456-789a", "telepon_karakter_tidak_valid",
     "Nomor HP (WhatsApp) hanya boleh berisi angka, spasi, dan tanda + atau -, "
     "seperti 0812 3456 7890"),
    (MOBILE, "\uff10\uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10",
     "telepon_karakter_tidak_valid",
     "Nomor HP (WhatsApp) hanya boleh berisi angka, spasi, dan tanda + atau -, "
     "seperti 0812 3456 7890"),
    (MOBILE, "0812", "telepon_format",
     "Masukkan nomor HP (WhatsApp) yang benar, seperti 0812 3456 7890"),
    (MOBILE, "+", "telepon_format",
     "Masukkan nomor HP (WhatsApp) yang benar, seperti 0812 3456 7890"),
    (MOBILE, "0" * 40, "telepon_format",
     "Masukkan nomor HP (WhatsApp) yang benar, seperti 0812 3456 7890"),
    (MOBILE, "+1 415 555 2671", "telepon_bukan_indonesia",
     "Masukkan nomor Indonesia yang diawali 08 atau +62, seperti 0812 3456 7890"),
    (MOBILE, "0812 3456", "telepon_tidak_valid",
     "Nomor HP (WhatsApp) tidak lengkap atau salah. Periksa lagi jumlah angkanya, "
     "seperti 0812 3456 7890"),
    (MOBILE, "(024) 6921234", "telepon_bukan_hp",
     "Masukkan nomor HP yang dipakai untuk WhatsApp, seperti 0812 3456 7890, "
     "bukan nomor telepon rumah atau kantor"),
    (PHONE, "", REQUIRED, "Masukkan nomor telepon"),
    (PHONE, "0812 3456", "telepon_tidak_valid",
     "Nomor telepon tidak lengkap atau salah. Periksa lagi jumlah angkanya, "
     "seperti 0812 3456 7890"),
    # -- email ---------------------------------------------------------------
    (EMAIL_REQUIRED, "", REQUIRED, "Masukkan alamat email"),
    (EMAIL, True, WRONG_TYPE, "Jawaban untuk alamat email tidak terbaca. Isi lagi kolom ini"),
    (EMAIL, "nama@contoh", "email_format",
     "Masukkan alamat email dengan format yang benar, seperti nama@contoh.com"),
    (EMAIL, "nama contoh@contoh.com", "email_format",
     "Masukkan alamat email dengan format yang benar, seperti nama@contoh.com"),
    (EMAIL, "nama@@contoh.com", "email_format",
     "Masukkan alamat email dengan format yang benar, seperti nama@contoh.com"),
    (EMAIL, "nama..saya@contoh.com", "email_format",
     "Masukkan alamat email dengan format yang benar, seperti nama@contoh.com"),
    (EMAIL, "@contoh.com", "email_format",
     "Masukkan alamat email dengan format yang benar, seperti nama@contoh.com"),
    (EMAIL, "nama@-contoh.com", "email_format",
     "Masukkan alamat email dengan format yang benar, seperti nama@contoh.com"),
    (EMAIL, "n\u00e4ma@contoh.com", "email_format",
     "Masukkan alamat email dengan format yang benar, seperti nama@contoh.com"),
    (EMAIL, "a" * 65 + "@contoh.com", "email_format",
     "Masukkan alamat email dengan format yang benar, seperti nama@contoh.com"),
    (EMAIL, "a@" + "b" * 250 + ".com", "email_terlalu_panjang",
     "Alamat email tidak boleh lebih dari 254 karakter"),
    # -- date ----------------------------------------------------------------
    (BIRTH_DATE, "", REQUIRED, "Masukkan tanggal lahir"),
    (BIRTH_DATE, 19900817, WRONG_TYPE,
     "Jawaban untuk tanggal lahir tidak terbaca. Isi lagi kolom ini"),
    (BIRTH_DATE, "17-08-1990", "tanggal_format",
     "Tanggal lahir harus berupa tanggal, bulan, dan tahun, seperti 17 8 1990"),
    (BIRTH_DATE, "1990-8-17", "tanggal_format",
     "Tanggal lahir harus berupa tanggal, bulan, dan tahun, seperti 17 8 1990"),
    (BIRTH_DATE, "1990-08-17T00:00", "tanggal_format",
     "Tanggal lahir harus berupa tanggal, bulan, dan tahun, seperti 17 8 1990"),
    (BIRTH_DATE, "\uff11\uff19\uff19\uff10-08-17", "tanggal_format",
     "Tanggal lahir harus berupa tanggal, bulan, dan tahun, seperti 17 8 1990"),
    (BIRTH_DATE, "1990-02-30", "tanggal_tidak_ada",
     "Tanggal lahir harus tanggal yang benar-benar ada"),
    (BIRTH_DATE, "2023-02-29", "tanggal_tidak_ada",
     "Tanggal lahir harus tanggal yang benar-benar ada"),
    (BIRTH_DATE, "0000-01-01", "tanggal_tidak_ada",
     "Tanggal lahir harus tanggal yang benar-benar ada"),
    (BIRTH_DATE, "2026-11-28", "tanggal_di_masa_depan",
     "Tanggal lahir harus hari ini atau sebelumnya"),
    (BIRTH_DATE, "1899-12-31", "tanggal_terlalu_awal",
     "Tanggal lahir harus 1 Januari 1900 atau sesudahnya"),
    (WEDDING_DATE, "2021-01-01", "tanggal_terlalu_akhir",
     "Tanggal pernikahan harus 31 Desember 2020 atau sebelumnya"),
    (APPLICANT_BIRTH, "2009-11-28", "tanggal_usia_kurang",
     "Menurut tanggal lahir pemohon, usianya belum 17 tahun. Periksa lagi tanggalnya"),
    (APPLICANT_BIRTH, "1905-11-26", "tanggal_usia_lebih",
     "Menurut tanggal lahir pemohon, usianya lebih dari 120 tahun. Periksa lagi tanggalnya"),
    # -- choice --------------------------------------------------------------
    (SEX, "", REQUIRED, "Pilih jenis kelamin"),
    (SEX, 1, WRONG_TYPE, "Jawaban untuk jenis kelamin tidak terbaca. Isi lagi kolom ini"),
    (SEX, "X", "pilihan_tidak_valid", "Pilih jenis kelamin dari daftar"),
    (SEX, "l", "pilihan_tidak_valid", "Pilih jenis kelamin dari daftar"),
    (SEX, "Laki-laki", "pilihan_tidak_valid", "Pilih jenis kelamin dari daftar"),
    (KECAMATAN, "", REQUIRED, "Pilih kecamatan tempat tinggal"),
    (KECAMATAN, "dinas", "pilihan_tidak_valid", "Pilih kecamatan tempat tinggal dari daftar"),
    (KECAMATAN, "Kecamatan Getasan", "pilihan_tidak_valid",
     "Pilih kecamatan tempat tinggal dari daftar"),
    # -- text ----------------------------------------------------------------
    (ADDRESS, "", REQUIRED, "Masukkan alamat rumah"),
    (ADDRESS, ["Jl. Mawar"], WRONG_TYPE,
     "Jawaban untuk alamat rumah tidak terbaca. Isi lagi kolom ini"),
    (ADDRESS, "Jl. Mawar Merah No. 15", "teks_terlalu_panjang",
     "Alamat rumah tidak boleh lebih dari 20 karakter"),
    (ADDRESS, "x" * 100_000, "teks_terlalu_panjang",
     "Alamat rumah tidak boleh lebih dari 20 karakter"),
    (ADDRESS, "Jl.", "teks_terlalu_pendek", "Alamat rumah harus paling sedikit 5 karakter"),
    (ADDRESS, "Jl. Mawar\x00", "teks_karakter_tidak_valid",
     "Alamat rumah berisi karakter yang tidak bisa disimpan. Hapus karakter itu lalu kirim lagi"),
    (ADDRESS, "Jl. Mawar\ud800", "teks_karakter_tidak_valid",
     "Alamat rumah berisi karakter yang tidak bisa disimpan. Hapus karakter itu lalu kirim lagi"),
    (NOTE, "Baris\u2028dua", "teks_karakter_tidak_valid",
     "Catatan berisi karakter yang tidak bisa disimpan. Hapus karakter itu lalu kirim lagi"),
    # -- number --------------------------------------------------------------
    (RT, "", REQUIRED, "Masukkan RT"),
    (RT, 3.0, WRONG_TYPE, "Jawaban untuk RT tidak terbaca. Isi lagi kolom ini"),
    (RT, True, WRONG_TYPE, "Jawaban untuk RT tidak terbaca. Isi lagi kolom ini"),
    (RT, "3a", "angka_format", "RT harus berupa angka, seperti 5"),
    (RT, "3.0", "angka_format", "RT harus berupa angka, seperti 5"),
    (RT, "\u0663", "angka_format", "RT harus berupa angka, seperti 5"),
    (RT, "0", "angka_terlalu_kecil", "RT harus 1 atau lebih"),
    (RT, -5, "angka_terlalu_kecil", "RT harus 1 atau lebih"),
    (RT, "-" + "9" * 5000, "angka_terlalu_kecil", "RT harus 1 atau lebih"),
    (RT, "1000", "angka_terlalu_besar", "RT harus 999 atau kurang"),
    (RT, 10**400, "angka_terlalu_besar", "RT harus 999 atau kurang"),
    (RT, "9" * 5000, "angka_terlalu_besar", "RT harus 999 atau kurang"),
    (OFFSET, "-11", "angka_terlalu_kecil", "Selisih harus -10 atau lebih"),
]


def _row_id(row: tuple) -> str:
    spec, answer, code, _ = row
    return f"{spec.label}-{code}-{str(answer)[:20]}"


@pytest.mark.parametrize(("spec", "answer", "code", "message"), ERRORS, ids=map(_row_id, ERRORS))
def test_error_code_and_exact_message(spec: FieldSpec, answer: object, code: str,
                                      message: str) -> None:
    outcome = validate_field(spec, answer, today=TODAY)
    assert outcome.error == code
    assert outcome.value is None
    assert not outcome.ok
    assert spec.messages[code] == message
    assert spec.error(code) == FieldError(spec.id, code, message, "error")


def test_every_code_is_exercised() -> None:
    """A code no row produces would be a message nobody ever checked."""
    produced = {(spec.type, code) for spec, _, code, _ in ERRORS}
    for type_name in TYPES:
        expected = set(message_codes(type_name)) - {"nik_tanggal_lahir_berbeda",
                                                    "nik_jenis_kelamin_berbeda"}
        missing = {c for c in expected if (type_name, c) not in produced}
        assert not missing, f"{type_name}: no test row for {sorted(missing)}"


# (spec, answer, normalised value)
VALID = [
    (NIK, "3322 0152.0890-0001", "3322015208900001"),
    (NIK, "\u00a03322011708900001\n", "3322011708900001"),
    (KK, "3322 0101 0120 0001", "3322010101200001"),
    (NAME, "Sukarno", "Sukarno"),
    (NAME, "  Siti   Nur\u2019aini ", "Siti Nur'aini"),
    (NAME, "Muhammad Al-Fatih", "Muhammad Al-Fatih"),
    (NAME, "R.A. Kartini, S.Pd.", "R.A. Kartini, S.Pd."),
    (NAME, "\u017baneta \u00d1o\u00f1o", "\u017baneta \u00d1o\u00f1o"),
    (NAME, "Jose\u0301", "Jos\u00e9"),
    (NAME, "A" * 60, "A" * 60),
    (NAME, "Budi" + " " * 30 + "Santoso", "Budi Santoso"),
    (CHILD_NAME, "Aisyah Putri", "Aisyah Putri"),
    (MOBILE, "0812-3456-7890", "+6281234567890"),
    (MOBILE, "+62 812 3456 7890", "+6281234567890"),
    (MOBILE, "6281234567890", "+6281234567890"),
    (MOBILE, "0812.3456.7890", "+6281234567890"),
    (MOBILE, "0812 3456 7890", "+6281234567890"),
    (PHONE, "(024) 6921234", "+62246921234"),
    (EMAIL, "", None),
    (EMAIL, None, None),
    (EMAIL, " Nama.Saya+dukcapil@Contoh.CO.ID ", "Nama.Saya+dukcapil@contoh.co.id"),
    (EMAIL, "nama@contoh.com", "nama@contoh.com"),
    (BIRTH_DATE, "2026-11-27", "2026-11-27"),
    (BIRTH_DATE, " 1990-08-17 ", "1990-08-17"),
    (BIRTH_DATE, "2024-02-29", "2024-02-29"),
    (BIRTH_DATE, "1900-01-01", "1900-01-01"),
    (ANY_DATE, "2099-12-31", "2099-12-31"),
    (WEDDING_DATE, "2020-12-31", "2020-12-31"),
    (APPLICANT_BIRTH, "2009-11-27", "2009-11-27"),
    (APPLICANT_BIRTH, "1906-11-27", "1906-11-27"),
    (SEX, " L ", "L"),
    (KECAMATAN, "getasan", "getasan"),
    (OFFICE, "dinas", "dinas"),
    (ADDRESS, "Jl. Mawar\nNo. 5", "Jl. Mawar No. 5"),
    (ADDRESS, "Jl.\u00a0Mawar  5", "Jl. Mawar 5"),
    (NOTE, "Baris satu  \r\nBaris\tdua\n\n", "Baris satu\nBaris\tdua"),
    (NOTE, "", None),
    (RT, "003", 3),
    (RT, 7, 7),
    (RT, " 999 ", 999),
    (OFFSET, "-10", -10),
]


@pytest.mark.parametrize(("spec", "answer", "value"), VALID,
                         ids=[f"{s.label}-{str(a)[:20]}" for s, a, _ in VALID])
def test_valid_answers_are_normalised(spec: FieldSpec, answer: object, value: object) -> None:
    outcome = validate_field(spec, answer, today=TODAY)
    assert outcome.error is None
    assert outcome.value == value


def test_nik_outcome_carries_the_parsed_nik() -> None:
    outcome = validate_field(NIK, "3322015208900001", today=TODAY)
    assert outcome.detail.birth_date == date(1990, 8, 12)
    assert outcome.detail.sex == "P"


def test_date_outcome_carries_the_date() -> None:
    assert validate_field(BIRTH_DATE, "1990-08-17", today=TODAY).detail == date(1990, 8, 17)


def test_optional_blank_is_none_for_every_type() -> None:
    for spec in ALL_SPECS:
        optional = make(spec.type, spec.label, required=False,
                        **{k: v.isoformat() if isinstance(v, date) else v
                           for k, v in spec.options.items()
                           if v is not None and k != "office_kind"},
                        **({"choices": [{"value": c.value, "label": c.label}
                                        for c in spec.choices]} if spec.type == "choice" else {}))
        for blank in ("", " \t\n", None):
            outcome = validate_field(optional, blank, today=TODAY)
            assert (outcome.value, outcome.error) == (None, None)
        assert REQUIRED not in optional.messages


def test_examples_in_messages_pass_their_own_checks() -> None:
    """An example that fails its own check would send the resident in circles."""
    assert validate_field(NIK, "3322010101900001", today=TODAY).ok
    assert validate_field(KK, "3322010101200001", today=TODAY).ok
    assert validate_field(MOBILE, "0812 3456 7890", today=TODAY).ok
    assert validate_field(EMAIL, "nama@contoh.com", today=TODAY).ok
    assert validate_field(CHILD_NAME, "Aisyah Putri", today=TODAY).ok
    assert validate_field(RT, "5", today=TODAY).ok


def test_province_list_can_be_passed_in() -> None:
    outcome = validate_field(NIK, "3322011708900001", today=TODAY, provinces={"34"})
    assert outcome.error == "nik_provinsi_tidak_dikenal"


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "expected"), [
    ("Nama lengkap", "nama lengkap"),
    ("NIK", "NIK"),
    ("NIK pelapor", "NIK pelapor"),
    ("Nomor KK", "nomor KK"),
    ("Nomor HP (WhatsApp)", "nomor HP (WhatsApp)"),
    ("RT", "RT"),
    ("KTP-el lama", "KTP-el lama"),
    ("A", "a"),
    ("", ""),
])
def test_in_sentence(label: str, expected: str) -> None:
    assert in_sentence(label) == expected


@pytest.mark.parametrize(("size", "text"), [
    (5 * 1024 * 1024, "5 MB"), (1572864, "1,5 MB"), (512 * 1024, "512 KB"), (1000, "1 KB"),
])
def test_format_bytes(size: int, text: str) -> None:
    assert format_bytes(size) == text


def test_format_date() -> None:
    assert format_date(date(1900, 1, 1)) == "1 Januari 1900"
    assert format_date(date(2020, 12, 31)) == "31 Desember 2020"


@pytest.mark.parametrize(("born", "today", "age"), [
    (date(2009, 11, 27), date(2026, 11, 27), 17),
    (date(2009, 11, 28), date(2026, 11, 27), 16),
    (date(2008, 2, 29), date(2026, 2, 28), 17),
    (date(2008, 2, 29), date(2026, 3, 1), 18),
])
def test_age_on(born: date, today: date, age: int) -> None:
    assert age_on(born, today) == age


def test_field_error_to_dict() -> None:
    error = FieldError("nik", "nik_terlalu_pendek", "NIK kurang dari 16 angka.")
    assert error.to_dict() == {"field": "nik", "code": "nik_terlalu_pendek",
                               "message": "NIK kurang dari 16 angka.", "severity": "error"}
    assert FieldError("nik", "c", "m", "warning").to_dict()["severity"] == "warning"


def test_field_spec_to_dict_is_json_ready() -> None:
    data = BIRTH_DATE.to_dict()
    assert data["min"] == "1900-01-01"
    assert data["not_future"] is True
    assert "min_age" not in data  # unset options are left out
    assert data["messages"]["tanggal_terlalu_awal"] == (
        "Tanggal lahir harus 1 Januari 1900 atau sesudahnya")
    assert "tanggal_usia_kurang" not in data["messages"]  # cannot happen for this field
    assert SEX.to_dict()["choices"] == [{"value": "L", "label": "Laki-laki"},
                                        {"value": "P", "label": "Perempuan"}]
    assert NIK.to_dict()["length"] == 16
    assert NIK.to_dict()["separators"] == " \t\r\n\u00a0\u2007\u202f.-"
    assert KECAMATAN.to_dict()["choices"] == [
        {"value": "getasan", "label": "Kecamatan Getasan"},
        {"value": "tengaran", "label": "Kecamatan Tengaran"},
    ]


def test_messages_only_list_codes_the_field_can_produce() -> None:
    assert "nama_kurang_kata" not in NAME.messages
    assert "nama_kurang_kata" in CHILD_NAME.messages
    assert "telepon_bukan_hp" not in PHONE.messages
    assert "teks_terlalu_pendek" not in NOTE.messages
    assert "tanggal_di_masa_depan" not in ANY_DATE.messages
    assert "nik_tanggal_lahir_berbeda" not in NIK.messages


def test_nik_warning_messages_name_the_other_fields() -> None:
    spec = make("nik", "NIK", check_birth_date="lahir", check_sex="kelamin",
                labels={"lahir": "Tanggal lahir", "kelamin": "Jenis kelamin"})
    assert spec.messages["nik_tanggal_lahir_berbeda"] == (
        "Tanggal lahir menurut NIK berbeda dengan tanggal lahir yang Anda isi. Periksa lagi "
        "keduanya. Jika keduanya sudah benar, konfirmasi untuk melanjutkan")
    assert spec.messages["nik_jenis_kelamin_berbeda"] == (
        "Jenis kelamin menurut NIK berbeda dengan jenis kelamin yang Anda pilih. Periksa lagi "
        "keduanya. Jika keduanya sudah benar, konfirmasi untuk melanjutkan")


def test_message_override_replaces_the_template() -> None:
    spec = make("choice", "Apakah Anda sudah perekaman?", choices=[
        {"value": "sudah", "label": "Sudah"}, {"value": "belum", "label": "Belum"}],
        messages={"wajib_diisi": "Pilih apakah Anda sudah perekaman",
                  "pilihan_tidak_valid": "Pilih {label} lagi"})
    assert validate_field(spec, "", today=TODAY).error == REQUIRED
    assert spec.messages[REQUIRED] == "Pilih apakah Anda sudah perekaman"
    assert spec.messages["pilihan_tidak_valid"] == "Pilih apakah Anda sudah perekaman? lagi"


# ---------------------------------------------------------------------------
# Definition problems (what staff see when a field entry is wrong)
# ---------------------------------------------------------------------------

BASE = {"id": "isian", "label": "Isian"}
BAD_CHOICE = "setiap pilihan harus punya 'value' dan 'label' (teks), tidak ada kunci lain"


@pytest.mark.parametrize(("raw", "expected"), [
    ({**BASE, "type": "foo"},
     [("type", "'foo' bukan jenis isian yang dikenal "
               "(yang ada: nik, kk, name, phone, email, date, choice, text, number)")]),
    ({"id": "Nama Lengkap", "type": "name", "label": "Nama"},
     [("id", "wajib diisi: huruf kecil, angka, dan garis bawah, diawali huruf "
             "(misalnya nama_lengkap), paling panjang 50 karakter")]),
    ({**BASE, "type": "name", "maxlength": 60},
     [("maxlength", "kunci tidak dikenal untuk jenis 'name' (yang boleh: export, hint, id, "
                    "label, max_length, messages, min_words, required, type)")]),
    ({"id": "isian", "type": "name"}, [("label", "wajib diisi")]),
    ({**BASE, "type": "name", "label": 5}, [("label", "harus berupa teks")]),
    ({**BASE, "type": "name", "required": "ya"}, [("required", "harus true atau false")]),
    ({**BASE, "type": "name", "export": "Nama-Lengkap"},
     [("export", "nama kolom ekspor: huruf kecil, angka, dan garis bawah, diawali huruf")]),
    ({**BASE, "type": "name", "max_length": 61}, [("max_length", "harus antara 1 dan 60")]),
    ({**BASE, "type": "name", "max_length": "60"}, [("max_length", "harus bilangan bulat")]),
    ({**BASE, "type": "text", "max_length": "60", "min_length": 5},
     [("max_length", "harus bilangan bulat")]),
    ({**BASE, "type": "number", "min": "1", "max": 5}, [("min", "harus bilangan bulat")]),
    ({**BASE, "type": "phone", "mobile": "ya"}, [("mobile", "harus true atau false")]),
    ({**BASE, "type": "text"}, [("max_length", "wajib diisi untuk jenis isian ini")]),
    ({**BASE, "type": "text", "max_length": 10, "min_length": 11},
     [("min_length", "tidak boleh lebih besar dari 'max_length'")]),
    ({**BASE, "type": "date", "min": "1900-13-01"},
     [("min", "harus tanggal dengan format TTTT-BB-HH, misalnya 1900-01-01")]),
    ({**BASE, "type": "date", "max": "kemarin"},
     [("max", "harus tanggal dengan format TTTT-BB-HH, misalnya 1900-01-01")]),
    ({**BASE, "type": "date", "min": "2020-01-01", "max": "2019-01-01"},
     [("max", "harus sama dengan atau lebih besar dari 'min'")]),
    ({**BASE, "type": "number", "min": 1},
     [("max", "wajib diisi untuk jenis isian ini")]),
    ({**BASE, "type": "choice"},
     [("choices", "isi salah satu: 'choices' (daftar value/label) atau 'choices_from: offices'")]),
    ({**BASE, "type": "choice", "choices": [{"value": "a", "label": "A"}],
      "choices_from": "offices"},
     [("choices", "isi salah satu: 'choices' (daftar value/label) atau 'choices_from: offices'")]),
    ({**BASE, "type": "choice", "choices": []},
     [("choices", "harus daftar berisi value dan label")]),
    ({**BASE, "type": "choice", "choices": [{"value": "a"}]},
     [("choices[0]", BAD_CHOICE)]),
    ({**BASE, "type": "choice", "choices": [{"value": "a", "label": "A", "x": 1}]},
     [("choices[0]", BAD_CHOICE)]),
    ({**BASE, "type": "choice", "choices": [{"value": "a", "label": "A"},
                                            {"value": "a", "label": "B"}]},
     [("choices[1]", "value 'a' ditulis dua kali")]),
    ({**BASE, "type": "choice", "choices": [{"value": "a", "label": "A"}],
      "office_kind": "kecamatan"},
     [("office_kind", "hanya dipakai bersama 'choices_from: offices'")]),
    ({**BASE, "type": "choice", "choices_from": "desa"},
     [("choices_from", "yang dikenal hanya 'offices' (dari content/offices.yml)")]),
    ({**BASE, "type": "choice", "choices_from": "offices", "office_kind": "pos"},
     [("office_kind", "tidak ada kantor dengan kind 'pos' di content/offices.yml")]),
    ({**BASE, "type": "name", "messages": "Isi nama"},
     [("messages", "harus pasangan 'kode: pesan'")]),
    ({**BASE, "type": "name", "messages": {"salah": "x"}},
     [("messages", "kode 'salah' tidak dipakai isian ini (yang dipakai: wajib_diisi, "
                   "tipe_tidak_valid, nama_karakter_tidak_valid, nama_tanpa_huruf, "
                   "nama_terlalu_panjang)")]),
    ({**BASE, "type": "name", "messages": {"nama_tanpa_huruf": ""}},
     [("messages", "pesan untuk 'nama_tanpa_huruf' harus teks")]),
    ({**BASE, "type": "name", "messages": {"nama_tanpa_huruf": "Isi {nama}"}},
     [("messages", "pesan 'nama_tanpa_huruf' memakai {nama}, yang tidak ada untuk isian ini")]),
    ({**BASE, "type": "name", "messages": {"nama_tanpa_huruf": "Isi {label"}},
     [("messages", "pesan 'nama_tanpa_huruf': tanda kurung kurawal { } tidak seimbang")]),
])
def test_definition_problems(raw: dict, expected: list[tuple[str, str]]) -> None:
    assert problems_of(raw) == expected


def test_choices_from_offices_without_offices_file() -> None:
    raw = {**BASE, "type": "choice", "choices_from": "offices"}
    assert problems_of(raw, offices=None) == [
        ("choices_from", "content/offices.yml tidak ada atau tidak bisa dibaca")]


def test_numeric_choice_values_become_text() -> None:
    spec = make("choice", "Anak ke", choices=[{"value": 1, "label": "Pertama"}])
    assert spec.choices[0].value == "1"
    assert validate_field(spec, "1", today=TODAY).value == "1"


# ---------------------------------------------------------------------------
# Fuzzing: no input may raise; every error has a message; values are stable
# ---------------------------------------------------------------------------

_chars = st.characters(codec=None, exclude_categories=())
_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats()
    | st.text(alphabet=_chars, max_size=80)
    | st.text(alphabet="0123456789 .-+()\u0663\uff13aO@\u00a0\n", max_size=30)
    | st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True)
    | st.sampled_from(["9" * 100_000, "a" * 100_000, " " * 100_000, "\ud800", "\udfff",
                       "3322011708900001" * 1000, "+62" + "8" * 300, "-" + "9" * 10_000,
                       math.inf, -math.inf, math.nan, 10**400, -(10**400)])
)
JSON_VALUES = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                 max_size=3),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=st.sampled_from(ALL_SPECS), value=JSON_VALUES)
def test_no_input_raises(spec: FieldSpec, value: object) -> None:
    outcome = validate_field(spec, value, today=TODAY)
    if outcome.ok:
        if outcome.value is None:
            return
        again = validate_field(spec, outcome.value, today=TODAY)
        assert again.ok and again.value == outcome.value  # normalising is idempotent
    else:
        assert outcome.error in spec.messages
        assert spec.messages[outcome.error]
        assert outcome.value is None


@settings(max_examples=200, deadline=None)
@given(spec=st.sampled_from(ALL_SPECS), value=JSON_VALUES,
       today=st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_no_date_of_today_makes_a_validator_raise(spec: FieldSpec, value: object,
                                                  today: date) -> None:
    outcome = validate_field(spec, value, today=today)
    assert outcome.ok or outcome.error in spec.messages
