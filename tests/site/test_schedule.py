"""Office status over dates and time zones: whole days in WIB, last day inclusive."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from portal.content import load_content
from portal.schedule import CLOSED, OPEN, WIB, office_status, overview, today_wib

SHIPPED = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def shipped_content():
    return load_content(SHIPPED)


def status(content, office_id: str, day: str) -> str:
    return office_status(content, content.office(office_id), date.fromisoformat(day)).status


@pytest.mark.parametrize(
    ("day", "expected"),
    [("2020-09-24", OPEN), ("2020-09-25", CLOSED), ("2020-10-01", CLOSED), ("2020-10-08", CLOSED), ("2020-10-09", OPEN)],
)
def test_fourteen_day_closure_of_2020(shipped_content, day, expected):
    for office in ("dinas", "bawen", "ungaran-timur"):
        assert status(shipped_content, office, day) == expected


def test_fourteen_day_closure_reopens_on_9_october(shipped_content):
    result = office_status(shipped_content, shipped_content.office("dinas"), date(2020, 9, 25))
    assert result.reopens == date(2020, 10, 9)
    assert overview(shipped_content, date(2020, 10, 8)).indicator == "major"
    assert overview(shipped_content, date(2020, 10, 9)).indicator == "none"


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 23:30 WIB on the last day is still closed; 00:30 WIB the next day is open.
        (datetime(2020, 10, 8, 23, 30, tzinfo=WIB), date(2020, 10, 8)),
        (datetime(2020, 10, 9, 0, 30, tzinfo=WIB), date(2020, 10, 9)),
        # The same instants seen from UTC: 16:30 and 17:30 UTC on 8 October.
        (datetime(2020, 10, 8, 16, 30, tzinfo=UTC), date(2020, 10, 8)),
        (datetime(2020, 10, 8, 17, 30, tzinfo=UTC), date(2020, 10, 9)),
        # A build server in New York on the evening of 8 October is already on the 9th in Jakarta.
        (datetime(2020, 10, 8, 19, 0, tzinfo=timezone(timedelta(hours=-4))), date(2020, 10, 9)),
    ],
)
def test_today_is_the_wib_calendar_day(shipped_content, moment, expected):
    day = today_wib(moment)
    assert day == expected
    assert status(shipped_content, "dinas", day.isoformat()) == (CLOSED if expected.day == 8 else OPEN)


def test_today_refuses_naive_datetimes():
    with pytest.raises(ValueError):
        today_wib(datetime(2020, 10, 8, 23, 30))


def test_pinned_today(monkeypatch):
    monkeypatch.setenv("PORTAL_TODAY", "2020-09-25")
    assert today_wib() == date(2020, 9, 25)


def test_closure_across_month_and_year_boundary(regency):
    regency.announce("akhir-tahun", closure="""
        offices: [pusat]
        first_day: 2023-12-30
        days: 4
        reason: Libur akhir tahun.
        instead: Ajukan secara daring.
    """)
    content = load_content(regency.root)
    assert [status(content, "pusat", d) for d in ("2023-12-29", "2023-12-30", "2023-12-31", "2024-01-01",
                                                  "2024-01-02", "2024-01-03")] == [
        OPEN, CLOSED, CLOSED, CLOSED, CLOSED, OPEN]


def test_overlapping_closures_chain_the_reopening_day(regency):
    regency.announce("a", closure="""
        offices: [pusat, utara]
        first_day: 2024-03-01
        last_day: 2024-03-05
        reason: Perbaikan jaringan.
        instead: Ajukan secara daring.
    """)
    regency.announce("b", closure="""
        offices: [pusat]
        first_day: 2024-03-04
        last_day: 2024-03-08
        reason: Pemadaman listrik.
        instead: Ajukan secara daring.
    """)
    regency.announce("c", closure="""
        offices: [pusat]
        first_day: 2024-03-09
        days: 1
        reason: Disinfeksi.
        instead: Ajukan secara daring.
    """)
    content = load_content(regency.root)
    pusat = office_status(content, content.office("pusat"), date(2024, 3, 2))
    assert pusat.status == CLOSED and pusat.reopens == date(2024, 3, 10)  # a, then b, then c back to back
    utara = office_status(content, content.office("utara"), date(2024, 3, 2))
    assert utara.reopens == date(2024, 3, 6)
    assert len(office_status(content, content.office("pusat"), date(2024, 3, 4)).active) == 2


def test_partial_closure_affects_only_its_offices(regency):
    content = load_content(regency.root)  # the fixture closes `utara` 3-5 January 2024
    day = date(2024, 1, 4)
    assert [s.status for s in overview(content, day).offices] == [OPEN, CLOSED, OPEN]
    assert overview(content, day).indicator == "minor"


def test_future_closure_is_upcoming_not_active(regency):
    content = load_content(regency.root)
    before = office_status(content, content.office("utara"), date(2024, 1, 2))
    assert before.status == OPEN and [a.slug for a, _ in before.upcoming] == ["2024-01-02-kantor-utara-tutup"]
    after = office_status(content, content.office("utara"), date(2024, 1, 6))
    assert after.status == OPEN and not after.upcoming and len(after.past) == 1
