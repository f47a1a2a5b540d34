"""Form definitions (chalicelib.forms): the shipped forms, definition errors with
file:line, answer validation with warnings to confirm, declared files, file sniffing
and where content is found."""

from __future__ import annotations

import json
import math
import shutil
import textwrap
from datetime import date
from pathlib import Path

import pytest
import yaml
from chalicelib import paths
from chalicelib.fields import FieldError
from chalicelib.filetypes import HEAD_BYTES, sniff
from chalicelib.forms import (
    FORM_FIELD,
    AttachmentSpec,
    DeclaredFile,
    FormDefinition,
    FormDefinitionError,
    ValidationResult,
    load_forms,
)
from chalicelib.nik import province_codes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 27)
FORMS = load_forms()
MB5 = 5 * 1024 * 1024

EXPECTED = {
    "ktp-el-baru": ("ktp-el", "ktp-el-baru"),
    "ktp-el-penggantian": ("ktp-el", "ktp-el-hilang-rusak"),
    "kk-baru": ("kk", "kk-baru"),
    "kk-perubahan": ("kk", "kk-perubahan"),
    "akta-kelahiran": ("akta-kelahiran", "akta-kelahiran"),
    "akta-kematian": ("akta-kematian", "akta-kematian"),
    "pindah": ("pindah-datang", "pindah-datang"),
}
REQUIRED_DOCUMENTS = {
    "ktp-el-baru": {"kartu_keluarga"},
    "ktp-el-penggantian": {"kartu_keluarga"},
    "kk-baru": {"kartu_keluarga_lama"},
    "kk-perubahan": set(),  # the KK itself is not needed when it was lost
    "akta-kelahiran": {"surat_keterangan_lahir", "kartu_keluarga"},
    "akta-kematian": {"surat_kematian", "kartu_keluarga"},
    "pindah": {"kartu_keluarga"},
}


def kecamatan_ids() -> list[str]:
    data = yaml.safe_load((ROOT / "content" / "offices.yml").read_text(encoding="utf-8"))
    return [o["id"] for o in data["offices"] if o["kind"] == "kecamatan"]


def valid_answers(form: FormDefinition) -> dict[str, object]:
    """Answers that pass every field of a form and raise no warning."""
    sample = {"nik": "3322011708900001", "kk": "3322010101200001", "name": "Aisyah Putri",
              "phone": "0812 3456 7890", "email": "nama@contoh.com", "date": "1990-08-17",
              "text": "Jl. Mawar No. 5"}
    answers: dict[str, object] = {}
    for spec in form.fields:
        if spec.type == "choice":
            values = [c.value for c in spec.choices]
            answers[spec.id] = "L" if "L" in values else values[0]
        elif spec.type == "number":
            answers[spec.id] = str(max(spec.options["min"], 1))
        else:
            answers[spec.id] = sample[spec.type]
    return answers


def declared(form: FormDefinition) -> list[DeclaredFile]:
    """The smallest set of files that satisfies every attachment's minimum."""
    return [DeclaredFile(a.id, f"{a.id}-{n}.jpg", 1000, "image/jpeg")
            for a in form.attachments for n in range(a.min_count)]


# ---------------------------------------------------------------------------
# The shipped forms
# ---------------------------------------------------------------------------


def test_shipped_forms_are_the_seven_services() -> None:
    assert sorted(FORMS) == sorted(EXPECTED)


@pytest.mark.parametrize("form_id", sorted(EXPECTED))
def test_service_and_guide(form_id: str) -> None:
    form = FORMS[form_id]
    assert (form.service, form.guide) == EXPECTED[form_id]
    assert form.title and form.description
    assert form.path == ROOT / "content" / "forms" / f"{form_id}.yml"


@pytest.mark.parametrize("form_id", sorted(EXPECTED))
def test_every_form_asks_for_contact_details(form_id: str) -> None:
    fields = {spec.id: spec for spec in FORMS[form_id].fields}
    phone, email, kecamatan = fields["telepon"], fields["email"], fields["kecamatan"]
    assert (phone.type, phone.required, phone.options["mobile"]) == ("phone", True, True)
    assert (email.type, email.required) == ("email", False)
    assert (kecamatan.type, kecamatan.required) == ("choice", True)
    assert [c.value for c in kecamatan.choices] == kecamatan_ids()


@pytest.mark.parametrize("form_id", sorted(EXPECTED))
def test_required_documents(form_id: str) -> None:
    form = FORMS[form_id]
    assert {a.id for a in form.attachments if a.min_count > 0} == REQUIRED_DOCUMENTS[form_id]
    for attachment in form.attachments:
        assert set(attachment.accept) <= {"application/pdf", "image/jpeg", "image/png"}
        assert 0 < attachment.max_bytes <= 20 * 1024 * 1024
        assert attachment.min_count <= attachment.max_count
        assert attachment.hint


@pytest.mark.parametrize("form_id", sorted(EXPECTED))
def test_export_columns_are_unique_and_follow_the_fields(form_id: str) -> None:
    form = FORMS[form_id]
    assert form.export_columns == [spec.export_column for spec in form.fields]
    assert len(set(form.export_columns)) == len(form.export_columns)


