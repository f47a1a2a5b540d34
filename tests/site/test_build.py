"""A full build of the shipped content, read back as a resident and a status client would."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup
from buildutil import ROOT, build_site, page, text
from icalendar import Calendar
from portal.outputs import status_schema

pytestmark = pytest.mark.slow
ANNOUNCEMENT = "pengumuman/2020-09-25-layanan-tatap-muka-ditutup-14-hari"


@pytest.fixture(scope="module")
def during(tmp_path_factory) -> Path:
    """The shipped site as built on Monday 28 September 2020, mid-closure."""
    out = tmp_path_factory.mktemp("during")
    build_site(ROOT / "content", out, today="2020-09-28", site_url="https://dukcapil.example/")
    return out


@pytest.fixture(scope="module")
def after(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("after")
    build_site(ROOT / "content", out, today="2020-10-09")
    return out


def test_home_shows_every_office_closed_and_the_way_online(during):
    home = page(during, "")
    assert text(home, "[data-portal-summary]") == "Semua kantor tutup untuk layanan tatap muka."
    statuses = home.select("table.portal-offices [data-portal-office-status]")
    assert len(statuses) == 20
    assert {" ".join(s.get_text().split()) for s in statuses} == {"Tutup, buka kembali Jumat, 9 Oktober 2020"}
    notice = text(home, ".portal-notice")
    assert "Buka kembali Jumat, 9 Oktober 2020" in notice
    assert "Jumat, 25 September sampai Kamis, 8 Oktober 2020 (14 hari)" in notice
    assert home.select_one('a[href="formulir/"]') is not None


def test_announcement_bar_on_every_page_while_closed(during, after):
    for path in ("", "kantor/bawen", "layanan/kk-baru", "tentang"):
        banner = page(during, path).select_one(".md-banner .portal-banner")
        assert banner is not None and not banner.has_attr("hidden"), path
        assert "Semua kantor tutup" in banner.get_text()
        assert banner.a["href"].rstrip("/").endswith(ANNOUNCEMENT)
    assert page(after, "").select_one(".md-banner") is None  # nothing active or upcoming


def test_schedule_is_embedded_for_the_browser(during, after):
    schedule = json.loads(page(during, "kantor/bawen").select_one("#portal-schedule").string)
    assert schedule["built"] == "2020-09-28"
    assert schedule["closures"][0]["first"] == "2020-09-25" and schedule["closures"][0]["last"] == "2020-10-08"
    assert json.loads(page(after, "").select_one("#portal-schedule").string)["closures"] == []


def test_office_page(during, after):
    office = page(during, "kantor/bawen")
    assert text(office, "h1") == "Kecamatan Bawen"
    assert text(office, "[data-portal-office-status]") == "Tutup, buka kembali Jumat, 9 Oktober 2020"
    assert office.select_one('a[href="penutupan.ics"]') is not None  # "add to your phone's calendar"
    villages = text(office, "#desa-dan-kelurahan + p")
    assert villages.startswith("Desa dan kelurahan di Kecamatan Bawen: Asinan, Bawen, Doplang, Harjosari")
    later = page(after, "kantor/bawen")
    assert "25 September" in text(later, ".portal-history")


def test_an_office_without_published_hours_never_reads_open_as_usual(after):
    """The shipped offices publish no hours: no page may promise 'Buka seperti biasa'."""
    office = page(after, "kantor/bawen")
    status = office.select_one("[data-portal-office-status]")
    assert " ".join(status.get_text().split()) == "Tidak ada pengumuman tutup"
    assert status["data-open"] == "Tidak ada pengumuman tutup"  # what status.js writes on a later day
    hours = office.find("dt", string="Jam layanan").find_next_sibling("dd")
    assert " ".join(hours.get_text().split()) == "Belum diumumkan di situs ini. Hubungi kantor sebelum datang."
    assert hours.a["href"] == "../../kontak/"
    home = page(after, "")
    assert text(home, "[data-portal-summary]") == "Hari ini tidak ada kantor yang diumumkan tutup."
    assert "Jam layanan kantor belum diumumkan" in text(home, ".portal-hours-note")
    for html in after.rglob("*.html"):
        assert "Buka seperti biasa" not in html.read_text(encoding="utf-8"), html
        assert "melayani seperti biasa" not in html.read_text(encoding="utf-8"), html


def test_an_office_with_published_hours_reads_open_as_usual(regency, tmp_path):
    out = tmp_path / "out"
    build_site(regency.root, out, today="2024-01-10")
    office = page(out, "kantor/pusat")  # the fixture's main office publishes its hours
    assert text(office, "[data-portal-office-status]") == "Buka seperti biasa"
    assert "Senin: 08.00-15.00" in text(office, ".portal-facts")
    assert text(page(out, "kantor/utara"), "[data-portal-office-status]") == "Tidak ada pengumuman tutup"


def test_guide_page(during):
    guide = page(during, "layanan/ktp-el-hilang-rusak")
    headings = [h.get_text(strip=True) for h in guide.select("article h2")]
    for expected in ("Untuk siapa", "Dokumen yang diperlukan", "Langkah-langkah", "Biaya", "Lama layanan"):
        assert expected in headings
    assert guide.select_one('a[href="../../formulir/ktp-el-penggantian/"]') is not None
    assert "Gratis" in text(guide, "article")
    # The status check needs the token as well as the code: the guide says to keep both.
    steps = text(guide, "#langkah-langkah + ol")
    assert "simpan kode pelacakan dan token status dari tanda terima" in steps
    assert guide.select_one('#langkah-langkah + ol a[href="../../formulir/status/"]') is not None


def test_announcement_page_follows_the_service_unavailable_pattern(during):
    notice = page(during, ANNOUNCEMENT).select_one(".portal-notice")
    facts = [dt.get_text(strip=True) for dt in notice.select("dt")]
    assert facts == ["Yang tutup", "Tanggal tutup", "Buka kembali", "Alasan", "Yang bisa Anda lakukan"]
    links = [a["href"] for a in notice.select("dd a")]
    assert "../../formulir/ktp-el-baru/" in links


def test_archive_and_categories(during):
    archive = page(during, "pengumuman")
    assert archive.select_one(f'.portal-archive a[href="{ANNOUNCEMENT.split("/")[1]}/"]') is not None
    category = page(during, "pengumuman/kategori/penutupan-layanan")
    assert len(category.select(".portal-archive li")) == 1


def test_no_third_party_requests(during):
    for html in during.rglob("*.html"):
        source = html.read_text(encoding="utf-8")
        for ref in re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(https?:)?//([^"/]+)', source):
            if ref[1] != "dukcapil.example":  # the site's own canonical URL
                pytest.fail(f"{html}: requests {ref[1]}")
        assert "fonts.googleapis" not in source


def test_footer_carries_the_area_data_credit(during):
    footer = text(page(during, "kantor/getasan"), ".md-footer")
    assert "idn-area-data" in footer and "Open Database License" in footer


def test_status_json_matches_its_schema(during, after):
    data = json.loads((during / "status.json").read_text())
    jsonschema.validate(data, status_schema())
    assert data["status"]["indicator"] == "major"
    assert {c["status"] for c in data["components"]} == {"major_outage"}
    calm = json.loads((after / "status.json").read_text())
    jsonschema.validate(calm, status_schema())
    assert calm["status"]["indicator"] == "none" and calm["incidents"] == []


def test_feed_parses_and_links_the_announcement(during):
    import xml.etree.ElementTree as ET

    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring((during / "feed.xml").read_bytes())
    entries = feed.findall("a:entry", ns)
    assert len(entries) == 1
    link = entries[0].find("a:link", ns).get("href")
    assert link == f"https://dukcapil.example/{ANNOUNCEMENT}/"
    office_feed = ET.fromstring((during / "kantor/bawen/feed.xml").read_bytes())
    assert len(office_feed.findall("a:entry", ns)) == 1


def test_calendars_have_exclusive_all_day_ends(during):
    for path in ("penutupan.ics", "kantor/bawen/penutupan.ics"):
        calendar = Calendar.from_ical((during / path).read_bytes())
        (event,) = calendar.walk("VEVENT")
        assert event.decoded("dtstart") == date(2020, 9, 25)
        assert event.decoded("dtend") == date(2020, 10, 9)


def test_search_index_excludes_nothing_important(during):
    index = json.loads((during / "search/search_index.json").read_text())
    locations = {d["location"] for d in index["docs"]}
    assert "layanan/kk-baru/" in locations
    assert f"{ANNOUNCEMENT}/" in locations
    assert all("keywords" in d for d in index["docs"])


# Desa names that are also ordinary words (one desa is called "Kelurahan", another "Panjang").
COMMON_WORDS = {"kelurahan", "panjang"}


def shipped_identity() -> set[str]:
    """Every name, code and contact of the shipped regency, read from its content."""
    import csv

    from portal.content import load_content

    content = load_content(ROOT / "content")
    site = content.site
    found = {site.regency, site.office_name, site.office_short_name, site.site_name, site.short_name,
             site.regency.split()[-1], site.email, site.sms, *site.phones,
             site.website.split("//", 1)[1], *(re.sub(r"\D", "", p) for p in (*site.phones, site.sms))}
    for office in content.offices:
        found |= {office.name, office.area_code, office.area_code.replace(".", "")}
    for name in ("kecamatan.csv", "desa.csv"):
        with (ROOT / "content" / "data" / name).open(encoding="utf-8") as handle:
            found |= {row["name"] for row in csv.DictReader(handle)} - {w.title() for w in COMMON_WORDS}
    return {f for f in found if f}


def test_another_regency_builds_from_its_own_content(regency, tmp_path):
    """A fork replaces content/ only: nothing of Kabupaten Semarang may remain in its site."""
    out = tmp_path / "out"
    build_site(regency.root, out, today="2024-01-04")
    home = page(out, "")
    assert text(home, "h1") == "Disdukcapil Sukamaju"
    assert home.title.string == "Beranda - Disdukcapil Sukamaju"  # site_name from site.yml, not mkdocs.yml
    assert text(home, ".md-header__topic .md-ellipsis") == "Disdukcapil Sukamaju"
    assert text(home, "[data-portal-summary]") == "1 dari 3 kantor tutup untuk layanan tatap muka."
    assert "Telepon: (0298) 000000" in text(home, ".md-footer")
    assert "Telepon: (0298) 000000" in text(page(out, "layanan/kk-baru"), "#hubungi-kantor ~ ul.portal-contacts")
    identity = shipped_identity()
    assert {"Kabupaten Semarang", "Bawen", "Harjosari", "33.22.11", "332211", "0246921105"} <= identity
    files = [p for p in out.rglob("*") if p.is_file() and p.suffix in {".html", ".js", ".css", ".json", ".xml", ".ics"}
             and p.relative_to(out).parts[:2] != ("admin", "decap")]  # Decap CMS's own bundle, from npm
    any_of_them = re.compile(r"(?<![\w.])(" + "|".join(re.escape(v) for v in sorted(identity, key=len, reverse=True))
                             + r")(?![\w])", re.I)
    leaks = [f"{path.relative_to(out)}: {found}" for path in files
             for found in set(any_of_them.findall(path.read_text(encoding="utf-8")))]
    assert not leaks, leaks


def test_broken_content_fails_the_build_with_file_and_line(regency, tmp_path):
    regency.announce("rusak", closure="""
        offices: [gunung]
        first_day: 2024-02-01
        days: 2
        reason: Uji.
        instead: Uji.
    """)
    result = build_site(regency.root, tmp_path / "out", check=False)
    assert result.returncode != 0
    assert re.search(r"announcements/rusak\.md:5: kantor 'gunung' tidak ada di offices\.yml", result.stderr)


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("akte kelahiran", "layanan/akta-kelahiran/"),
        ("akte kematian", "layanan/akta-kematian/"),
        ("e-KTP hilang", "layanan/ktp-el-hilang-rusak/"),
        ("ektp baru", "layanan/ktp-el-baru/"),
        ("KTP rusak", "layanan/ktp-el-hilang-rusak/"),
        ("kartu keluarga baru", "layanan/kk-baru/"),
        ("surat pindah", "layanan/pindah-datang/"),
        ("skpwni", "layanan/pindah-datang/"),
        ("kartu anak", "layanan/kia/"),
    ],
)
def test_residents_words_find_the_right_guide(during, query, expected_first):
    from searchutil import search_built_index

    index = json.loads((during / "search/search_index.json").read_text())
    results = search_built_index(index, query)
    assert results and results[0] == expected_first, results[:5]


def test_pelayanan_and_layanan_find_each_other(during):
    """Material's search has no Indonesian stemming; our keywords bridge the affixes."""
    from searchutil import search_built_index

    index = json.loads((during / "search/search_index.json").read_text())

    def pages_saying(pattern: str) -> set[str]:
        return {d["location"].split("#")[0] for d in index["docs"]
                if re.search(pattern, f"{d['title']} {d['text']}".lower())}

    only_layanan = pages_saying(r"\blayanan\b") - pages_saying(r"pelayanan")
    assert only_layanan
    assert only_layanan & set(search_built_index(index, "pelayanan"))


