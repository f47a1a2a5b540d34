"""Dates written the Indonesian way, in one place: "Jumat, 9 Oktober 2020".

Names are fixed tables, not the system locale: a build machine without the
`id_ID` locale must write the same pages, feeds and calendars as any other.
Everything here is a WIB calendar day; `format_datetime_id` converts to WIB.

Example:
    >>> format_date_id(date(2020, 10, 9))
    'Jumat, 9 Oktober 2020'
    >>> format_range_id(date(2020, 9, 25), date(2020, 10, 8))
    'Jumat, 25 September sampai Kamis, 8 Oktober 2020'
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")

# date.weekday(): Monday is 0.
DAY_NAMES_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTH_NAMES_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)


def format_date_id(day: date, *, weekday: bool = True, year: bool = True) -> str:
    """Write a day as "Jumat, 9 Oktober 2020" (or "9 Oktober 2020" with `weekday=False`).

    Parameters:
        day: the calendar day (a `datetime` is read as its date, unconverted).
        weekday: start with the day's name.
        year: end with the year.
    """
    text = f"{day.day} {MONTH_NAMES_ID[day.month - 1]}"
    if year:
        text += f" {day.year}"
    return f"{DAY_NAMES_ID[day.weekday()]}, {text}" if weekday else text


def format_range_id(first: date, last: date, *, weekday: bool = True) -> str:
    """Write an inclusive range of days, saying the year once when both share it.

    "Jumat, 25 September sampai Kamis, 8 Oktober 2020"; one day is written as
    that day; across a year boundary both years are written.

    Raises:
        ValueError: `last` is before `first`.
    """
    if last < first:
        raise ValueError(f"last ({last}) is before first ({first})")
    if first == last:
        return format_date_id(first, weekday=weekday)
    start = format_date_id(first, weekday=weekday, year=first.year != last.year)
    return f"{start} sampai {format_date_id(last, weekday=weekday)}"


def format_datetime_id(moment: datetime) -> str:
    """Write a moment in WIB: "Jumat, 25 September 2020 pukul 14.30 WIB".

    Raises:
        ValueError: `moment` has no time zone.
    """
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    local = moment.astimezone(WIB)
    return f"{format_date_id(local.date())} pukul {local:%H.%M} WIB"
