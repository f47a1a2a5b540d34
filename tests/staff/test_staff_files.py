"""Downloads and exports hold personal data: owner-only, atomic, never in forbidden folders."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import date
from pathlib import Path

import pytest
from chalicelib.casework import EXPORT_COLUMNS, InvalidInput, UnsafeDestination, write_csv
from staff_support import KK_FORM, KK_HEAD, KK_NUMBER, KTP_FORM, NIK, PDF


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --------------------------------------------------------------------------- download


def test_download_writes_record_and_files_owner_only(casework, seeded, tmp_path):
    app = seeded["ktp_getasan"]
    result = casework.download(app.tracking_code, tmp_path / "unduhan")
    folder = tmp_path / "unduhan" / app.tracking_code
    assert result.folder == folder.resolve()
    record = json.loads((folder / "record.json").read_text(encoding="utf-8"))
    assert record["tracking_code"] == app.tracking_code
    assert record["values"]["nik"] == NIK
    names = sorted(p.name for p in (folder / "files").iterdir())
    assert names == sorted(app.files) == ["00-kk.pdf", "01-foto.jpg"]
    for name, data in app.files.items():
        assert (folder / "files" / name).read_bytes() == data
    for path in [folder / "record.json", *(folder / "files").iterdir()]:
        assert mode(path) == 0o600, path
    for path in (tmp_path / "unduhan", folder, folder / "files"):
        assert mode(path) == 0o700, path
    assert not [p for p in folder.rglob(".tmp-*")]  # no staging leftovers


def test_download_again_overwrites_and_tightens_modes(casework, seeded, tmp_path):
    app = seeded["kk_bawen"]
    tmp_path.chmod(0o750)
    casework.download(app.tracking_code, tmp_path)
    record = tmp_path / app.tracking_code / "record.json"
    record.chmod(0o644)
    (tmp_path / app.tracking_code).chmod(0o755)
    casework.download(app.tracking_code, tmp_path)
    assert mode(record) == 0o600
    assert mode(tmp_path / app.tracking_code) == 0o700
    assert mode(tmp_path) == 0o750  # an existing destination keeps its own mode


@pytest.mark.parametrize("inside", ["build", "build/site/unduhan", "content", "site/x"])
def test_download_refuses_forbidden_folders_before_writing(casework, seeded, tmp_path, inside):
    repo = tmp_path / "repo"
    forbidden = [repo / "build", repo / "content", repo / "site"]
    target = repo / inside
    with pytest.raises(UnsafeDestination, match="data pribadi"):
        casework.download(seeded["kk_bawen"].tracking_code, target, forbidden=forbidden)
    assert not target.exists()


def test_download_refuses_a_link_into_the_build_folder(casework, seeded, tmp_path):
    build = tmp_path / "repo" / "build"
    build.mkdir(parents=True)
    link = tmp_path / "pintasan"
    link.symlink_to(build)
    with pytest.raises(UnsafeDestination):
        casework.download(seeded["kk_bawen"].tracking_code, link / "x", forbidden=[build])
    assert list(build.iterdir()) == []


# --------------------------------------------------------------------------- export


def _read_csv(path: Path, delimiter: str = ",") -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, for Excel
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""),
                           delimiter=delimiter))


def test_export_columns_are_the_form_definitions(casework, seeded, forms, tmp_path):
    export = casework.export(date(2020, 9, 26), KK_FORM)
    assert export.columns == (*EXPORT_COLUMNS, *forms[KK_FORM].export_columns)
    path = write_csv(export, tmp_path / "ekspor" / "kk.csv")
    rows = _read_csv(path)
    assert rows[0] == ["tracking_code", "received_at", "status", "nomor_kk",
                       "nama_kepala_keluarga", "kecamatan_tinggal", "catatan"]
    assert rows[1][:7] == [seeded["kk_bawen"].tracking_code, "2020-09-26T10:30:00+07:00",
                           "diterima", KK_NUMBER, KK_HEAD, "bawen",
                           "'=HYPERLINK(\"http://contoh.invalid\",\"klik\")"]  # no formula
    assert len(rows) == 2
    assert mode(path) == 0o600
    assert mode(tmp_path / "ekspor") == 0o700
    assert path.read_bytes().count(b"\r\n") == 2


def test_export_rows_follow_the_day_and_form(casework, seeded, forms, tmp_path):
    export = casework.export(date(2020, 9, 26), KTP_FORM)
    assert [row[0] for row in export.rows] == [seeded["ktp_getasan"].tracking_code]
    row = dict(zip(export.columns, export.rows[0], strict=True))
    assert row["nik"] == NIK
    assert row["telepon"] == "+6281234567890"  # a plain number is not "neutralised"
    assert casework.export(date(2020, 9, 24), KTP_FORM).rows == ()
    assert casework.forms_received(date(2020, 9, 26)) == [KK_FORM, KTP_FORM]


def test_export_with_semicolons_for_indonesian_excel(casework, seeded, tmp_path):
    path = write_csv(casework.export(date(2020, 9, 26), KTP_FORM), tmp_path / "ktp.csv",
                     delimiter=";")
    rows = _read_csv(path, delimiter=";")
    assert rows[0][:4] == ["tracking_code", "received_at", "status", "nik"]


def test_export_after_a_status_change_shows_the_new_status(casework, seeded):
    code = seeded["kk_bawen"].tracking_code
    casework.set_status(code, "ditolak", note="Data tidak sesuai.", by="Rina")
    assert casework.export(date(2020, 9, 26), KK_FORM).rows[0][2] == "ditolak"


def test_export_refuses_unknown_forms_and_forbidden_folders(casework, seeded, tmp_path):
    with pytest.raises(InvalidInput, match="tidak ada di content/forms"):
        casework.export(date(2020, 9, 26), "tidak-ada")
    export = casework.export(date(2020, 9, 26), KK_FORM)
    build = tmp_path / "build"
    with pytest.raises(UnsafeDestination):
        write_csv(export, build / "site" / "ekspor.csv", forbidden=[build])
    assert not build.exists()


def test_personal_data_is_never_logged(casework, seeded, tmp_path, caplog):
    caplog.set_level("DEBUG", logger="dukcapil")
    app = seeded["ktp_getasan"]
    casework.inbox(date(2020, 9, 20), date(2020, 9, 26), kecamatan="getasan")
    casework.get(app.tracking_code)
    casework.set_status(app.tracking_code, "ditolak", note="Data tidak sesuai KK.", by="Rina")
    casework.download(app.tracking_code, tmp_path / "d")
    write_csv(casework.export(date(2020, 9, 26), KTP_FORM), tmp_path / "e.csv")
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("dukcapil"))
    assert "set_status ok" in logged
    for secret in (NIK, "Siti", app.tracking_code, "Rina", "Data tidak sesuai", str(PDF[:8])):
        assert secret not in logged