@pytest.mark.parametrize("form_id", sorted(EXPECTED))
def test_valid_answers_and_files_pass(form_id: str) -> None:
    form = FORMS[form_id]
    result = form.validate(valid_answers(form), today=TODAY)
    assert (result.errors, result.warnings, result.ok) == ([], [], True)
    assert set(result.values) == {spec.id for spec in form.fields}
    assert form.check_files(declared(form)) == []


@pytest.mark.parametrize("form_id", sorted(EXPECTED))
def test_public_dict_is_json_and_complete(form_id: str) -> None:
    form = FORMS[form_id]
    data = json.loads(json.dumps(form.to_public_dict(), ensure_ascii=False))
    assert data["id"] == form_id
    assert [f["id"] for f in data["fields"]] == [spec.id for spec in form.fields]
    assert [a["id"] for a in data["attachments"]] == [a.id for a in form.attachments]
    assert data["export_columns"] == form.export_columns
    assert set(data["provinces"]) == province_codes()
    assert set(data["messages"]) == {"formulir_tidak_valid", "field_tidak_dikenal",
                                     "berkas_lampiran_tidak_dikenal"}
    for field in data["fields"]:
        assert field["messages"], field["id"]
        assert all(isinstance(m, str) and m and "{" not in m for m in field["messages"].values())
    for attachment in data["attachments"]:
        assert attachment["max_size"] == "5 MB"
        assert set(attachment["messages"]) == {
            "berkas_kurang", "berkas_terlalu_banyak", "berkas_kosong", "berkas_terlalu_besar",
            "berkas_jenis_tidak_diterima", "berkas_nama_tidak_valid"}
    assert "path" not in data


def test_ktp_forms_cross_check_nik_with_birth_date_and_sex() -> None:
    for form_id in ("ktp-el-baru", "ktp-el-penggantian"):
        nik = FORMS[form_id].fields[[f.id for f in FORMS[form_id].fields].index("nik")]
        assert nik.options["check_birth_date"] == "tanggal_lahir"
        assert nik.options["check_sex"] == "jenis_kelamin"


def test_every_nik_hint_says_spaces_and_dots_are_fine() -> None:
    """NIK.md: the form may remove spaces and dots, and must say so in the hint."""
    for form in FORMS.values():
        for spec in form.fields:
            if spec.type == "nik":
                assert "Boleh diketik dengan spasi atau titik" in spec.hint, (form.id, spec.id)


def test_newborn_name_needs_two_words() -> None:
    form = FORMS["akta-kelahiran"]
    result = form.validate({**valid_answers(form), "nama_anak": "Aisyah"}, today=TODAY)
    assert [e.to_dict() for e in result.errors] == [{
        "field": "nama_anak", "code": "nama_kurang_kata", "severity": "error",
        "message": "Nama anak harus paling sedikit 2 kata, seperti Aisyah Putri"}]


def test_adult_one_word_name_is_valid() -> None:
    form = FORMS["ktp-el-baru"]
    result = form.validate({**valid_answers(form), "nama_lengkap": "Sukarno"}, today=TODAY)
    assert result.ok and result.values["nama_lengkap"] == "Sukarno"


def test_message_override_in_shipped_form() -> None:
    form = FORMS["ktp-el-baru"]
    result = form.validate({**valid_answers(form), "sudah_perekaman": ""}, today=TODAY)
    assert [(e.field, e.message) for e in result.errors] == [
        ("sudah_perekaman", "Pilih apakah Anda sudah perekaman KTP-el")]


# ---------------------------------------------------------------------------
# Answers: unknown fields, normalised values, order
# ---------------------------------------------------------------------------

KTP = FORMS["ktp-el-baru"]
UNKNOWN = "Isian ini tidak ada di formulir. Muat ulang halaman, lalu isi formulir lagi"


def test_unknown_fields_are_rejected() -> None:
    result = KTP.validate({**valid_answers(KTP), "nama_ibu": "Siti", "admin": True},
                          today=TODAY)
    assert [e.to_dict() for e in result.errors] == [
        {"field": "admin", "code": "field_tidak_dikenal", "message": UNKNOWN,
         "severity": "error"},
        {"field": "nama_ibu", "code": "field_tidak_dikenal", "message": UNKNOWN,
         "severity": "error"},
    ]
    assert "nama_ibu" not in result.values
    assert not result.ok


def test_unknown_field_names_are_made_safe() -> None:
    values = {**valid_answers(KTP), 5: "x", "a\x00b": 1, "x" * 500: 1, None: 1}
    result = KTP.validate(values, today=TODAY)
    assert [e.field for e in result.errors] == ["5", "None", "a?b", "x" * 100]


def test_unknown_fields_reported_are_capped() -> None:
    values = {**valid_answers(KTP), **{f"extra_{n:03d}": n for n in range(50)}}
    result = KTP.validate(values, today=TODAY)
    assert [e.field for e in result.errors] == [f"extra_{n:03d}" for n in range(20)]