# --------------------------------------------------------------------------- a reachable office


CONTACT_PAGES = ["", "layanan/ktp-el-baru", "layanan/kia", "formulir/ktp-el-baru", "formulir/pindah", "kontak",
                 "404.html", ANNOUNCEMENT]


@pytest.mark.parametrize("path", CONTACT_PAGES)
def test_contacts_with_their_source_on_home_guides_forms_contact_and_404_pages(during, path):
    soup = page(during, path)
    section = soup.select_one("article .portal-contacts")
    assert section is not None, path
    contacts = " ".join(section.get_text(" ").split())
    assert "Telepon: (024) 6921105 atau (024) 6922349" in contacts
    assert "SMS: 0857 4199 9911" in contacts and "Email: disdukcapil.Kabsmg@gmail.com" in contacts
    assert "Alamat: belum diumumkan di situs ini" in contacts  # never guessed
    assert "Jam layanan: belum diumumkan." in contacts
    hrefs = [a["href"] for a in section.select("a")]
    assert {"tel:0246921105", "tel:0246922349", "sms:085741999911", "mailto:disdukcapil.Kabsmg@gmail.com"} \
        <= set(hrefs)
    source = text(soup, "article .portal-contact__source")
    assert source.startswith("Menurut standar pelayanan Dinas") and "2016" in source


