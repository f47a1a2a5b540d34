"""Content validation: every checker message, with the file and line it points at."""

from __future__ import annotations

from pathlib import Path

import pytest
from portal.content import ContentErrors, load_content


def problems(tree) -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        load_content(tree.root)
    return [f"{p.path.relative_to(tree.root)}:{p.line}: {p.message}" for p in caught.value.problems]


def test_fixture_regency_is_valid(regency):
    content = load_content(regency.root)
    assert [o.id for o in content.offices] == ["pusat", "utara", "selatan"]
    closure = content.announcements[0].closure
    assert closure.offices == ("utara",) and closure.days == 3


def test_shipped_content_is_valid():
    content = load_content(Path(__file__).resolve().parents[2] / "content")
    assert len(content.offices) == 20  # the Dinas and 19 kecamatan
    first = content.announcements[-1].closure
    assert (first.first_day.isoformat(), first.last_day.isoformat()) == ("2020-09-25", "2020-10-08")
    assert first.all_offices


CLOSURE = """
    offices: [utara]
    first_day: 2024-02-01
    last_day: 2024-02-02
    reason: Perbaikan.
    instead: Ajukan secara daring.
"""


@pytest.mark.parametrize(
    ("closure", "expected"),
    [
        (CLOSURE.replace("[utara]", "[utaraa]"),
         "announcements/x.md:5: kantor 'utaraa' tidak ada di offices.yml (maksudnya 'utara'?)"),
        (CLOSURE.replace("[utara]", "[gunung]"), "announcements/x.md:5: kantor 'gunung' tidak ada di offices.yml"),
        (CLOSURE.replace("    offices: [utara]\n", ""),
         "announcements/x.md:5: 'offices' wajib diisi: daftar id kantor, atau 'all' untuk semua kantor"),
        (CLOSURE.replace("2024-02-02", "2024-01-31"),
         "announcements/x.md:7: 'last_day' (2024-01-31) lebih awal dari 'first_day' (2024-02-01)"),
        (CLOSURE.replace("2024-02-01", "2024-02-30"),
         "announcements/x.md:6: 'first_day': '2024-02-30' bukan tanggal yang ada (format TTTT-BB-HH, misalnya 2020-09-25)"),
        (CLOSURE.replace("2024-02-02", "2 Feb 2024"),
         "announcements/x.md:7: 'last_day': '2 Feb 2024' bukan tanggal yang ada"),
        (CLOSURE.replace("    first_day: 2024-02-01\n", ""),
         "announcements/x.md:5: 'first_day' wajib diisi (format TTTT-BB-HH, misalnya 2020-09-25)"),
        (CLOSURE.replace("last_day: 2024-02-02", "last_day: 2024-02-02\n    days: 2"),
         "announcements/x.md:8: isi salah satu saja: 'last_day' atau 'days'"),
        (CLOSURE.replace("last_day: 2024-02-02", "days: 0"), "announcements/x.md:7: 'days' harus bilangan bulat 1 sampai 366"),
        (CLOSURE.replace("last_day: 2024-02-02", "days: dua"), "announcements/x.md:7: 'days' harus bilangan bulat 1 sampai 366"),
        (CLOSURE.replace("    last_day: 2024-02-02\n", ""),
         "announcements/x.md:5: isi 'last_day' (hari terakhir tutup) atau 'days' (jumlah hari tutup)"),
        (CLOSURE.replace("2024-02-02", "2025-02-02"), "announcements/x.md:7: penutupan lebih dari 366 hari; periksa tahunnya"),
        (CLOSURE.replace("    reason: Perbaikan.\n", ""), "announcements/x.md:5: 'reason' wajib diisi di closure"),
        (CLOSURE.replace("Ajukan secara daring.", ""), "announcements/x.md:9: 'instead' wajib diisi di closure"),
        (CLOSURE + "    sampai: besok\n", "announcements/x.md:10: kunci 'sampai' tidak dikenal di closure"),
        (CLOSURE.replace("Ajukan secara daring.", "Lihat [formulir](formulir:tidak-ada)."),
         "announcements/x.md:9: tautan 'formulir:tidak-ada' menuju halaman yang tidak ada"),
    ],
)
def test_closure_errors(regency, closure, expected):
    regency.announce("x", closure=closure)
    assert any(line.startswith(expected) for line in problems(regency)), problems(regency)