@pytest.mark.parametrize("values", [None, [], "nik=3322", 5, ["nik"]])
def test_answers_that_are_not_an_object(values: object) -> None:
    result = KTP.validate(values, today=TODAY)  # type: ignore[arg-type]
    assert [e.to_dict() for e in result.errors] == [{
        "field": FORM_FIELD, "code": "formulir_tidak_valid", "severity": "error",
        "message": "Jawaban formulir tidak terbaca. Muat ulang halaman, lalu isi formulir lagi"}]
    assert result.values == {} and not result.ok


def test_values_are_normalised_and_optional_blanks_are_none() -> None:
    answers = {**valid_answers(KTP), "nik": "3322 0117.0890-0001", "telepon": "+62 812-3456-7890",
               "email": " ", "catatan": None}
    result = KTP.validate(answers, today=TODAY)
    assert result.ok
    assert result.values["nik"] == "3322011708900001"
    assert result.values["telepon"] == "+6281234567890"
    assert result.values["email"] is None and result.values["catatan"] is None
    assert KTP.export_row(result.values)[KTP.export_columns.index("email")] == ""
    assert KTP.export_row(result.values)[0] == "3322011708900001"


def test_missing_answers_are_errors_in_field_order() -> None:
    result = KTP.validate({}, today=TODAY)
    assert [e.field for e in result.errors] == [s.id for s in KTP.fields if s.required]
    assert result.errors[0].message == "Masukkan NIK"
    assert result.values == {"email": None, "catatan": None}


# ---------------------------------------------------------------------------
# Warnings the resident confirms
# ---------------------------------------------------------------------------

WOMAN = {"nik": "3322015208900001", "tanggal_lahir": "1990-08-12", "jenis_kelamin": "P"}
DATE_WARNING = ("Tanggal lahir menurut NIK berbeda dengan tanggal lahir yang Anda isi. Periksa "
                "lagi keduanya. Jika keduanya sudah benar, konfirmasi untuk melanjutkan")
SEX_WARNING = ("Jenis kelamin menurut NIK berbeda dengan jenis kelamin yang Anda pilih. Periksa "
               "lagi keduanya. Jika keduanya sudah benar, konfirmasi untuk melanjutkan")


def _ktp(**changes: str) -> dict[str, object]:
    return {**valid_answers(KTP), **WOMAN, **changes}


def test_matching_nik_gives_no_warning() -> None:
    result = KTP.validate(_ktp(), today=TODAY)
    assert result.warnings == [] and result.ok


def test_mismatch_is_a_warning_not_an_error() -> None:
    result = KTP.validate(_ktp(tanggal_lahir="1990-08-21", jenis_kelamin="L"), today=TODAY)
    assert result.errors == []
    assert [w.to_dict() for w in result.warnings] == [
        {"field": "nik", "code": "nik_tanggal_lahir_berbeda", "message": DATE_WARNING,
         "severity": "warning"},
        {"field": "nik", "code": "nik_jenis_kelamin_berbeda", "message": SEX_WARNING,
         "severity": "warning"},
    ]
    assert not result.ok
    assert result.values["jenis_kelamin"] == "L"  # the resident's answer is kept


def test_confirming_some_warnings_is_not_enough() -> None:
    result = KTP.validate(_ktp(tanggal_lahir="1990-08-21", jenis_kelamin="L"), today=TODAY,
                          confirmed_warnings=["nik_jenis_kelamin_berbeda"])
    assert [w.code for w in result.unconfirmed_warnings] == ["nik_tanggal_lahir_berbeda"]
    assert len(result.warnings) == 2
    assert not result.ok


def test_confirming_every_warning_makes_it_ok() -> None:
    result = KTP.validate(_ktp(tanggal_lahir="1990-08-21", jenis_kelamin="L"), today=TODAY,
                          confirmed_warnings=("nik_jenis_kelamin_berbeda",
                                              "nik_tanggal_lahir_berbeda"))
    assert result.ok and result.unconfirmed_warnings == []
    assert len(result.warnings) == 2  # still reported, so the record can say so


def test_a_warning_can_be_confirmed_for_one_field() -> None:
    result = KTP.validate(_ktp(jenis_kelamin="L"), today=TODAY,
                          confirmed_warnings={"nik:nik_jenis_kelamin_berbeda"})
    assert result.ok
    other = KTP.validate(_ktp(jenis_kelamin="L"), today=TODAY,
                         confirmed_warnings={"nik_ibu:nik_jenis_kelamin_berbeda"})
    assert not other.ok


@pytest.mark.parametrize("confirmed", ["nik_jenis_kelamin_berbeda", None, 5, [None, 3],
                                       {"nik_jenis_kelamin_berbeda": True}])
def test_odd_confirmations_never_raise(confirmed: object) -> None:
    result = KTP.validate(_ktp(jenis_kelamin="L"), today=TODAY,
                          confirmed_warnings=confirmed)  # type: ignore[arg-type]
    expected_ok = isinstance(confirmed, dict)  # a mapping's keys are a collection of codes
    assert result.ok is expected_ok