def test_every_page_footer_carries_the_contacts(during):
    for html in during.rglob("*.html"):
        if html.relative_to(during).parts[0] == "admin":
            continue  # the staff editor is not a residents' page
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        footer = soup.select_one(".md-footer .portal-contacts")
        assert footer is not None and "(024) 6921105" in footer.get_text(), html


def test_every_tanyakan_ke_kantor_in_the_guides_links_to_the_contacts(during):
    asked = 0
    for html in (during / "layanan").glob("*/index.html"):
        article = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").select_one("article")
        for node in article.find_all(string=re.compile(r"(tanyakan|pastikan)\s+ke\s+kantor", re.I)):
            if node.find_parent(class_="portal-contact"):
                continue  # the contact section's own lead
            link = node.find_parent("a")
            assert link is not None and link["href"] == "../../kontak/", f"{html}: {node!r}"
            asked += 1
    assert asked >= 25


def test_the_404_page_is_in_indonesian(during):
    soup = page(during, "404.html")
    assert soup.title.string == "Halaman tidak ditemukan - Dispendukcapil Kabupaten Semarang"
    assert text(soup, "article h1") == "Halaman tidak ditemukan"
    assert "Not found" not in soup.get_text() and "404" not in text(soup, "article")


def test_guides_cite_no_other_regions_news_or_offices(during):
    """Sources are the regulations and Kabupaten Semarang's own pages (issue: Aceh, Batam, Gresik)."""
    for html in (during / "layanan").glob("*/index.html"):
        sources = page(during, f"layanan/{html.parent.name}").select_one("#dasar-hukum-dan-sumber + .portal-sources")
        for link in sources.select("a"):
            host = link["href"].split("/")[2]
            assert host in {"dukcapil.semarangkab.go.id", "id.scribd.com", "pasal.id"}, (html, host)


