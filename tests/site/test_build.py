"""A full build of the shipped content, read back as a resident and a status client would."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import jsonschema
import pytest
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
    assert "33.22.11" in text(office, ".portal-facts")
    assert office.select_one('a[href="feed.xml"]') and office.select_one('a[href="penutupan.ics"]')
    later = page(after, "kantor/bawen")
    assert text(later, "[data-portal-office-status]") == "Buka seperti biasa"
    assert "25 September" in text(later, ".portal-history")


def test_guide_page(during):
    guide = page(during, "layanan/ktp-el-hilang-rusak")
    headings = [h.get_text(strip=True) for h in guide.select("article h2")]
    for expected in ("Untuk siapa", "Dokumen yang diperlukan", "Langkah-langkah", "Biaya", "Lama layanan"):
        assert expected in headings
    assert guide.select_one('a[href="../../formulir/ktp-el-penggantian/"]') is not None
    assert "Gratis" in text(guide, "article")


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


def test_another_regency_builds_from_its_own_content(regency, tmp_path):
    out = tmp_path / "out"
    build_site(regency.root, out, today="2024-01-04")
    home = page(out, "")
    assert text(home, "h1") == "Disdukcapil Sukamaju"
    assert text(home, "[data-portal-summary]") == "1 dari 3 kantor tutup untuk layanan tatap muka."
    assert "Telepon: (0298) 000000" in text(home, ".md-footer")
    everything = " ".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    assert "Kabupaten Semarang" not in everything.replace(  # only the site name from mkdocs.yml may remain
        "Dispendukcapil Kabupaten Semarang", "")


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