def test_no_warning_when_a_compared_answer_is_invalid() -> None:
    result = KTP.validate(_ktp(tanggal_lahir="1990-02-30", jenis_kelamin="L"), today=TODAY)
    assert [e.code for e in result.errors] == ["tanggal_tidak_ada"]
    assert [w.code for w in result.warnings] == ["nik_jenis_kelamin_berbeda"]
    invalid_nik = KTP.validate(_ktp(nik="3322015208900000", jenis_kelamin="L"), today=TODAY)
    assert invalid_nik.warnings == []


def test_death_certificate_checks_sex_only() -> None:
    form = FORMS["akta-kematian"]
    result = form.validate({**valid_answers(form), "jenis_kelamin_almarhum": "P"}, today=TODAY)
    assert [(w.field, w.code) for w in result.warnings] == [
        ("nik_almarhum", "nik_jenis_kelamin_berbeda")]
    assert result.warnings[0].message == (
        "Jenis kelamin menurut NIK almarhum atau almarhumah berbeda dengan jenis kelamin "
        "almarhum atau almarhumah yang Anda pilih. Periksa lagi keduanya. Jika keduanya sudah "
        "benar, konfirmasi untuk melanjutkan")


def test_validation_result_ok_property() -> None:
    warning = FieldError("nik", "nik_jenis_kelamin_berbeda", "m", "warning")
    assert ValidationResult({}, [], []).ok
    assert not ValidationResult({}, [FieldError("a", "b", "c")], []).ok
    assert not ValidationResult({}, [], [warning]).ok
    assert ValidationResult({}, [], [warning], frozenset({"nik_jenis_kelamin_berbeda"})).ok


# ---------------------------------------------------------------------------
# Declared files
# ---------------------------------------------------------------------------

KK_FILE = DeclaredFile("kartu_keluarga", "kk.jpg", 1000, "image/jpeg")


def codes(errors: list[FieldError]) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in errors]


def test_files_within_limits_pass() -> None:
    files = [DeclaredFile("kartu_keluarga", "kk depan.pdf", MB5, "application/pdf"),
             DeclaredFile("kartu_keluarga", "ñ" * 200, 1, "IMAGE/PNG"),
             DeclaredFile("buku_nikah", "nikah.jpeg", 10, "image/jpeg; charset=binary")]
    assert KTP.check_files(files) == []


def test_missing_required_file() -> None:
    assert [e.to_dict() for e in KTP.check_files([])] == [{
        "field": "files.kartu_keluarga", "code": "berkas_kurang",
        "message": "Unggah Kartu Keluarga", "severity": "error"}]


def test_too_many_files() -> None:
    errors = KTP.check_files([KK_FILE, KK_FILE, KK_FILE])
    assert [(e.field, e.code, e.message) for e in errors] == [
        ("files.kartu_keluarga", "berkas_terlalu_banyak",
         "Unggah paling banyak 2 berkas untuk Kartu Keluarga")]


@pytest.mark.parametrize(("size", "code", "message"), [
    (0, "berkas_kosong", "Berkas yang dipilih untuk Kartu Keluarga kosong. Pilih berkas lain"),
    (-1, "berkas_kosong", "Berkas yang dipilih untuk Kartu Keluarga kosong. Pilih berkas lain"),
    ("1000", "berkas_kosong",
     "Berkas yang dipilih untuk Kartu Keluarga kosong. Pilih berkas lain"),
    (True, "berkas_kosong", "Berkas yang dipilih untuk Kartu Keluarga kosong. Pilih berkas lain"),
    (None, "berkas_kosong", "Berkas yang dipilih untuk Kartu Keluarga kosong. Pilih berkas lain"),
    (1.5, "berkas_kosong", "Berkas yang dipilih untuk Kartu Keluarga kosong. Pilih berkas lain"),
    (MB5 + 1, "berkas_terlalu_besar",
     "Berkas untuk Kartu Keluarga harus lebih kecil dari 5 MB"),
])
def test_file_size(size: object, code: str, message: str) -> None:
    errors = KTP.check_files([DeclaredFile("kartu_keluarga", "kk.jpg", size, "image/jpeg")])
    assert [(e.field, e.code, e.message) for e in errors] == [
        ("files.kartu_keluarga", code, message)]


@pytest.mark.parametrize("mime", ["image/gif", "text/plain", "", None, "image/jpg",
                                  "application/pdf2", 5])
def test_file_type_not_accepted(mime: object) -> None:
    errors = KTP.check_files([DeclaredFile("kartu_keluarga", "kk.jpg", 100, mime)])
    assert [(e.code, e.message) for e in errors] == [
        ("berkas_jenis_tidak_diterima",
         "Berkas untuk Kartu Keluarga harus berupa PDF, JPG, atau PNG")]


