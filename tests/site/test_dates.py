"""Indonesian dates: fixed names, no locale, WIB."""

from datetime import UTC, date, datetime, timedelta

import pytest
from portal.dates import (
    DAY_NAMES_ID,
    MONTH_NAMES_ID,
    format_date_id,
    format_datetime_id,
    format_range_id,
)


def test_the_reopening_day_of_the_2020_closure():
    assert format_date_id(date(2020, 10, 9)) == "Jumat, 9 Oktober 2020"


def test_every_weekday_has_its_indonesian_name():
    monday = date(2020, 9, 21)
    names = [format_date_id(monday + timedelta(days=i)).split(",")[0] for i in range(7)]
    assert names == ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
    assert tuple(names) == DAY_NAMES_ID


def test_every_month_has_its_indonesian_name():
    months = [format_date_id(date(2021, m, 1), weekday=False).split(" ")[1] for m in range(1, 13)]
    assert months == [
        "Januari", "Februari", "Maret", "April", "Mei", "Juni",
        "Juli", "Agustus", "September", "Oktober", "November", "Desember",
    ]
    assert tuple(months) == MONTH_NAMES_ID


def test_without_weekday_or_year():
    assert format_date_id(date(2020, 9, 25), weekday=False) == "25 September 2020"
    assert format_date_id(date(2020, 9, 25), year=False) == "Jumat, 25 September"


def test_range_in_one_year_says_the_year_once():
    assert (format_range_id(date(2020, 9, 25), date(2020, 10, 8))
            == "Jumat, 25 September sampai Kamis, 8 Oktober 2020")


def test_range_across_a_year_says_both_years():
    assert (format_range_id(date(2020, 12, 30), date(2021, 1, 2))
            == "Rabu, 30 Desember 2020 sampai Sabtu, 2 Januari 2021")


def test_range_of_one_day_is_that_day():
    assert format_range_id(date(2020, 9, 25), date(2020, 9, 25)) == "Jumat, 25 September 2020"


def test_range_without_weekdays():
    assert (format_range_id(date(2020, 9, 25), date(2020, 10, 8), weekday=False)
            == "25 September sampai 8 Oktober 2020")


def test_range_backwards_is_refused():
    with pytest.raises(ValueError):
        format_range_id(date(2020, 10, 8), date(2020, 9, 25))


def test_moment_is_written_in_wib():
    # 17:30 UTC on Thursday is already Friday in Jakarta.
    moment = datetime(2020, 9, 24, 17, 30, tzinfo=UTC)
    assert format_datetime_id(moment) == "Jumat, 25 September 2020 pukul 00.30 WIB"


def test_naive_moment_is_refused():
    with pytest.raises(ValueError):
        format_datetime_id(datetime(2020, 9, 25, 8, 0))
