"""NIK and KK number rules (chalicelib.nik), driven by the shared vectors file.

tests/vectors/nik.json is language-neutral: the browser check runs the same cases.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from chalicelib import nik
from chalicelib.nik import (
    FEMALE,
    MALE,
    WARN_BIRTH_DATE,
    WARN_SEX,
    NikResult,
    compare_nik,
    parse_kk,
    parse_nik,
    province_codes,
)
from hypothesis import given
from hypothesis import strategies as st

VECTORS = json.loads(
    (Path(__file__).resolve().parents[1] / "vectors" / "nik.json").read_text(encoding="utf-8")
)
TODAY = date.fromisoformat(VECTORS["today"])
PROVINCES = province_codes()


def _case_id(case: dict) -> str:
    return case["note"][:60]


# ---------------------------------------------------------------------------
# The shared vectors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", VECTORS["cases"], ids=_case_id)
def test_nik_vector(case: dict) -> None:
    result = parse_nik(case["input"], today=TODAY)
    if case["valid"]:
        assert result.error is None
        assert result.ok
        assert result.value == case["value"]
        assert result.birth_date == date.fromisoformat(case["birth_date"])
        assert result.sex == case["sex"]
        if "region" in case:
            assert result.region == case["region"]
    else:
        assert result.error == case["code"]
        assert not result.ok
        assert result.value is None
        assert result.birth_date is None
        assert result.sex is None


@pytest.mark.parametrize("case", VECTORS["kk_cases"], ids=_case_id)
def test_kk_vector(case: dict) -> None:
    result = parse_kk(case["input"])
    if case["valid"]:
        assert (result.ok, result.value, result.region) == (True, case["value"], case["region"])
    else:
        assert (result.ok, result.error, result.value) == (False, case["code"], None)


def test_vectors_cover_every_error_code() -> None:
    nik_codes = {c["code"] for c in VECTORS["cases"] if not c["valid"]}
    kk_codes = {c["code"] for c in VECTORS["kk_cases"] if not c["valid"]}
    assert nik_codes == set(nik.NIK_ERRORS)
    assert kk_codes == set(nik.KK_ERRORS)


def test_vectors_state_the_separators_the_module_uses() -> None:
    assert VECTORS["separators"] == nik.SEPARATORS


def test_vectors_inputs_are_unique() -> None:
    inputs = [c["input"] for c in VECTORS["cases"]]
    assert len(inputs) == len(set(inputs))


def test_stored_values_are_ascii_digits_only() -> None:
    for case in VECTORS["cases"]:
        if case["valid"]:
            assert case["value"].isascii() and case["value"].isdigit()
            assert len(case["value"]) == 16


# ---------------------------------------------------------------------------
# Province codes
# ---------------------------------------------------------------------------


def test_province_codes_are_the_38_from_the_data_file() -> None:
    assert len(PROVINCES) == 38
    assert {"11", "33", "65", "93", "94", "95", "96"} <= PROVINCES
    assert not {"00", "10", "20", "97", "99"} & PROVINCES


def test_province_codes_follow_the_content_folder(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "provinces.csv").write_text("code,name\n33,Jawa Tengah\n",
                                                    encoding="utf-8")
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(tmp_path))
    assert province_codes() == frozenset({"33"})
    assert parse_nik("3522011708900001", today=TODAY).error == "nik_provinsi_tidak_dikenal"
    assert parse_nik("3322011708900001", today=TODAY).ok


def test_bad_province_file_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "provinces.csv"
    path.write_text("code,name\n33,Jawa Tengah\n3X,Salah\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"provinces\.csv:3: kode provinsi '3X' harus 2 angka"):
        province_codes(path)


def test_empty_province_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("code,name\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"empty\.csv:1: tidak ada kode provinsi"):
        province_codes(path)


def test_explicit_province_list_wins() -> None:
    assert parse_nik("3322011708900001", today=TODAY, provinces={"34"}).error == (
        "nik_provinsi_tidak_dikenal"
    )
    assert parse_kk("3322010101200001", provinces={"34"}).error == "kk_provinsi_tidak_dikenal"


# ---------------------------------------------------------------------------
# Century, default today, odd inputs
# ---------------------------------------------------------------------------


def test_century_follows_today() -> None:
    assert parse_nik("3322010101270001", today=date(2027, 1, 1)).birth_date == date(2027, 1, 1)
    assert parse_nik("3322010101270001", today=date(2026, 12, 31)).birth_date == date(1927, 1, 1)


def test_default_today_is_wib(monkeypatch) -> None:
    monkeypatch.setattr(nik, "today_wib", lambda: date(2030, 1, 1))
    assert parse_nik("3322010101290001").birth_date == date(2029, 1, 1)


def test_today_wib_is_a_date() -> None:
    assert isinstance(nik.today_wib(), date)


@pytest.mark.parametrize("value", [None, 3322011708900001, 3.5, ["3322011708900001"], b"33"])
def test_non_text_is_a_character_error(value: object) -> None:
    assert parse_nik(value, today=TODAY).error == "nik_karakter_tidak_valid"
    assert parse_kk(value).error == "kk_karakter_tidak_valid"


# ---------------------------------------------------------------------------
# compare_nik: warnings, never errors
# ---------------------------------------------------------------------------

WOMAN_1990_08_12 = parse_nik("3322015208900001", today=TODAY)


def test_compare_matching_data_gives_no_warning() -> None:
    assert compare_nik(WOMAN_1990_08_12, birth_date=date(1990, 8, 12), sex=FEMALE) == []


def test_compare_other_birth_date_warns() -> None:
    assert compare_nik(WOMAN_1990_08_12, birth_date=date(1990, 8, 21), sex=FEMALE) == [
        WARN_BIRTH_DATE
    ]


def test_compare_other_sex_warns() -> None:
    assert compare_nik(WOMAN_1990_08_12, birth_date=date(1990, 8, 12), sex=MALE) == [WARN_SEX]


def test_compare_both_differ() -> None:
    assert compare_nik(WOMAN_1990_08_12, birth_date=date(1991, 1, 1), sex=MALE) == [
        WARN_BIRTH_DATE,
        WARN_SEX,
    ]


def test_compare_skips_what_is_not_given() -> None:
    assert compare_nik(WOMAN_1990_08_12) == []
    assert compare_nik(WOMAN_1990_08_12, sex=MALE) == [WARN_SEX]
    assert compare_nik(WOMAN_1990_08_12, birth_date=date(2000, 1, 1)) == [WARN_BIRTH_DATE]


def test_compare_invalid_nik_gives_no_warning() -> None:
    invalid = parse_nik("3322011708900000", today=TODAY)
    assert compare_nik(invalid, birth_date=date(1990, 8, 17), sex=FEMALE) == []
    assert compare_nik(NikResult(None, "nik_kosong"), sex=MALE) == []


def test_warning_codes_are_the_ones_the_issue_names() -> None:
    assert (WARN_BIRTH_DATE, WARN_SEX) == ("nik_tanggal_lahir_berbeda",
                                           "nik_jenis_kelamin_berbeda")


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

_any_text = st.text(alphabet=st.characters(codec=None, categories=None), max_size=60)


@given(_any_text)
def test_parse_nik_never_raises_and_is_consistent(raw: str) -> None:
    result = parse_nik(raw, today=TODAY, provinces=PROVINCES)
    if result.ok:
        assert result.value is not None and len(result.value) == 16
        assert all("0" <= ch <= "9" for ch in result.value)
        assert parse_nik(result.value, today=TODAY, provinces=PROVINCES) == result
    else:
        assert result.error in nik.NIK_ERRORS
        assert result.value is None


@given(_any_text)
def test_parse_kk_never_raises(raw: str) -> None:
    result = parse_kk(raw, provinces=PROVINCES)
    assert result.ok or result.error in nik.KK_ERRORS


@given(
    province=st.sampled_from(sorted(PROVINCES)),
    regency=st.integers(1, 99),
    district=st.integers(1, 99),
    born=st.dates(min_value=date(1927, 1, 1), max_value=date(2026, 12, 31)),
    female=st.booleans(),
    serial=st.integers(1, 9999),
    separator=st.sampled_from(["", " ", ".", "-"]),
)
def test_any_well_formed_nik_round_trips(
    province: str, regency: int, district: int, born: date, female: bool, serial: int,
    separator: str,
) -> None:
    day = born.day + (40 if female else 0)
    text = separator.join([
        f"{province}{regency:02d}", f"{district:02d}",
        f"{day:02d}{born.month:02d}{born.year % 100:02d}", f"{serial:04d}",
    ])
    result = parse_nik(text, today=TODAY, provinces=PROVINCES)
    assert result.ok, result.error
    assert result.birth_date == born
    assert result.sex == (FEMALE if female else MALE)
    assert result.region == f"{province}.{regency:02d}.{district:02d}"
    assert compare_nik(result, birth_date=born, sex=result.sex) == []