@pytest.mark.parametrize("name", ["a" * 201, "scan/kk.jpg", "..\\kk.jpg", "kk\n.jpg",
                                  "kk\x00.jpg", "", "   ", None, "kk\ud800.jpg", "kk\u2028.jpg"])
def test_bad_file_names(name: object) -> None:
    errors = KTP.check_files([DeclaredFile("kartu_keluarga", name, 100, "image/jpeg")])
    assert [(e.code, e.message) for e in errors] == [
        ("berkas_nama_tidak_valid",
         "Nama berkas untuk Kartu Keluarga tidak boleh lebih dari 200 karakter atau memuat "
         "tanda / dan \\. Ganti nama berkasnya, lalu pilih lagi")]


@pytest.mark.parametrize(("attachment", "field"), [
    ("paspor", "files.paspor"), (None, "files.None"), ("a\x00" * 80, "files." + "a?" * 50),
])
def test_unknown_attachment(attachment: object, field: str) -> None:
    errors = KTP.check_files([KK_FILE, DeclaredFile(attachment, "p.jpg", 100, "image/jpeg")])
    assert [e.to_dict() for e in errors] == [{
        "field": field, "code": "berkas_lampiran_tidak_dikenal", "severity": "error",
        "message": "Lampiran ini tidak ada di formulir. Muat ulang halaman, lalu pilih berkas "
                   "lagi"}]


def test_one_error_per_attachment_and_code_in_definition_order() -> None:
    big = DeclaredFile("buku_nikah", "a.jpg", MB5 + 1, "image/jpeg")
    errors = KTP.check_files([
        DeclaredFile("zzz", "z.jpg", 1, "image/jpeg"), big, big,
        DeclaredFile("kartu_keluarga", "a/b", 0, "text/plain"),
    ])
    assert codes(errors) == [
        ("files.kartu_keluarga", "berkas_nama_tidak_valid"),
        ("files.kartu_keluarga", "berkas_kosong"),
        ("files.kartu_keluarga", "berkas_jenis_tidak_diterima"),
        ("files.buku_nikah", "berkas_terlalu_besar"),
        ("files.zzz", "berkas_lampiran_tidak_dikenal"),
    ]


@pytest.mark.parametrize("files", [None, {"kartu_keluarga": 1}, "kk.jpg", 5])
def test_files_that_are_not_a_list(files: object) -> None:
    assert codes(KTP.check_files(files)) == [  # type: ignore[arg-type]
        ("files.kartu_keluarga", "berkas_kurang")]


def test_plain_objects_can_be_declared() -> None:
    class Loose:
        attachment, name, size, type = "kartu_keluarga", "kk.png", 10, "image/png"

    assert KTP.check_files([Loose(), object()]) == [FieldError(
        "files.None", "berkas_lampiran_tidak_dikenal",
        "Lampiran ini tidak ada di formulir. Muat ulang halaman, lalu pilih berkas lagi")]


# ---------------------------------------------------------------------------
# Definitions in a temporary folder: messages and errors with file:line
# ---------------------------------------------------------------------------

MINIMAL = """\
title: Uji
description: Formulir uji.
service: kk
guide: kk-baru
fields:
  - id: nik
    type: nik
    label: NIK
  - id: telepon
    type: phone
    label: Nomor HP
    mobile: true
attachments:
  - id: ktp
    label: KTP-el
    hint: Foto KTP-el asli.
    accept: [application/pdf]
    max_bytes: 1048576
    min_count: 2
    max_count: 3
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A content folder with the shipped offices and provinces and no forms yet."""
    (tmp_path / "forms").mkdir()
    (tmp_path / "data").mkdir()
    shutil.copy(ROOT / "content" / "offices.yml", tmp_path / "offices.yml")
    shutil.copy(ROOT / "content" / "data" / "provinces.csv", tmp_path / "data" / "provinces.csv")
    return tmp_path


def write(content: Path, name: str, text: str) -> Path:
    path = content / "forms" / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(content: Path) -> dict[str, FormDefinition]:
    return load_forms(content / "forms", content / "offices.yml",
                      provinces_file=content / "data" / "provinces.csv")


def problems(content: Path) -> list[str]:
    with pytest.raises(FormDefinitionError) as caught:
        load(content)
    assert str(caught.value) == "\n".join(str(p) for p in caught.value.problems)
    return [str(p) for p in caught.value.problems]


def test_minimal_definition_loads(content: Path) -> None:
    write(content, "uji.yml", MINIMAL)
    form = load(content)["uji"]
    assert [s.id for s in form.fields] == ["nik", "telepon"]
    assert form.attachments == (AttachmentSpec("ktp", "KTP-el", "Foto KTP-el asli.",
                                               ("application/pdf",), 1048576, 2, 3),)
    assert form.fields[0].line == 6


