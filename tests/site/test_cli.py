"""Staff CLI: scaffold a closure, check content, build without half-publishing."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from portal.cli import main
from portal.content import load_content


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_check_passes_on_good_content(regency):
    result = run("check", "--content", str(regency.root))
    assert result.exit_code == 0
    assert "Konten baik: 3 kantor, 1 pengumuman, 2 panduan, 1 formulir." in result.output


def test_check_prints_file_line_and_fails(regency):
    regency.announce("rusak", closure="""
        offices: [pusat]
        first_day: 2024-02-30
        days: 2
        reason: Uji.
        instead: Uji.
    """)
    result = run("check", "--content", str(regency.root))
    assert result.exit_code == 1
    assert f"{regency.root}/announcements/rusak.md:6: 'first_day': '2024-02-30' bukan tanggal yang ada" in result.output
    assert "1 masalah ditemukan" in result.output


def test_new_closure_writes_a_valid_announcement(regency):
    result = run("new-closure", "--content", str(regency.root), "--offices", "utara,selatan",
                 "--first-day", "2024-05-06", "--days", "3", "--reason", "Perbaikan jaringan listrik.",
                 "--published", "2024-05-01")
    assert result.exit_code == 0, result.output
    content = load_content(regency.root)
    (made,) = [a for a in content.announcements if a.slug.startswith("2024-05-06")]
    assert made.closure.offices == ("utara", "selatan")
    assert made.closure.last_day.isoformat() == "2024-05-08"
    assert made.title == ("Kecamatan Sukamaju Utara, Kecamatan Sukamaju Selatan tutup "
                          "Senin, 6 Mei 2024 sampai Rabu, 8 Mei 2024")
    assert "dibuka kembali Kamis, 9 Mei 2024" in made.body


def test_new_closure_for_all_offices_with_last_day(regency):
    result = run("new-closure", "--content", str(regency.root), "--offices", "all", "--first-day", "2024-12-30",
                 "--last-day", "2025-01-02", "--reason", 'Alasan dengan "kutip": dan titik dua', "--title", "Libur")
    assert result.exit_code == 0, result.output
    made = next(a for a in load_content(regency.root).announcements if a.title == "Libur")
    assert made.closure.all_offices and made.closure.reason == 'Alasan dengan "kutip": dan titik dua'


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--offices", "gunung", "--first-day", "2024-05-06", "--days", "3"], "kantor tidak dikenal: gunung"),
        (["--offices", "utara", "--first-day", "6-5-2024", "--days", "3"], "'6-5-2024' bukan tanggal"),
        (["--offices", "utara", "--first-day", "2024-05-06"], "Isi salah satu: --days atau --last-day."),
        (["--offices", "utara", "--first-day", "2024-05-06", "--last-day", "2024-05-01"],
         "hari terakhir lebih awal dari hari pertama"),
        (["--offices", "utara", "--first-day", "2024-05-06", "--days", "400"], "jumlah hari harus 1 sampai 366"),
    ],
)
def test_new_closure_refuses_bad_input(regency, args, message):
    result = CliRunner().invoke(main, ["new-closure", "--content", str(regency.root), "--reason", "Uji.", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert len(list((regency.root / "announcements").glob("*.md"))) == 1  # nothing written


@pytest.mark.slow
def test_build_keeps_the_old_site_when_content_is_broken(regency, tmp_path):
    out = tmp_path / "site"
    assert run("build", "--content", str(regency.root), "--out", str(out)).exit_code == 0
    before = (out / "index.html").read_text()
    regency.announce("rusak", closure="offices: [x]\nfirst_day: 2024-01-01\ndays: 1\nreason: a\ninstead: b")
    result = CliRunner().invoke(main, ["build", "--content", str(regency.root), "--out", str(out)])
    assert result.exit_code == 1
    assert (out / "index.html").read_text() == before
    assert not (tmp_path / "site.new").exists()


def test_new_closure_writes_the_duration_as_given(regency):
    run("new-closure", "--content", str(regency.root), "--offices", "utara", "--first-day", "2024-05-06",
        "--days", "3", "--reason", "Uji.", "--title", "Dengan hari", "--summary", "Ringkas.")
    run("new-closure", "--content", str(regency.root), "--offices", "utara", "--first-day", "2024-05-06",
        "--last-day", "2024-05-08", "--reason", "Uji.", "--title", "Dengan tanggal")
    folder = regency.root / "announcements"
    days = (folder / "2024-05-06-dengan-hari.md").read_text(encoding="utf-8")
    assert '\nsummary: "Ringkas."\nclosure:\n' in days and "\n  days: 3\n" in days and "last_day" not in days
    last = (folder / "2024-05-06-dengan-tanggal.md").read_text(encoding="utf-8")
    assert "\n  last_day: 2024-05-08\n" in last and "days:" not in last and "summary" not in last


def test_usage_errors_are_in_indonesian(regency):
    result = CliRunner().invoke(main, ["new-closure", "--content", str(regency.root), "--offices", "utara"])
    assert result.exit_code == 2
    assert "Galat: Pilihan wajib belum diisi '--first-day'." in result.output
    assert "Ketik 'main new-closure --help' untuk bantuan." in result.output
    assert "Missing" not in result.output and "Usage" not in result.output
    result = CliRunner().invoke(main, ["check", "--konten", "x"])
    assert "Pilihan '--konten' tidak dikenal." in result.output
    assert "Maksudnya '--content'?" in result.output


def test_a_tab_in_front_matter_is_explained_in_indonesian(regency):
    regency.write("announcements/tab.md", "---\ntitle: Uji\ndate: 2024-01-01\nclosure:\n\toffices: all\n---\nIsi.\n")
    result = run("check", "--content", str(regency.root))
    assert result.exit_code == 1
    assert "announcements/tab.md:5: YAML tidak valid: ada karakter tab di awal atau di dalam baris; " \
           "pakai spasi, bukan tab" in result.output
    assert "found" not in result.output
