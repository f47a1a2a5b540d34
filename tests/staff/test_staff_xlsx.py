"""Excel exports: every cell text (format '@'), so a 16-digit NIK or KK stays whole;
formulas never run; owner-only, atomic, never in forbidden folders."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from chalicelib.casework import EXPORT_COLUMNS, UnsafeDestination
from chalicelib.xlsx_export import write_xlsx
from click.testing import CliRunner
from portal.cli import main
from staff_support import KK_FORM, KK_HEAD, KK_NUMBER, KTP_FORM, NIK

FORMULA = '=HYPERLINK("http://contoh.invalid","klik")'


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def cells(path: Path) -> list[list[openpyxl.cell.cell.Cell]]:
    sheet = openpyxl.load_workbook(path).active
    return [list(row) for row in sheet.iter_rows()]


def test_every_cell_is_text_and_the_nik_stays_whole(casework, seeded, forms, tmp_path):
    export = casework.export(date(2020, 9, 26), KTP_FORM)
    path = write_xlsx(export, tmp_path / "ekspor" / "ktp.xlsx")
    rows = cells(path)
    assert [c.value for c in rows[0]] == list(export.columns)
    record = {column: cell for column, cell in zip(export.columns, rows[1], strict=True)}
    assert record["nik"].value == NIK == "3322015208900001"
    assert record["telepon"].value == "+6281234567890"
    assert record["tracking_code"].value == seeded["ktp_getasan"].tracking_code
    assert record["received_at"].value == "2020-09-26T09:00:00+07:00"
    for row in rows:
        for cell in row:
            assert cell.data_type == "s" and isinstance(cell.value, str), cell.coordinate
            assert cell.number_format == "@", cell.coordinate
    assert all(cell.font.bold for cell in rows[0])
    assert openpyxl.load_workbook(path).active.title == KTP_FORM
    assert mode(path) == 0o600 and mode(tmp_path / "ekspor") == 0o700
    assert not list((tmp_path / "ekspor").glob(".tmp-*"))


def test_a_formula_is_kept_as_text(casework, seeded, forms, tmp_path):
    export = casework.export(date(2020, 9, 26), KK_FORM)
    assert export.columns[:3] == EXPORT_COLUMNS
    rows = cells(write_xlsx(export, tmp_path / "kk.xlsx"))
    values = [c.value for c in rows[1]]
    assert values[3:6] == [KK_NUMBER, KK_HEAD, "bawen"]
    catatan = rows[1][6]
    assert catatan.value == FORMULA and catatan.data_type == "s"  # not 'f': never evaluated
    assert catatan.quotePrefix  # Excel's hidden apostrophe: stays text even when edited


def test_the_xlsx_writer_refuses_forbidden_folders(casework, seeded, tmp_path):
    build = tmp_path / "build"
    with pytest.raises(UnsafeDestination):
        write_xlsx(casework.export(date(2020, 9, 26), KK_FORM), build / "ekspor.xlsx",
                   forbidden=[build])
    assert not build.exists()


def run(backend, content_dir, *args):
    return CliRunner().invoke(main, ["export", "--content", str(content_dir), *args],
                              env=backend.env, catch_exceptions=False)


def test_portal_export_picks_xlsx_from_the_file_name(backend, content_dir, seeded, tmp_path):
    out = tmp_path / "ktp.xlsx"
    result = run(backend, content_dir, "--date", "2020-09-26", "--form", KTP_FORM, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"Ditulis ke {out}" in result.stdout
    assert NIK in [c.value for c in cells(out)[1]]


def test_portal_export_writes_one_xlsx_per_day_and_form(backend, content_dir, seeded, tmp_path):
    folder = tmp_path / "ekspor"
    result = run(backend, content_dir, "--date", "2020-09-26", "--to", str(folder), "--format", "xlsx")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == [f"2020-09-26_{KK_FORM}.xlsx",
                                                        f"2020-09-26_{KTP_FORM}.xlsx"]


def test_portal_export_refuses_a_format_that_contradicts_the_file_name(backend, content_dir, seeded,
                                                                      tmp_path):
    result = run(backend, content_dir, "--date", "2020-09-26", "--form", KTP_FORM, "--out",
                 str(tmp_path / "ktp.csv"), "--format", "xlsx")
    assert result.exit_code == 2 and "berakhiran .csv tetapi --format xlsx" in result.output
    assert not (tmp_path / "ktp.csv").exists()