def test_attachment_messages_follow_the_limits(content: Path) -> None:
    write(content, "uji.yml", MINIMAL)
    form = load(content)["uji"]
    assert form.attachments[0].messages["berkas_kurang"] == (
        "Unggah paling sedikit 2 berkas untuk KTP-el")
    assert form.attachments[0].messages["berkas_terlalu_besar"] == (
        "Berkas untuk KTP-el harus lebih kecil dari 1 MB")
    assert form.attachments[0].messages["berkas_jenis_tidak_diterima"] == (
        "Berkas untuk KTP-el harus berupa PDF")
    one = DeclaredFile("ktp", "k.pdf", 10, "application/pdf")
    assert [e.message for e in form.check_files([one])] == [
        "Unggah paling sedikit 2 berkas untuk KTP-el"]
    two_types = MINIMAL.replace("[application/pdf]", "[application/pdf, image/png]")
    write(content, "uji.yml", two_types)
    assert load(content)["uji"].attachments[0].messages["berkas_jenis_tidak_diterima"] == (
        "Berkas untuk KTP-el harus berupa PDF atau PNG")


def test_unquoted_dates_stay_text_and_load(content: Path) -> None:
    write(content, "uji.yml", MINIMAL.replace("    mobile: true\n", "    mobile: true\n"
                                              "  - id: lahir\n    type: date\n"
                                              "    label: Tanggal lahir\n    min: 1900-01-01\n"))
    assert load(content)["uji"].fields[2].options["min"] == date(1900, 1, 1)


@pytest.mark.parametrize(("change", "expected"), [
    (lambda t: t.replace("guide: kk-baru\n", "guide: kk-baru\njudul: X\n"),
     ["{path}:5: judul: kunci tidak dikenal (yang boleh: title, description, service, guide, "
      "fields, attachments)"]),
    (lambda t: t.replace("title: Uji\n", ""), ["{path}:1: title: wajib diisi (teks)"]),
    (lambda t: t.replace("service: kk", "service: sim"),
     ["{path}:3: service: 'sim' bukan layanan yang dikenal (yang ada: ktp-el, kk, "
      "akta-kelahiran, akta-kematian, pindah-datang, kia)"]),
    (lambda t: t.replace("guide: kk-baru", "guide: KK Baru"),
     ["{path}:4: guide: harus slug panduan (huruf kecil, angka, tanda -), misalnya ktp-el-baru"]),
    (lambda t: t.replace("    label: NIK\n", "    label: NIK\n    maxlength: 3\n"),
     ["{path}:9: fields.nik.maxlength: kunci tidak dikenal untuk jenis 'nik' (yang boleh: "
      "check_birth_date, check_sex, export, hint, id, label, messages, required, type)"]),
    (lambda t: t.replace("type: phone", "type: telepon"),
     ["{path}:10: fields.telepon.type: 'telepon' bukan jenis isian yang dikenal (yang ada: nik, "
      "kk, name, phone, email, date, choice, text, number)"]),
    (lambda t: t.replace("    mobile: true", "    mobile: ya"),
     ["{path}:12: fields.telepon.mobile: harus true atau false"]),
    (lambda t: t.replace("  - id: telepon", "  - id: nik"),
     ["{path}:9: fields.nik.id: id 'nik' sudah dipakai isian lain"]),
    (lambda t: t.replace("    mobile: true", "    mobile: true\n    export: nik"),
     ["{path}:13: fields.telepon.export: kolom ekspor 'nik' sudah dipakai isian lain"]),
    (lambda t: t.replace("    label: NIK\n", "    label: NIK\n    check_sex: telepon\n"),
     ["{path}:9: fields.nik.check_sex: 'telepon' harus id isian berjenis choice dengan value "
      "'L' dan 'P'"]),
    (lambda t: t.replace("    label: NIK\n", "    label: NIK\n    check_birth_date: lahir\n"),
     ["{path}:9: fields.nik.check_birth_date: 'lahir' harus id isian berjenis date di formulir "
      "ini"]),
    (lambda t: t.split("fields:")[0] + "fields: []\nattachments:" + t.split("attachments:")[1],
     ["{path}:5: fields: wajib diisi: daftar isian formulir"]),
    (lambda t: t.replace("  - id: nik\n", "  - nik\n  - id: nik\n"),
     ["{path}:6: fields[0]: setiap isian harus pasangan 'kunci: nilai'"]),
    (lambda t: t.replace("accept: [application/pdf]", "accept: [application/msword]"),
     ["{path}:17: attachments.ktp.accept: daftar jenis berkas tanpa ulangan, dari: "
      "application/pdf, image/jpeg, image/png"]),
    (lambda t: t.replace("max_bytes: 1048576", "max_bytes: 5MB"),
     ["{path}:18: attachments.ktp.max_bytes: wajib diisi: bilangan bulat antara 1 dan "
      "20971520"]),
    (lambda t: t.replace("max_count: 3", "max_count: 1"),
     ["{path}:20: attachments.ktp.max_count: tidak boleh lebih kecil dari 'min_count'"]),
    (lambda t: t.replace("    hint: Foto KTP-el asli.\n", "    hint: Foto.\n    wajib: ya\n"),
     ["{path}:17: attachments.ktp.wajib: kunci tidak dikenal (yang boleh: id, label, hint, "
      "accept, max_bytes, min_count, max_count)"]),
    (lambda t: t.replace("  - id: ktp\n", "  - id: nik\n"),
     ["{path}:14: attachments.nik.id: id 'nik' sudah dipakai isian"]),
    (lambda t: t + "  - id: ktp\n    label: Lagi\n    accept: [image/png]\n    max_bytes: 1\n"
                   "    min_count: 0\n    max_count: 1\n",
     ["{path}:21: attachments.ktp.id: id 'ktp' sudah dipakai lampiran lain"]),
    (lambda t: t.replace("attachments:\n", "attachments: semua\n").split("  - id: ktp")[0],
     ["{path}:13: attachments: harus daftar lampiran"]),
    (lambda t: t.replace("title: Uji", "title: Uji\ntitle: Dua"),
     ["{path}:2: YAML tidak valid: kunci 'title' ditulis dua kali"]),
    (lambda t: t.replace("    label: NIK", "    label: [NIK"),
     ["{path}:9: YAML tidak valid: daftar dalam kurung siku belum ditutup dengan ']' (atau ada koma yang hilang)"]),
    (lambda t: "- title: Uji\n", ["{path}:1: isi berkas harus pasangan 'kunci: nilai'"]),
])
def test_definition_errors_name_file_line_and_key(content: Path, change, expected) -> None:
    path = write(content, "uji.yml", change(MINIMAL))
    assert problems(content) == [e.format(path=path) for e in expected]


