"""status.json, Atom feeds and iCalendar files, from small content trees of a made-up regency."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from icalendar import Calendar
from portal.content import Content, load_content
from portal.outputs import (
    FEED_LIMIT,
    atom_feed,
    closures_ics,
    status_json,
    status_schema,
    status_schema_text,
)
from portal.schedule import WIB, closures_for

ROOT = Path(__file__).resolve().parents[2]
ATOM = "{http://www.w3.org/2005/Atom}"
SITE_URL = "https://portal.contoh.example/"
NOW = datetime(2020, 9, 25, 8, 0, tzinfo=WIB)
OFFICES = {"dinas": "Kantor Dinas Contoh", "alpha": "Kecamatan Alpha",
           "beta": "Kecamatan Beta", "gamma": "Kecamatan Gamma"}
INSTEAD = ("Ajukan permohonan secara daring; baca dulu [persyaratan layanan](layanan:) "
           "atau lihat [kantor Alpha](kantor:alpha) dan <https://contoh.example/info>.")
BIG = "2020-09-25-tutup-14-hari"  # the 14-day all-office closure


# --------------------------------------------------------------------------- content trees


def closure(slug: str, offices: Any, first_day: str, days: int, published: str | None = None,
            **extra: Any) -> dict[str, Any]:
    """Front matter of a closure announcement."""
    return {
        "slug": slug,
        "title": f"Penutupan {slug}",
        "date": published or first_day,
        "summary": f"Ringkasan {slug}.",
        "closure": {"offices": offices, "first_day": first_day, "days": days,
                    "reason": "Disinfeksi **kantor**.", "instead": INSTEAD},
        **extra,
    }


def notice(slug: str, published: str) -> dict[str, Any]:
    """Front matter of a plain announcement."""
    return {"slug": slug, "title": f"Info {slug}", "date": published, "categories": ["Info"]}


def make_content(root: Path, announcements: list[dict[str, Any]]) -> Content:
    """Write a content tree for "Kabupaten Contoh" and load it."""
    (root / "announcements").mkdir(parents=True)
    (root / "forms").mkdir()
    (root / "guides").mkdir()
    (root / "site.yml").write_text(yaml.safe_dump({
        "regency": "Kabupaten Contoh", "province": "Jawa Tengah",
        "office_name": "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Contoh",
        "office_short_name": "Dukcapil Contoh", "timezone": "Asia/Jakarta",
        "phone": "(024) 000000",
    }), encoding="utf-8")
    (root / "services.yml").write_text("services:\n  ktp-el: KTP-el\n", encoding="utf-8")
    (root / "offices.yml").write_text(yaml.safe_dump({"offices": [
        {"id": key, "name": name, "kind": "dinas" if key == "dinas" else "kecamatan"}
        for key, name in OFFICES.items()
    ]}, sort_keys=False), encoding="utf-8")
    for meta in announcements:
        text = "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n"
        text += "## Judul\n\nBadan *pengumuman* pertama.\n"
        (root / "announcements" / f"{meta['slug']}.md").write_text(text, encoding="utf-8")
    return load_content(root)


@pytest.fixture
def content_of(tmp_path: Path):
    return lambda *announcements: make_content(tmp_path / "content", list(announcements))


# --------------------------------------------------------------------------- status.json


def valid_status(content: Content, day: date, site_url: str | None = None,
                 now: datetime = NOW) -> dict[str, Any]:
    """status_json after a JSON round trip, validated against the schema."""
    doc = json.loads(json.dumps(status_json(content, day, now, site_url)))
    jsonschema.Draft202012Validator(
        status_schema(), format_checker=jsonschema.FormatChecker()
    ).validate(doc)
    return doc


def components(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in doc["components"]}


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(status_schema())


def test_committed_schema_matches_the_code():
    committed = (ROOT / "site" / "schemas" / "status.schema.json").read_text(encoding="utf-8")
    # Regenerate with: python -m portal.outputs > site/schemas/status.schema.json
    assert committed == status_schema_text()


def test_no_closures_all_operational(content_of):
    doc = valid_status(content_of(notice("halo", "2020-09-01")), date(2020, 9, 25))
    assert doc["status"] == {"indicator": "none", "description": "Semua kantor buka"}
    assert {c["status"] for c in doc["components"]} == {"operational"}
    assert doc["incidents"] == [] and doc["scheduled_maintenances"] == []
    assert doc["page"]["updated_at"] == doc["generated_at"] == "2020-09-25T08:00:00+07:00"
    assert doc["page"]["time_zone"] == "Asia/Jakarta"
    assert doc["schema_version"] == "1.0"
    assert [c["position"] for c in doc["components"]] == [1, 2, 3, 4]


@pytest.mark.parametrize("day", [date(2020, 9, 25), date(2020, 10, 8)])
def test_fourteen_day_closure_is_major_from_first_to_last_day(content_of, day):
    doc = valid_status(content_of(closure(BIG, "all", "2020-09-25", 14)), day)
    assert doc["status"] == {"indicator": "major", "description": "Semua kantor tutup"}
    for component in doc["components"]:
        assert component["status"] == "major_outage"
        assert component["closed_until"] == "2020-10-08"
        assert component["reopens_on"] == "2020-10-09"
        assert component["active_closures"] == [BIG]
    [incident] = doc["incidents"]
    assert incident["id"] == BIG
    assert incident["status"] == "identified" and incident["impact"] == "major"
    assert incident["started_at"] == "2020-09-25T00:00:00+07:00"
    assert incident["closure"]["reopens_on"] == "2020-10-09"
    assert incident["closure"]["days"] == 14 and incident["closure"]["all_offices"] is True
    assert len(incident["components"]) == 4
    [update] = incident["incident_updates"]
    assert "Buka kembali Jumat, 9 Oktober 2020." in update["body"]
    assert "Kontak Dukcapil Contoh: Telepon (024) 000000." in update["body"]
    assert doc["scheduled_maintenances"] == []


def test_fourteen_day_closure_is_over_on_the_fifteenth_day(content_of):
    doc = valid_status(content_of(closure(BIG, "all", "2020-09-25", 14)), date(2020, 10, 9),
                       now=datetime(2020, 10, 9, 0, 30, tzinfo=WIB))
    assert doc["status"]["indicator"] == "none"
    assert doc["incidents"] == [] and doc["scheduled_maintenances"] == []
    for component in doc["components"]:
        assert component["status"] == "operational"
        assert component["closed_until"] is None and component["reopens_on"] is None
        assert component["updated_at"] == "2020-10-09T00:00:00+07:00"
    assert doc["page"]["updated_at"] == "2020-10-09T00:00:00+07:00"


def test_partial_closure_is_minor(content_of):
    doc = valid_status(content_of(closure("dua", ["alpha", "beta"], "2020-09-25", 3)),
                       date(2020, 9, 26))
    assert doc["status"] == {"indicator": "minor", "description": "2 dari 4 kantor tutup"}
    by_id = components(doc)
    assert {k for k, c in by_id.items() if c["status"] == "major_outage"} == {"alpha", "beta"}
    assert by_id["dinas"]["active_closures"] == []
    [incident] = doc["incidents"]
    assert incident["impact"] == "minor"
    assert [c["id"] for c in incident["components"]] == ["alpha", "beta"]
    assert [a["code"] for a in incident["incident_updates"][0]["affected_components"]] == [
        "alpha", "beta"]
    assert incident["incident_updates"][0]["body"].startswith(
        "Kecamatan Alpha dan Kecamatan Beta tutup "
        "Jumat, 25 September sampai Minggu, 27 September 2020.")


def test_upcoming_closure_is_scheduled_and_offices_stay_operational(content_of):
    content = content_of(closure(BIG, "all", "2020-09-25", 14, published="2020-09-20"))
    doc = valid_status(content, date(2020, 9, 24), now=datetime(2020, 9, 24, 23, 30, tzinfo=WIB))
    assert doc["status"]["indicator"] == "none"
    assert {c["status"] for c in doc["components"]} == {"operational"}
    assert components(doc)["alpha"]["upcoming_closures"] == [BIG]
    assert doc["incidents"] == []
    [maintenance] = doc["scheduled_maintenances"]
    assert maintenance["status"] == "scheduled" and maintenance["impact"] == "maintenance"
    assert maintenance["scheduled_for"] == "2020-09-25T00:00:00+07:00"
    assert maintenance["scheduled_until"] == "2020-10-09T00:00:00+07:00"
    assert maintenance["created_at"] == "2020-09-20T00:00:00+07:00"
    assert doc["page"]["updated_at"] == "2020-09-20T00:00:00+07:00"


def test_overlapping_closures_both_listed_and_reopening_chained(content_of):
    content = content_of(
        closure(BIG, "all", "2020-09-25", 14),
        closure("alpha-lanjut", ["alpha"], "2020-10-05", 11),  # through 15 Oct
        closure("beta-nanti", ["beta"], "2020-10-20", 2),
    )
    doc = valid_status(content, date(2020, 10, 6))
    assert doc["status"]["indicator"] == "major"
    assert [i["id"] for i in doc["incidents"]] == ["alpha-lanjut", BIG]  # newest first
    by_id = components(doc)
    assert by_id["alpha"]["active_closures"] == ["alpha-lanjut", BIG]
    assert by_id["alpha"]["reopens_on"] == "2020-10-16"
    assert by_id["alpha"]["closed_until"] == "2020-10-15"
    assert by_id["gamma"]["reopens_on"] == "2020-10-09"
    assert by_id["beta"]["upcoming_closures"] == ["beta-nanti"]
    assert [m["id"] for m in doc["scheduled_maintenances"]] == ["beta-nanti"]


def test_upcoming_closure_right_after_an_active_one_chains_the_reopening(content_of):
    content = content_of(
        closure(BIG, "all", "2020-09-25", 14),
        closure("alpha-sesudah", ["alpha"], "2020-10-09", 3),
    )
    doc = valid_status(content, date(2020, 9, 30))
    assert components(doc)["alpha"]["reopens_on"] == "2020-10-12"
    assert components(doc)["beta"]["reopens_on"] == "2020-10-09"
    [maintenance] = doc["scheduled_maintenances"]
    assert maintenance["id"] == "alpha-sesudah"
    assert maintenance["components"][0]["status"] == "major_outage"  # closed today by the other


def test_urls_are_relative_without_site_url_and_absolute_with_it(content_of):
    content = content_of(closure(BIG, "all", "2020-09-25", 14))
    relative = valid_status(content, date(2020, 9, 25))
    assert relative["page"]["url"] == "./"
    assert relative["incidents"][0]["shortlink"] == f"pengumuman/{BIG}/"
    assert components(relative)["alpha"]["url"] == "kantor/alpha/"
    assert "persyaratan layanan (layanan/)" in relative["incidents"][0]["closure"]["instead"]
    absolute = valid_status(content, date(2020, 9, 25), SITE_URL)
    assert absolute["page"]["url"] == SITE_URL
    assert absolute["incidents"][0]["shortlink"] == f"{SITE_URL}pengumuman/{BIG}/"
    instead = absolute["incidents"][0]["closure"]["instead"]
    assert f"kantor Alpha ({SITE_URL}kantor/alpha/)" in instead


def test_times_are_written_in_wib_whatever_zone_now_is_in(content_of):
    doc = valid_status(content_of(), date(2020, 9, 25), now=datetime(2020, 9, 25, 1, 0, tzinfo=UTC))
    assert doc["generated_at"] == "2020-09-25T08:00:00+07:00"
    assert doc["valid_until"] == "2020-09-26T00:00:00+07:00"
    assert doc["date"] == "2020-09-25"


def test_naive_now_is_refused(content_of):
    with pytest.raises(ValueError):
        status_json(content_of(), date(2020, 9, 25), datetime(2020, 9, 25, 8, 0), None)


# --------------------------------------------------------------------------- Atom


def parse_feed(data: bytes) -> ET.Element:
    return ET.fromstring(data)


def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall(f"{ATOM}entry")


def link_of(element: ET.Element, rel: str = "alternate") -> str:
    return next(link.get("href") for link in element.findall(f"{ATOM}link")
                if link.get("rel", "alternate") == rel)


def feed(content: Content, announcements=None, **kwargs: Any) -> ET.Element:
    options = {"title": "Pengumuman", "feed_url": "feed.xml", "site_url": None, "now": NOW} | kwargs
    return parse_feed(atom_feed(content, content.announcements if announcements is None
                                else announcements, **options))


def test_feed_entries_newest_first_with_tag_ids(content_of):
    content = content_of(notice("lama", "2020-09-01"), closure(BIG, "all", "2020-09-25", 14),
                         notice("baru", "2020-10-01"))
    root = feed(content)
    slugs = [link_of(e).split("/")[-2] for e in entries(root)]
    assert slugs == ["baru", BIG, "lama"]
    ids = [e.findtext(f"{ATOM}id") for e in entries(root)]
    assert ids[1] == f"tag:kabupaten-contoh.dukcapil-portal,2020-09-25:pengumuman/{BIG}/"
    assert len(set(ids)) == 3
    assert root.findtext(f"{ATOM}updated") == "2020-10-01T00:00:00+07:00"
    assert root.findtext(f"{ATOM}id").startswith("tag:kabupaten-contoh.dukcapil-portal,")


def test_feed_entry_fields(content_of):
    content = content_of(closure(BIG, "all", "2020-09-25", 14))
    [entry] = entries(feed(content, site_url=SITE_URL))
    assert entry.findtext(f"{ATOM}title") == f"Penutupan {BIG}"
    assert entry.findtext(f"{ATOM}published") == "2020-09-25T00:00:00+07:00"
    assert entry.findtext(f"{ATOM}updated") == "2020-09-25T00:00:00+07:00"
    assert link_of(entry) == f"{SITE_URL}pengumuman/{BIG}/"
    assert entry.findtext(f"{ATOM}id") == f"tag:portal.contoh.example,2020-09-25:pengumuman/{BIG}/"
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["Penutupan layanan"]
    summary = entry.findtext(f"{ATOM}summary")
    assert summary.startswith(f"Ringkasan {BIG}.")
    assert "buka kembali Jumat, 9 Oktober 2020." in summary


def test_feed_summary_falls_back_to_first_paragraph(content_of):
    [entry] = entries(feed(content_of(notice("halo", "2020-09-01"))))
    assert entry.findtext(f"{ATOM}summary") == "Badan pengumuman pertama."


def test_feed_is_limited_to_the_newest(content_of):
    many = [notice(f"info-{n:02d}", f"2020-{1 + n // 28:02d}-{1 + n % 28:02d}") for n in range(60)]
    content = content_of(*many)
    slugs = [link_of(e).split("/")[-2] for e in entries(feed(content))]
    assert len(slugs) == FEED_LIMIT == 50
    assert slugs[0] == "info-59" and slugs[-1] == "info-10"


def test_office_feed_links_are_relative_to_the_feed(content_of):
    content = content_of(closure("dua", ["alpha", "beta"], "2020-09-25", 3),
                         closure(BIG, "all", "2020-09-25", 14))
    mine = [a for a, _ in closures_for(content, "gamma")]
    root = feed(content, mine, feed_url="kantor/gamma/feed.xml", alternate_path="kantor/gamma/")
    assert [link_of(e) for e in entries(root)] == [f"../../pengumuman/{BIG}/"]
    assert link_of(root, "self") == "feed.xml"
    assert link_of(root) == "./"
    assert link_of(feed(content, mine, feed_url="kantor/gamma/feed.xml")) == "../../"
    top = feed(content)
    assert link_of(top) == "./"
    assert link_of(entries(top)[0]).startswith("pengumuman/")
    same = {e.findtext(f"{ATOM}id") for e in entries(top)} & {
        e.findtext(f"{ATOM}id") for e in entries(root)}
    assert len(same) == 1, "an announcement keeps its id in every feed"


def test_office_feed_with_site_url_is_absolute(content_of):
    content = content_of(closure(BIG, "all", "2020-09-25", 14))
    root = feed(content, feed_url=f"{SITE_URL}kantor/alpha/feed.xml", site_url=SITE_URL,
                alternate_path="kantor/alpha/")
    assert link_of(root, "self") == f"{SITE_URL}kantor/alpha/feed.xml"
    assert root.findtext(f"{ATOM}id") == f"{SITE_URL}kantor/alpha/feed.xml"
    assert link_of(root) == f"{SITE_URL}kantor/alpha/"


def test_feed_url_outside_the_site_is_refused(content_of):
    with pytest.raises(ValueError):
        feed(content_of(), feed_url="https://elsewhere.example/feed.xml", site_url=SITE_URL)


def test_empty_feed_is_valid_and_dated_now(content_of):
    root = feed(content_of(), now=datetime(2020, 9, 25, 1, 0, tzinfo=UTC))
    assert entries(root) == []
    assert root.findtext(f"{ATOM}updated") == "2020-09-25T08:00:00+07:00"
    assert root.find(f"{ATOM}author/{ATOM}name") is not None


# --------------------------------------------------------------------------- iCalendar


def calendar(content: Content, closures=None,
             site_url: str | None = None) -> tuple[bytes, Calendar]:
    data = closures_ics(content, content.closures if closures is None else closures,
                        calendar_name="Penutupan layanan", site_url=site_url, now=NOW)
    return data, Calendar.from_ical(data)


def test_all_day_events_with_exclusive_end(content_of):
    data, cal = calendar(content_of(closure(BIG, "all", "2020-09-25", 14)))
    [event] = cal.walk("VEVENT")
    start, end = event["DTSTART"].dt, event["DTEND"].dt
    assert type(start) is date and type(end) is date
    assert (start, end) == (date(2020, 9, 25), date(2020, 10, 9))
    assert b"DTSTART;VALUE=DATE:20200925" in data
    assert b"DTEND;VALUE=DATE:20201009" in data
    assert str(event["SUMMARY"]) == "Tutup: Semua kantor"
    assert str(event["TRANSP"]) == "TRANSPARENT"
    assert str(event["UID"]) == f"{BIG}@kabupaten-contoh.dukcapil-portal"
    assert event["DTSTAMP"].dt == datetime(2020, 9, 25, 1, 0, tzinfo=UTC)
    assert "URL" not in event, "RFC 5545 URLs are absolute; none without site_url"
    description = str(event["DESCRIPTION"])
    assert "Buka kembali Jumat, 9 Oktober 2020." in description
    assert "Disinfeksi kantor." in description
    assert "(layanan/)" not in description and "persyaratan layanan" in description


def test_calendar_properties_for_subscribers(content_of):
    _, cal = calendar(content_of(closure(BIG, "all", "2020-09-25", 14)))
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]).startswith("-//")
    assert str(cal["X-WR-CALNAME"]) == "Penutupan layanan"
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Jakarta"
    assert cal["REFRESH-INTERVAL"].to_ical() == b"PT6H"
    assert cal["X-PUBLISHED-TTL"].to_ical() == b"PT6H"


def test_links_are_absolute_with_site_url(content_of):
    _, cal = calendar(content_of(closure(BIG, "all", "2020-09-25", 14)), site_url=SITE_URL)
    [event] = cal.walk("VEVENT")
    assert str(event["URL"]) == f"{SITE_URL}pengumuman/{BIG}/"
    assert str(event["UID"]) == f"{BIG}@portal.contoh.example"
    description = str(event["DESCRIPTION"])
    assert f"persyaratan layanan ({SITE_URL}layanan/)" in description
    assert "(https://contoh.example/info)" not in description
    assert "https://contoh.example/info" in description
    assert description.endswith(f"Pengumuman: {SITE_URL}pengumuman/{BIG}/")


def test_office_calendar_holds_only_its_closures_with_the_same_uids(content_of):
    content = content_of(
        closure(BIG, "all", "2020-09-25", 14),
        closure("dua", ["alpha", "beta"], "2020-11-02", 2),
        closure("gamma-saja", ["gamma"], "2020-11-10", 1),
    )
    _, everything = calendar(content, site_url=SITE_URL)
    _, alpha = calendar(content, closures_for(content, "alpha"), site_url=SITE_URL)
    all_uids = {str(e["UID"]) for e in everything.walk("VEVENT")}
    alpha_uids = [str(e["UID"]) for e in alpha.walk("VEVENT")]
    assert len(all_uids) == 3
    assert sorted(alpha_uids) == sorted(f"{s}@portal.contoh.example" for s in (BIG, "dua"))
    assert set(alpha_uids) <= all_uids
    summaries = {str(e["SUMMARY"]) for e in alpha.walk("VEVENT")}
    assert summaries == {"Tutup: Semua kantor", "Tutup: Kecamatan Alpha dan Kecamatan Beta"}


def test_closure_across_a_year_boundary(content_of):
    _, cal = calendar(content_of(closure("tahun-baru", ["dinas"], "2020-12-30", 4)))
    [event] = cal.walk("VEVENT")
    assert (event["DTSTART"].dt, event["DTEND"].dt) == (date(2020, 12, 30), date(2021, 1, 3))


def test_one_day_closure_ends_the_next_day(content_of):
    _, cal = calendar(content_of(closure("sehari", ["gamma"], "2020-02-28", 1)))
    [event] = cal.walk("VEVENT")
    assert (event["DTSTART"].dt, event["DTEND"].dt) == (date(2020, 2, 28), date(2020, 2, 29))


def test_empty_calendar_still_parses(content_of):
    data, cal = calendar(content_of(notice("halo", "2020-09-01")))
    assert cal.walk("VEVENT") == []
    assert [str(z["TZID"]) for z in cal.walk("VTIMEZONE")] == ["Asia/Jakarta"]
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")


def test_contact_text_names_every_phone_and_the_sms_number():
    from portal.outputs import contact_text
    from portal.sitefile import Site

    site = Site(regency="Kabupaten Contoh", province="", office_name="Dinas Contoh", office_short_name="Dukcapil Contoh",
                site_name="Dukcapil Contoh", short_name="Dukcapil Contoh", address="",
                phones=("(024) 1111111", "(024) 2222222"), whatsapp="", sms="0812 0000 0000", email="a@contoh.id",
                website="", hours={})
    assert contact_text(site) == ("Kontak Dukcapil Contoh: Telepon (024) 1111111 atau (024) 2222222, "
                                  "SMS 0812 0000 0000, Email a@contoh.id.")