def test_every_form_promises_the_receipt_by_email_and_nothing_it_cannot_keep(during):
    for html in (during / "formulir").glob("*/index.html"):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        definition = soup.select_one("#portal-form-definition")
        if definition is None:
            continue  # the receipt and the status check
        email = soup.select_one('[data-field="email"] .portal-hint')
        assert email is not None and "Kami mengirim tanda terima" in email.get_text(), html
        words = soup.select_one("#portal-form").get_text(" ")
        assert "dan akta ke alamat ini" not in words and "lewat WhatsApp" not in words, html


# --------------------------------------------------------------------------- plain words for residents


RESIDENT_PAGES = ["", "kantor", "kantor/bawen", "kantor/dinas", "pengumuman", ANNOUNCEMENT, "layanan",
                  "layanan/kk-baru", "formulir", "formulir/kk-baru", "kontak"]


@pytest.mark.parametrize("path", RESIDENT_PAGES)
def test_resident_pages_speak_plainly(during, path):
    article = text(page(during, path), "article")
    for jargon in ("Atom", "iCal", "status.json", "Kode wilayah", "33.22"):
        assert jargon not in article, (path, jargon)


def test_open_data_page_lists_the_feeds_calendars_and_area_codes(during):
    soup = page(during, "data-terbuka")
    links = {a["href"] for a in soup.select("article a")}
    assert {"../status.json", "../feed.xml", "../penutupan.ics", "../kantor/bawen/feed.xml",
            "../kantor/bawen/penutupan.ics"} <= links
    row = next(tr for tr in soup.select("article tbody tr") if "Kecamatan Bawen" in tr.get_text())
    assert "33.22.11" in row.get_text()
    footer = page(during, "kantor/bawen").select_one(".md-footer")
    assert footer.find("a", string="Data terbuka")["href"] == "../../data-terbuka/"


# --------------------------------------------------------------------------- finding an office


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [("bawen", "kantor/bawen/"), ("kecamatan bawen", "kantor/bawen/"), ("harjosari", "kantor/bawen/"),
     ("kopeng", "kantor/getasan/"), ("nomor telepon", "kontak/"), ("kontak", "kontak/")],
)
def test_search_finds_an_office_by_kecamatan_and_desa(during, query, expected_first):
    from searchutil import search_built_index

    index = json.loads((during / "search/search_index.json").read_text())
    results = search_built_index(index, query)
    assert results and results[0] == expected_first, results[:5]


def test_ungaran_finds_the_dinas_and_both_ungaran_offices(during):
    from searchutil import search_built_index

    index = json.loads((during / "search/search_index.json").read_text())
    assert {"kantor/dinas/", "kantor/ungaran-barat/", "kantor/ungaran-timur/"} <= \
        set(search_built_index(index, "ungaran")[:3])