def test_choice_item_errors_point_at_the_item(content: Path) -> None:
    path = write(content, "uji.yml", MINIMAL.replace("    mobile: true\n", """\
    mobile: true
  - id: kelamin
    type: choice
    label: Jenis kelamin
    choices:
      - {value: L, label: Laki-laki}
      - {value: P, label: Perempuan, warna: biru}
"""))
    assert problems(content) == [
        f"{path}:18: fields.kelamin.choices[1]: setiap pilihan harus punya 'value' dan 'label' "
        "(teks), tidak ada kunci lain"]


def test_every_problem_of_every_file_is_listed(content: Path) -> None:
    first = write(content, "a.yml", MINIMAL.replace("service: kk", "service: x"))
    second = write(content, "b.yml", MINIMAL.replace("title: Uji", "title: ''").replace(
        "max_count: 3", "max_count: 0"))
    yaml_suffix = write(content, "c.yaml", MINIMAL)
    bad_name = write(content, "KTP Baru.yml", MINIMAL)
    found = problems(content)
    assert found[0].startswith(f"{bad_name}:1: nama berkas 'KTP Baru.yml' harus huruf kecil")
    assert found[1:] == [
        f"{first}:3: service: 'x' bukan layanan yang dikenal (yang ada: ktp-el, kk, "
        "akta-kelahiran, akta-kematian, pindah-datang, kia)",
        f"{second}:1: title: wajib diisi (teks)",
        f"{second}:20: attachments.ktp.max_count: wajib diisi: bilangan bulat antara 1 dan 10",
        f"{yaml_suffix}:1: pakai akhiran .yml, bukan .yaml",
    ]


def test_missing_folder_and_data_files(tmp_path: Path) -> None:
    with pytest.raises(FormDefinitionError) as caught:
        load_forms(tmp_path / "forms", tmp_path / "offices.yml",
                   provinces_file=tmp_path / "provinces.csv")
    messages = [str(p) for p in caught.value.problems]
    assert messages[0] == f"{tmp_path / 'forms'}:1: folder formulir tidak ada"
    assert messages[1].startswith(f"{tmp_path / 'provinces.csv'}:1: tidak bisa dibaca: ")


def test_offices_are_needed_for_choices_from_offices(content: Path) -> None:
    (content / "offices.yml").unlink()
    path = write(content, "uji.yml", MINIMAL.replace("    mobile: true\n", """\
    mobile: true
  - id: kecamatan
    type: choice
    label: Kecamatan
    choices_from: offices
"""))
    assert problems(content) == [
        f"{path}:16: fields.kecamatan.choices_from: content/offices.yml tidak ada atau tidak "
        "bisa dibaca"]


def test_broken_offices_file(content: Path) -> None:
    offices = content / "offices.yml"
    offices.write_text("offices:\n  - id: a\n    name: A\n  - nama\n", encoding="utf-8")
    write(content, "uji.yml", MINIMAL)
    assert problems(content) == [
        f"{offices}:2: offices[0]: setiap kantor perlu 'id', 'name', dan 'kind'",
        f"{offices}:4: offices[1]: setiap kantor perlu 'id', 'name', dan 'kind'"]
    offices.write_text("kantor: []\n", encoding="utf-8")
    assert problems(content) == [f"{offices}:1: offices: harus daftar kantor (id, name, kind)"]


def test_empty_forms_folder_gives_no_forms(content: Path) -> None:
    assert load(content) == {}


# ---------------------------------------------------------------------------
# Where content comes from
# ---------------------------------------------------------------------------


def test_content_dir_from_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(tmp_path))
    assert paths.content_dir() == tmp_path