def test_closure_must_be_a_mapping(regency):
    regency.write("announcements/x.md", "---\ntitle: X\ndate: 2024-01-01\nclosure: besok\n---\n")
    assert "announcements/x.md:4: 'closure' harus berupa pasangan 'kunci: nilai'" in problems(regency)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title: X\n---\n", "announcements/x.md:1: berkas harus diawali front matter YAML di antara dua baris '---'"),
        ("---\n- a\n---\n", "announcements/x.md:2: front matter harus berupa pasangan 'kunci: nilai'"),
        ("---\ntitle: [X\n---\n", "announcements/x.md:3: YAML tidak valid"),
        ("---\ntitle: X\ntitle: Y\ndate: 2024-01-01\n---\n", "announcements/x.md:3: YAML tidak valid: kunci 'title' ditulis dua kali"),
        ("---\ndate: 2024-01-01\n---\n", "announcements/x.md:2: 'title' wajib diisi di pengumuman"),
        ("---\ntitle: X\n---\n", "announcements/x.md:2: 'date' wajib diisi"),
        ("---\ntitle: X\ndate: 2024-01-01\nauthor: Budi\n---\n", "announcements/x.md:4: kunci 'author' tidak dikenal di pengumuman"),
        ("---\ntitle: {a: 1}\ndate: 2024-01-01\n---\n", "announcements/x.md:2: 'title' harus berupa teks"),
        ("---\ntitle: X\ndate: 2024-01-01\ncategories: Jadwal\n---\n", "announcements/x.md:4: 'categories' harus berupa daftar teks"),
        ("---\ntitle: X\ndate: 2024-01-01\nslug: Huruf Besar\n---\n",
         "announcements/x.md:1: slug 'Huruf Besar' hanya boleh huruf kecil, angka dan tanda hubung"),
        ("---\ntitle: X\ndate: 2024-01-01\n---\nBaca [ini](layanan:tidak-ada).\n",
         "announcements/x.md:5: tautan 'layanan:tidak-ada' menuju halaman yang tidak ada"),
    ],
)
def test_announcement_errors(regency, text, expected):
    regency.write("announcements/x.md", text)
    assert any(line.startswith(expected) for line in problems(regency)), problems(regency)


def test_duplicate_slug(regency):
    regency.write("announcements/a.md", "---\ntitle: A\ndate: 2024-01-01\nslug: sama\n---\n")
    regency.write("announcements/b.md", "---\ntitle: B\ndate: 2024-01-01\nslug: sama\n---\n")
    assert any("announcements/b.md:1: slug pengumuman 'sama' sudah dipakai oleh" in line for line in problems(regency))


GUIDE = """\
---
title: Panduan uji
service: kk
summary: Ringkasan.
who: Siapa saja.
documents:
  - Dokumen
steps:
  - Langkah
fee: Gratis.
duration: Sehari.
---
"""


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("service: kk", "service: paspor"), "guides/g.md:3: layanan 'paspor' tidak ada di services.yml (ktp-el, kk)"),
        (("duration: Sehari.", "duration: Sehari.\nform: paspor"),
         "guides/g.md:12: formulir 'paspor' tidak ada di content/forms/ (yang ada: ktp-el-baru)"),
        (("  - Langkah", "  - Isi [formulir](formulir:salah)"), "guides/g.md:9: tautan 'formulir:salah' menuju halaman yang tidak ada"),
        (("documents:\n  - Dokumen", "documents: []"), "guides/g.md:6: 'documents' tidak boleh kosong di panduan"),
        (("duration: Sehari.", "duration: Sehari.\norder: pertama"), "guides/g.md:12: 'order' harus berupa bilangan bulat"),
        (("fee: Gratis.\n", ""), "guides/g.md:2: 'fee' wajib diisi di panduan"),
    ],
)
def test_guide_errors(regency, change, expected):
    regency.write("guides/g.md", GUIDE.replace(*change))
    assert any(line.startswith(expected) for line in problems(regency)), problems(regency)


