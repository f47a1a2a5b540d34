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


def test_check_prints_warnings_and_still_passes(regency):
    text = (regency.root / "site.yml").read_text()
    for key in ("address", "phone", "whatsapp", "email"):
        text = "\n".join(f'{key}: ""' if line.startswith(f"{key}:") else line for line in text.splitlines())
    regency.write("site.yml", text)
    result = run("check", "--content", str(regency.root))
    assert result.exit_code == 0
    assert (f"{regency.root}/site.yml:2: peringatan: belum ada kontak kantor (phone, whatsapp, sms, email "
            "atau address): warga tidak tahu cara menghubungi kantor") in result.output
    assert "Konten baik: 3 kantor, 1 pengumuman, 2 panduan, 1 formulir. 1 peringatan di atas." in result.output


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
    assert made.title == ("Kecamatan Sukamaju Utara dan Kecamatan Sukamaju Selatan tutup "
                          "Senin, 6 Mei sampai Rabu, 8 Mei 2024")
    assert made.slug == "2024-05-06-utara-selatan-tutup-3-hari"
    assert "mulai Senin, 6 Mei 2024 sampai Rabu, 8 Mei 2024" in made.body
    assert "dibuka kembali Kamis, 9 Mei 2024" in made.body
    # The default `instead` says "daring" once and points at the forms and the contacts.
    assert made.closure.instead == ("Ajukan permohonan lewat [formulir daring](formulir:), "
                                    "atau [hubungi kantor](kontak:).")
    assert made.closure.instead.count("daring") == 1


def test_a_one_day_closure_names_its_day_once(regency):
    result = run("new-closure", "--content", str(regency.root), "--offices", "utara",
                 "--first-day", "2021-02-01", "--days", "1", "--reason", "Pemadaman listrik.")
    assert result.exit_code == 0, result.output
    (made,) = [a for a in load_content(regency.root).announcements if a.slug.startswith("2021-02-01")]
    assert made.title == "Kecamatan Sukamaju Utara tutup Senin, 1 Februari 2021"
    assert "sampai" not in made.title and "sampai" not in made.body
    assert made.body.strip().startswith(
        "Kecamatan Sukamaju Utara tidak melayani tatap muka pada Senin, 1 Februari 2021. "
        "Layanan dibuka kembali Selasa, 2 Februari 2021.")


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        # The file name starts with the date: a title's dates never end up cut in it.
        ("Semua kantor Disdukcapil Kabupaten Sukamaju tutup Selasa, 1 Desember sampai Kamis, 3 Desember 2026",
         "2026-12-01-semua-kantor-disdukcapil-kabupaten-sukamaju-tutup"),
        ("Layanan tatap muka ditutup 14 hari mulai Jumat, 25 September 2020",
         "2026-12-01-layanan-tatap-muka-ditutup-14-hari"),
        ("Perbaikan jaringan listrik dan server kependudukan di kantor kecamatan utara dan selatan bagian barat",
         "2026-12-01-perbaikan-jaringan-listrik-dan-server-kependudukan-di-kantor"),
        ("Senin tutup", "2026-12-01-semua-kantor-tutup-3-hari"),  # nothing before the date: the automatic name
    ],
)
def test_new_closure_file_names_end_at_a_word(regency, title, slug):
    result = run("new-closure", "--content", str(regency.root), "--offices", "all", "--first-day", "2026-12-01",
                 "--days", "3", "--reason", "Uji.", "--title", title)
    assert result.exit_code == 0, result.output
    assert (regency.root / "announcements" / f"{slug}.md").is_file(), result.output
    assert len(slug) <= len("2026-12-01-") + 60



def test_new_closure_for_all_offices_with_last_day(regency):
    result = run("new-closure", "--content", str(regency.root), "--offices", "all", "--first-day", "2024-12-30",
                 "--last-day", "2025-01-02", "--reason", 'Alasan dengan "kutip": dan titik dua', "--title", "Libur")
    assert result.exit_code == 0, result.output
    made = next(a for a in load_content(regency.root).announcements if a.title == "Libur")
    assert made.closure.all_offices and made.closure.reason == 'Alasan dengan "kutip": dan titik dua'


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--offices", "gunung", "--first-day", "2024-05-06", "--days", "3"], "kantor tidak dikenal: 'gunung'."),
        (["--offices", "utaraa", "--first-day", "2024-05-06", "--days", "3"],
         "kantor tidak dikenal: 'utaraa' (maksudnya 'utara'?)."),
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
        "--last-day", "2024-05-08", "--reason", "Uji.", "--title", "Dengan hari terakhir")
    folder = regency.root / "announcements"
    days = (folder / "2024-05-06-dengan-hari.md").read_text(encoding="utf-8")
    assert '\nsummary: "Ringkas."\nclosure:\n' in days and "\n  days: 3\n" in days and "last_day" not in days
    last = (folder / "2024-05-06-dengan-hari-terakhir.md").read_text(encoding="utf-8")
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