def test_content_dir_prefers_the_packaged_copy(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PORTAL_CONTENT_DIR", raising=False)
    monkeypatch.setattr(paths, "PACKAGED_CONTENT", tmp_path)
    assert paths.content_dir() == tmp_path


def test_content_dir_falls_back_to_the_repository(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PORTAL_CONTENT_DIR", "  ")
    monkeypatch.setattr(paths, "PACKAGED_CONTENT", tmp_path / "missing")
    assert paths.content_dir() == ROOT / "content"


def test_a_fork_loads_its_own_forms_and_offices(regency, monkeypatch) -> None:
    """Another regency swaps content/: its forms and offices load with no code change."""
    # Province codes are national data: a fork copies content/data/provinces.csv as is.
    (regency.root / "data").mkdir(exist_ok=True)
    shutil.copy(ROOT / "content" / "data" / "provinces.csv",
                regency.root / "data" / "provinces.csv")
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(regency.root))
    forms = load_forms()
    kecamatan = next(s for s in forms["ktp-el-baru"].fields if s.id == "kecamatan")
    assert [c.value for c in kecamatan.choices] == ["utara", "selatan"]


# ---------------------------------------------------------------------------
# File types by magic bytes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("head", "mime"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
    (b"\xff\xd8\xff\xe1\x00\x10Exif", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    (bytearray(b"\x89PNG\r\n\x1a\n"), "image/png"),
    (memoryview(b"%PDF-1.4"), "application/pdf"),
    (b"", None),
    (b"%PDF", None),
    (b" %PDF-1.7", None),
    (b"\xef\xbb\xbf%PDF-1.7", None),
    (b"\x89PNG\r\n\x1a", None),
    (b"\xff\xd8\x00", None),
    (b"GIF89a\x01\x00", None),
    (b"PK\x03\x04", None),
    (b"<html>%PDF-", None),
    ("%PDF-1.7", None),
    (None, None),
])
def test_sniff(head: object, mime: str | None) -> None:
    assert sniff(head) == mime  # type: ignore[arg-type]


def test_sniff_needs_only_the_head() -> None:
    assert HEAD_BYTES >= 8
    assert sniff(b"\x89PNG\r\n\x1a\n" + b"\x00" * 10_000) == "image/png"


@given(st.binary(max_size=64))
def test_sniff_never_raises(head: bytes) -> None:
    assert sniff(head) in (None, "application/pdf", "image/jpeg", "image/png")


# ---------------------------------------------------------------------------
# Fuzzing the whole form: no input may raise
# ---------------------------------------------------------------------------

_chars = st.characters(codec=None, exclude_categories=())
_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats()
    | st.text(alphabet=_chars, max_size=40)
    | st.text(alphabet="0123456789 .-+()\u0663\uff13aLP@", max_size=20)
    | st.sampled_from(["3322015208900001", "1990-08-12", "L", "P", "getasan", "9" * 50_000,
                       "\ud800", math.nan, math.inf, 10**400])
)
JSON_VALUES = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                 max_size=3),
    max_leaves=5,
)
ALL_FORMS = sorted(FORMS.values(), key=lambda f: f.id)
FIELD_IDS = sorted({spec.id for form in ALL_FORMS for spec in form.fields})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(form=st.sampled_from(ALL_FORMS),
       values=st.dictionaries(st.sampled_from(FIELD_IDS) | st.text(max_size=8), JSON_VALUES,
                              max_size=12),
       confirmed=JSON_VALUES)
def test_validate_never_raises(form: FormDefinition, values: dict, confirmed: object) -> None:
    result = form.validate(values, today=TODAY, confirmed_warnings=confirmed)
    json.dumps([e.to_dict() for e in result.errors + result.warnings])
    assert set(result.values) <= {spec.id for spec in form.fields}
    assert all(e.message and e.code and e.severity == "error" for e in result.errors)
    assert all(w.severity == "warning" for w in result.warnings)
    assert result.ok == (not result.errors and not result.unconfirmed_warnings)


@settings(max_examples=50, deadline=None)
@given(form=st.sampled_from(ALL_FORMS), values=JSON_VALUES)
def test_validate_any_json_document(form: FormDefinition, values: object) -> None:
    result = form.validate(values, today=TODAY)  # type: ignore[arg-type]
    assert not result.ok  # every form has required fields that generated keys cannot name
    assert result.errors


@settings(max_examples=200, deadline=None)
@given(form=st.sampled_from(ALL_FORMS),
       files=st.lists(st.builds(DeclaredFile,
                                attachment=st.sampled_from(["kartu_keluarga", "buku_nikah",
                                                            "skpwni", "x"]) | JSON_VALUES,
                                name=JSON_VALUES, size=JSON_VALUES, type=JSON_VALUES),
                      max_size=6))
def test_check_files_never_raises(form: FormDefinition, files: list[DeclaredFile]) -> None:
    errors = form.check_files(files)
    json.dumps([e.to_dict() for e in errors])
    assert all(e.field.startswith("files.") and e.message for e in errors)