OFFICE = """\
offices:
  - id: pusat
    name: Kantor Pusat
    kind: dinas
    services: [kk, ktp-el]
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (OFFICE.replace("id: pusat", "id: Pusat Kota"), "offices.yml:2: id kantor 'Pusat Kota' hanya boleh huruf kecil"),
        (OFFICE + OFFICE.split("\n", 1)[1], "offices.yml:6: id kantor 'pusat' sudah dipakai di baris 2"),
        (OFFICE.replace("[kk, ktp-el]", "[kk, paspor]"),
         "offices.yml:5: kantor 'pusat': layanan 'paspor' tidak ada di services.yml (ktp-el, kk)"),
        (OFFICE + "    hours: 08.00-15.00\n", "offices.yml:6: 'hours' harus berupa pasangan hari: jam"),
        (OFFICE + "    hours:\n      senen: 08.00-15.00\n", "offices.yml:7: hari 'senen' tidak dikenal"),
        (OFFICE + "    hours:\n      senin: jam 8\n", "offices.yml:7: jam 'jam 8' tidak valid (contoh: 08.00-15.00, atau 'tutup')"),
        (OFFICE + "    telepon: 123\n", "offices.yml:6: kunci 'telepon' tidak dikenal di kantor"),
        (OFFICE.replace("    name: Kantor Pusat\n", ""), "offices.yml:2: 'name' wajib diisi di kantor"),
        ("offices: []\n", "offices.yml:1: 'offices' harus berupa daftar kantor dan tidak boleh kosong"),
        ("offices:\n  - pusat\n", "offices.yml:2: setiap kantor harus berupa pasangan 'kunci: nilai'"),
        ("- pusat\n", "offices.yml:1: offices.yml harus berupa pasangan 'kunci: nilai'"),
    ],
)
def test_office_errors(regency, text, expected):
    for path in (regency.root / "announcements").glob("*.md"):
        path.unlink()  # they refer to offices this test removes
    regency.write("offices.yml", text)
    assert any(line.startswith(expected) for line in problems(regency)), problems(regency)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("site.yml", "regency: X\n", "site.yml:1: 'office_name' wajib diisi di site.yml"),
        ("site.yml", None, "site.yml:1: berkas tidak ditemukan"),
        ("services.yml", "services: [kk]\n", "services.yml:1: 'services' harus berupa pasangan id: nama layanan"),
        ("services.yml", "services:\n  KK: Kartu\n  kk: Kartu\n  ktp-el: ''\n",
         "services.yml:2: id layanan 'KK' hanya boleh huruf kecil, angka dan tanda hubung"),
        ("services.yml", "services:\n  kk: Kartu\n  ktp-el: ''\n", "services.yml:3: layanan 'ktp-el' harus punya nama"),
        ("retention.yml", "closed_applications_days: 365\n",
         "retention.yml:1: 'access_records_days' wajib diisi: masa simpan catatan akses petugas, dalam hari"),
        ("retention.yml", "closed_applications_days: 365\naccess_records_days: 2 tahun\n",
         "retention.yml:2: 'access_records_days': '2 tahun' harus bilangan bulat hari, 1 sampai 36500"),
        ("retention.yml", "closed_applications_days: 0\naccess_records_days: 30\n",
         "retention.yml:1: 'closed_applications_days': '0' harus bilangan bulat hari"),
        ("retention.yml", "closed_applications_days: 30\naccess_records_days: 30\nsimpan: 1\n",
         "retention.yml:3: kunci 'simpan' tidak dikenal di retention.yml"),
        ("retention.yml", "- 30\n", "retention.yml:1: retention.yml harus berupa pasangan 'kunci: nilai'"),
    ],
)
def test_site_and_services_errors(regency, name, text, expected):
    if text is None:
        (regency.root / name).unlink()
    else:
        regency.write(name, text)
    assert any(line.startswith(expected) for line in problems(regency)), problems(regency)


def test_site_timezone_must_be_wib(regency):
    text = (regency.root / "site.yml").read_text().replace("timezone: Asia/Jakarta", "timezone: UTC")
    regency.write("site.yml", text)
    assert any(line.startswith("site.yml:11: timezone harus 'Asia/Jakarta' (WIB)") for line in problems(regency))


def test_all_problems_reported_at_once(regency):
    regency.announce("a", closure=CLOSURE.replace("[utara]", "[x]"))
    regency.announce("b", closure=CLOSURE.replace("2024-02-02", "2024-01-01"))
    assert len(problems(regency)) == 2


def test_broken_form_definition_is_a_content_error(regency):
    form = regency.root / "forms" / "ktp-el-baru.yml"
    form.write_text(form.read_text().replace("type: nik", "type: nomor"), encoding="utf-8")
    found = problems(regency)
    assert any(line.startswith("forms/ktp-el-baru.yml:") and "nomor" in line for line in found), found


def test_form_ids_of_site_pages_are_reserved(regency):
    form = regency.root / "forms" / "ktp-el-baru.yml"
    form.rename(form.with_name("status.yml"))
    regency.write("guides/ktp-el-baru.md", (regency.root / "guides/ktp-el-baru.md").read_text()
                  .replace("form: ktp-el-baru", "form: status").replace("formulir:ktp-el-baru", "formulir:status"))
    regency.write("announcements/2024-01-02-kantor-utara-tutup.md",
                  (regency.root / "announcements/2024-01-02-kantor-utara-tutup.md").read_text()
                  .replace("formulir:ktp-el-baru", "formulir:status"))
    assert problems(regency) == [
        "forms/status.yml:1: id formulir 'status' dipakai halaman situs (formulir/status/); ganti nama berkasnya"]


def test_the_retention_policy_is_part_of_the_content(regency):
    policy = load_content(regency.root).retention
    assert (policy.closed_applications_days, policy.access_records_days) == (365, 730)


def test_without_a_retention_file_the_defaults_apply(regency):
    (regency.root / "retention.yml").unlink()
    policy = load_content(regency.root).retention
    assert (policy.closed_applications_days, policy.access_records_days) == (365, 730)
