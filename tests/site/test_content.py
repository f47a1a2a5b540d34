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
# --------------------------------------------------------------------------- site.yml: name and contacts


def warnings(tree) -> list[str]:
    return [f"{p.path.relative_to(tree.root)}:{p.line}: {p.message}" for p in load_content(tree.root).warnings]


def set_site_keys(tree, **values: str) -> None:
    """Replace (or add) top-level keys of site.yml, keeping the other lines where they are."""
    lines = (tree.root / "site.yml").read_text().splitlines()
    for key, value in values.items():
        index = next((i for i, line in enumerate(lines) if line.startswith(f"{key}:")), None)
        if index is None:
            lines.append(f"{key}: {value}")
        else:
            lines[index] = f"{key}: {value}"
    tree.write("site.yml", "\n".join(lines) + "\n")


def test_site_name_and_short_name_default_to_the_office_name(regency):
    site = load_content(regency.root).site
    assert site.site_name == site.short_name == "Disdukcapil Sukamaju"  # office_short_name
    set_site_keys(regency, site_name="Portal Disdukcapil Sukamaju", short_name="Dukcapil Sukamaju")
    site = load_content(regency.root).site
    assert (site.site_name, site.short_name) == ("Portal Disdukcapil Sukamaju", "Dukcapil Sukamaju")


def test_contacts_are_read_with_several_phones_and_hours(regency):
    set_site_keys(regency, phone='["(0298) 000000", "0298-111111"]', sms='"0812 0000 1111"',
                  hours="{senin: 08.00-15.00, sabtu: tutup}")
    site = load_content(regency.root).site
    assert site.phones == ("(0298) 000000", "0298-111111") and site.phone == "(0298) 000000"
    assert site.sms == "0812 0000 1111"
    assert site.hours == {"senin": "08.00-15.00", "sabtu": "tutup"}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"phone": '"0298 ext 12"'},
         "site.yml:7: 'phone': '0298 ext 12' bukan nomor telepon (contoh: (024) 6921105 atau 0812 3456 7890)"),
        ({"phone": '["(0298) 000000", "123"]'}, "site.yml:7: 'phone': '123' bukan nomor telepon"),
        ({"phone": "{kantor: 1}"}, "site.yml:7: 'phone' harus berupa nomor telepon atau daftar nomor telepon"),
        ({"whatsapp": '"+62 812 abc"'}, "site.yml:8: 'whatsapp': '+62 812 abc' bukan nomor telepon"),
        ({"sms": '"08"'}, "site.yml:14: 'sms': '08' bukan nomor telepon"),
        ({"email": "kantor.sukamaju"},
         "site.yml:9: 'email': 'kantor.sukamaju' bukan alamat email (contoh: dukcapil@contoh.go.id)"),
        ({"website": "disdukcapil.sukamaju.example"}, "site.yml:10: 'website' harus diawali http:// atau https://"),
        ({"hours": "{senen: 08.00-15.00}"}, "site.yml:14: hari 'senen' tidak dikenal"),
        ({"hours": "{senin: pagi}"}, "site.yml:14: jam 'pagi' tidak valid (contoh: 08.00-15.00, atau 'tutup')"),
        ({"short_name": "Dinas Kependudukan dan Pencatatan Sipil Sukamaju"},
         "site.yml:14: 'short_name' paling banyak 26 karakter agar muat di kepala halaman pada layar HP "
         "(sekarang 48)"),
        ({"telepon": '"1"'}, "site.yml:14: kunci 'telepon' tidak dikenal di site.yml"),
    ],
)
def test_site_contact_errors_name_file_and_line(regency, values, expected):
    set_site_keys(regency, **values)
    found = problems(regency)
    assert any(line.startswith(expected) for line in found), found


def test_a_site_without_any_contact_is_a_warning_not_an_error(regency):
    set_site_keys(regency, address='""', phone='""', whatsapp='""', email='""')
    assert warnings(regency) == ["site.yml:2: belum ada kontak kantor (phone, whatsapp, sms, email atau address): "
                                 "warga tidak tahu cara menghubungi kantor"]
    set_site_keys(regency, sms='"0812 0000 1111"')
    assert warnings(regency) == []  # one channel is enough (the fixture names its source)


