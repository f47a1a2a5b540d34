"""The staff CLI through click's CliRunner, on both backends (configured by environment)."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from chalicelib.casework import Casework
from chalicelib.clock import now_wib
from click.testing import CliRunner
from portal.cli import main
from portal.cli_common import ROOT
from staff_support import KK_FORM, KK_HEAD, KTP_FORM, KTP_VALUES, NAME, NIK, PDF, submit

WEEK = ["--from", "2020-09-20", "--to", "2020-09-26"]


@pytest.fixture
def portal(backend, content_dir):
    """Run `portal ...` against the backend under test; returns the click Result."""

    def run(*args: str, env: dict[str, str] | None = None):
        command, *rest = args
        result = CliRunner().invoke(
            main, [command, "--content", str(content_dir), *rest],
            env={**backend.env, **(env or {})}, catch_exceptions=False,
        )
        return result

    return run


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --------------------------------------------------------------------------- inbox


def test_inbox_lists_without_personal_data(portal, seeded, backend):
    result = portal("inbox", *WEEK)
    assert result.exit_code == 0, result.output
    out = result.stdout
    for name in ("ktp_bawen", "ktp_getasan", "kk_bawen"):
        assert seeded[name].tracking_code in out
    assert seeded["ktp_old"].tracking_code not in out
    assert "2020-09-25 23.59" in out and "Kecamatan Bawen" in out and "Diterima" in out
    assert "3 permohonan, 2020-09-20 s.d. 2020-09-26." in out
    for secret in (NIK, NAME, KK_HEAD, "0812", "siti.aminah"):
        assert secret not in result.output
    where = "s3://uji-dukcapil-staf/portal/" if backend.name == "s3" else "folder lokal"
    assert f"Penyimpanan: {where}" in result.stderr


def test_inbox_filters(portal, seeded):
    result = portal("inbox", *WEEK, "--kecamatan", "bawen", "--form", KK_FORM,
                    "--status", "diterima")
    assert result.exit_code == 0, result.output
    assert seeded["kk_bawen"].tracking_code in result.stdout
    assert seeded["ktp_bawen"].tracking_code not in result.stdout
    assert "1 permohonan" in result.stdout
    empty = portal("inbox", *WEEK, "--status", "selesai")
    assert "Tidak ada permohonan 2020-09-20 s.d. 2020-09-26 yang cocok." in empty.stdout


def test_inbox_defaults_to_the_last_seven_days(portal, seeded, service, clock):
    clock.moment = now_wib()
    today = submit(service, KTP_FORM, KTP_VALUES, [("kk", PDF, "application/pdf")], key="hari-ini-kunci-pengiriman")
    result = portal("inbox")
    assert result.exit_code == 0, result.output
    assert today.tracking_code in result.stdout
    assert seeded["ktp_getasan"].tracking_code not in result.stdout  # 2020
    today_wib = clock.moment.date()
    first = today_wib - timedelta(days=6)
    assert f"{first.isoformat()} s.d. {today_wib.isoformat()}" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "20-09-2020"], "bukan tanggal"),
        (["--status", "hilang"], "Status 'hilang' tidak dikenal"),
        (["--from", "2020-09-26", "--to", "2020-09-01"], "lebih awal"),
    ],
)
def test_inbox_bad_options(portal, args, message):
    result = portal("inbox", *args)
    assert result.exit_code in (1, 2)
    assert message in result.output


# --------------------------------------------------------------------------- show


def test_show_prints_the_whole_record_to_the_terminal(portal, seeded):
    app = seeded["ktp_getasan"]
    changed = portal("set-status", app.tracking_code, "diproses", "--note",
                     "Sedang diverifikasi.", "--by", "Rina")
    assert changed.exit_code == 0, changed.output
    result = portal("show", app.tracking_code.lower())
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"Permohonan {app.tracking_code}" in out
    assert "Uji coba permohonan KTP-el (uji-ktp)" in out
    assert f"NIK: {NIK}" in out and f"Nama lengkap: {NAME}" in out
    assert "Kecamatan: Kecamatan Getasan (getasan)" in out
    assert "00-kk.pdf  Kartu Keluarga" in out and "01-foto.jpg  Pas foto" in out
    assert "Sabtu, 26 September 2020 pukul 09.00 WIB  sistem: (baru) → Diterima" in out
    assert "Rina: Diterima → Diproses  “Sedang diverifikasi.”" in out
    assert "Status   : Diproses" in out


def test_show_unknown_code(portal, seeded):
    from chalicelib.tracking import new_tracking_code

    result = portal("show", new_tracking_code())
    assert result.exit_code == 1
    assert "tidak ditemukan" in result.output
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- download


def test_download_says_where_it_wrote(portal, seeded, tmp_path):
    app = seeded["ktp_getasan"]
    target = tmp_path / "unduhan"
    result = portal("download", app.tracking_code, "--to", str(target))
    assert result.exit_code == 0, result.output
    folder = target / app.tracking_code
    assert f"Ditulis ke {folder}/" in result.stdout
    assert "2 berkas" in result.stdout
    assert json.loads((folder / "record.json").read_text())["values"]["nik"] == NIK
    assert mode(folder / "record.json") == 0o600
    assert mode(folder / "files" / "00-kk.pdf") == 0o600
    assert mode(folder) == mode(folder / "files") == mode(target) == 0o700


@pytest.mark.parametrize("inside", ["build/unduhan-uji-staf", "content/unduhan-uji-staf",
                                    "site/unduhan-uji-staf"])
def test_download_refuses_the_repository_folders(portal, seeded, inside):
    target = ROOT / inside
    assert not target.exists()
    result = portal("download", seeded["kk_bawen"].tracking_code, "--to", str(target))
    assert result.exit_code == 1
    assert "data pribadi warga tidak boleh disimpan" in result.output
    assert not target.exists()


# --------------------------------------------------------------------------- set-status


def test_set_status_appends_and_reports(portal, seeded, backend, forms):
    app = seeded["kk_bawen"]
    result = portal("set-status", app.tracking_code, "perlu-perbaikan", "--note",
                    "Unggah ulang KK yang terbaca.", "--attachment", "kk",
                    env={"PORTAL_STAFF": "Rina"})
    assert result.exit_code == 0, result.output
    assert f"{app.tracking_code}: Diterima → Perlu perbaikan" in result.stdout
    assert "oleh Rina" in result.stdout
    assert "Catatan untuk warga: Unggah ulang KK yang terbaca." in result.stdout
    history = Casework(backend.storage, forms).get(app.tracking_code).history
    assert [(h["from"], h["to"], h["by"]) for h in history] == [
        (None, "diterima", "sistem"), ("diterima", "perlu_perbaikan", "Rina")]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["ditolak", "--by", "Rina"], 1, "wajib diberi catatan"),
        (["perlu_perbaikan", "--by", "Rina", "--note", " "], 1, "wajib diberi catatan"),
        (["perlu_perbaikan", "--by", "Rina", "--note", "Perbaiki."], 1, "--attachment"),
        (["perlu_perbaikan", "--by", "Rina", "--note", "x", "--field", "nik"], 1,
         "Isian 'nik' tidak ada di formulir ini"),
        (["diperbaiki", "--by", "Rina"], 1, "muncul sendiri ketika warga mengirim perbaikan"),
        (["selesai", "--by", "Rina"], 1, "wajib melampirkan dokumen hasil"),
        (["selesai", "--by", "Rina", "--collect-at", "dinas"], 1, "menghasilkan dokumen PDF"),
        (["diproses", "--by", "Rina", "--attachment", "kk"], 1, "hanya untuk status"),
        (["batal", "--by", "Rina"], 1, "Status 'batal' tidak dikenal"),
        (["diproses"], 2, "--by"),
        (["diproses", "--by", "Rina", "--note", "x" * 501], 1, "paling banyak 500"),
    ],
)
def test_set_status_refusals(portal, seeded, backend, forms, args, code, message):
    app = seeded["kk_bawen"]
    result = portal("set-status", app.tracking_code, *args)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert len(Casework(backend.storage, forms).get(app.tracking_code).history) == 1


# --------------------------------------------------------------------------- export


def test_export_one_day_and_form_to_a_file(portal, seeded, forms, tmp_path):
    out = tmp_path / "ekspor" / "kk.csv"
    result = portal("export", "--date", "2020-09-26", "--form", KK_FORM, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"Ditulis ke {out}" in result.stdout
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert rows[0] == ["tracking_code", "received_at", "status", *forms[KK_FORM].export_columns]
    assert rows[1][0] == seeded["kk_bawen"].tracking_code
    assert mode(out) == 0o600


def test_export_to_a_folder_one_csv_per_day_and_form(portal, seeded, tmp_path):
    folder = tmp_path / "ekspor"
    result = portal("export", "--date", "2020-09-26", "--date", "2020-09-25", "--to",
                    str(folder), "--delimiter", ";")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["2020-09-25_uji-ktp.csv", "2020-09-26_uji-kk.csv", "2020-09-26_uji-ktp.csv"]
    for name in names:
        assert f"Ditulis ke {folder / name}" in result.stdout
        assert mode(folder / name) == 0o600
    text = (folder / "2020-09-25_uji-ktp.csv").read_bytes().decode("utf-8-sig")
    assert text.startswith("tracking_code;received_at;status;nik;")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--date", "2020-09-26", "--out", "x.csv"], 2, "tepat satu --date dan --form"),
        (["--date", "2020-09-26", "--form", KK_FORM], 2, "Isi salah satu: --out"),
        (["--date", "2020-09-26", "--form", KK_FORM, "--out",
          str(ROOT / "build" / "site" / "ekspor-uji.csv")], 1, "data pribadi"),
        (["--date", "2020-09-26", "--form", "tidak-ada", "--out", "x.csv"], 1,
         "tidak ada di content/forms"),
    ],
)
def test_export_refusals(portal, seeded, args, code, message):
    result = portal("export", *args)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert not (ROOT / "build" / "site" / "ekspor-uji.csv").exists()


# --------------------------------------------------------------------------- configuration


def test_bad_storage_configuration_is_a_message(backend, content_dir):
    result = CliRunner().invoke(main, ["inbox", "--content", str(content_dir)],
                                env={"STORAGE_BACKEND": "s3", "SUBMISSIONS_BUCKET": ""})
    assert result.exit_code == 1
    assert "Pengaturan penyimpanan salah: SUBMISSIONS_BUCKET must be set" in result.output