def test_contacts_without_their_source_are_a_warning(regency):
    set_site_keys(regency, contact_source='""')
    assert warnings(regency) == ["site.yml:7: 'contact_source' kosong: tulis dari mana kontak ini diambil dan "
                                 "tanggalnya, agar warga tahu kontak itu resmi"]


def test_shipped_contacts_come_with_their_source():
    content = load_content(Path(__file__).resolve().parents[2] / "content")
    site = content.site
    assert content.warnings == []
    assert site.phones == ("(024) 6921105", "(024) 6922349") and site.sms == "0857 4199 9911"
    assert site.email == "disdukcapil.Kabsmg@gmail.com"
    assert site.address == "" and site.hours == {}  # not published: never guessed
    assert site.contact_source.startswith("Menurut standar pelayanan Dinas")
    assert "2016" in site.contact_source  # the date it was published, as far as the source says


# --------------------------------------------------------------------------- area codes and suggestions


def test_an_office_area_code_must_be_in_kecamatan_csv(regency):
    text = (regency.root / "offices.yml").read_text().replace('area_code: "99.01.02"', 'area_code: "99.01.20"')
    regency.write("offices.yml", text)
    assert problems(regency) == [
        "offices.yml:22: kode wilayah '99.01.20' tidak ada di data/kecamatan.csv "
        "(kode Sukamaju Selatan di berkas itu: 99.01.02)"]


def test_a_regency_code_must_be_the_regency_of_the_kecamatan_rows(regency):
    text = (regency.root / "offices.yml").read_text().replace('area_code: "99.01"', 'area_code: "99.02"')
    regency.write("offices.yml", text)
    assert problems(regency) == ["offices.yml:5: kode wilayah '99.02' tidak ada di data/kecamatan.csv"]


def test_area_codes_need_the_kecamatan_file(regency):
    (regency.root / "data" / "kecamatan.csv").unlink()
    assert problems(regency) == ["data/kecamatan.csv:1: berkas tidak ditemukan; 'area_code' di offices.yml "
                                 "diperiksa dengan berkas ini (kolom code,name)"]


def test_area_files_with_wrong_columns_are_reported(regency):
    regency.write("data/desa.csv", "kode,nama\n99.01.01.2001,Cempaka\n")
    assert problems(regency) == [
        "data/desa.csv:1: kolom code, name, district_code tidak ada (baris pertama harus: code,name,district_code)"]


def test_offices_know_their_kecamatan_and_villages(regency):
    offices = {o.id: o for o in load_content(regency.root).offices}
    assert offices["utara"].area_name == "Sukamaju Utara"
    assert offices["utara"].villages == ("Cempaka", "Kenanga")
    assert offices["pusat"].districts == ("Sukamaju Selatan", "Sukamaju Utara")


def test_shipped_offices_match_the_area_data():
    content = load_content(Path(__file__).resolve().parents[2] / "content")
    bawen = content.office("bawen")
    assert bawen.area_name == "Bawen" and "Harjosari" in bawen.villages and len(bawen.villages) == 9
    assert sum(len(o.villages) for o in content.offices) == 235  # every desa and kelurahan has its office
    assert len(content.office("dinas").districts) == 19


def test_an_unknown_office_lists_every_id_containing_the_typed_word(shipped):
    shipped.announce("x", closure=CLOSURE.replace("[utara]", "[ungaran]"))
    found = problems(shipped)
    assert "announcements/x.md:5: kantor 'ungaran' tidak ada di offices.yml " \
           "(maksudnya 'ungaran-barat' atau 'ungaran-timur'?)" in found, found


def test_a_close_spelling_is_still_suggested(shipped):
    shipped.announce("x", closure=CLOSURE.replace("[utara]", "[ambarwa]"))
    assert "announcements/x.md:5: kantor 'ambarwa' tidak ada di offices.yml (maksudnya 'ambarawa'?)" \
        in problems(shipped)


def test_contact_links_are_checked_like_other_links(regency):
    regency.write("guides/kk-baru.md", (regency.root / "guides/kk-baru.md").read_text()
                  .replace("duration: Tanyakan ke kantor.", "duration: '[Tanyakan ke kantor](kontak:bawen).'"))
    assert problems(regency) == ["guides/kk-baru.md:11: tautan 'kontak:bawen' menuju halaman yang tidak ada"]
