"""Time in Western Indonesian Time (WIB, Asia/Jakarta, UTC+7).

Every timestamp the functions store or show is in WIB. Indonesia has not used
daylight saving time since 1964, so a fixed ``+07:00`` offset is exact for every
date this service will see, and it spares the Lambda package a time-zone
database.

Example::

    >>> from chalicelib.clock import now_wib, format_wib
    >>> format_wib(datetime(2020, 9, 28, 3, 15, tzinfo=UTC))
    'Senin, 28 September 2020 pukul 10.15 WIB'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

__all__ = [
    "WIB", "Clock", "now_wib", "to_wib", "isoformat_wib", "parse_iso", "format_wib", "format_wait",
    "format_day",
]

WIB = timezone(timedelta(hours=7), "WIB")
"""Asia/Jakarta: UTC+7 all year round."""

Clock = Callable[[], datetime]
"""A function returning the current aware datetime (injected so tests can freeze time)."""

_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)


def now_wib() -> datetime:
    """Return the current time in WIB, to the second."""
    return datetime.now(UTC).astimezone(WIB).replace(microsecond=0)


def to_wib(moment: datetime) -> datetime:
    """Convert an aware datetime to WIB (a naive one is taken to be WIB already)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=WIB)
    return moment.astimezone(WIB)


def isoformat_wib(moment: datetime) -> str:
    """ISO 8601 in WIB with its offset, e.g. ``2020-09-28T10:15:00+07:00``."""
    return to_wib(moment).replace(microsecond=0).isoformat()


def parse_iso(text: str) -> datetime:
    """Parse a timestamp written by :func:`isoformat_wib` (or any aware ISO string)."""
    return to_wib(datetime.fromisoformat(text))


def format_wib(moment: datetime) -> str:
    """Indonesian wording for a moment, e.g. ``Senin, 28 September 2020 pukul 10.15 WIB``."""
    local = to_wib(moment)
    return (
        f"{_DAYS[local.weekday()]}, {local.day} {_MONTHS[local.month - 1]} {local.year}"
        f" pukul {local.hour:02d}.{local.minute:02d} WIB"
    )


def format_wait(seconds: float) -> str:
    """Indonesian wording for a wait, rounded up: ``30 detik``, ``5 menit``, ``2 jam``.

    Example::

        >>> format_wait(61)
        '2 menit'
    """
    whole = max(1, math.ceil(seconds))
    if whole < 60:
        return f"{whole} detik"
    minutes = math.ceil(whole / 60)
    if minutes < 60:
        return f"{minutes} menit"
    return f"{math.ceil(minutes / 60)} jam"
def format_day(day: date) -> str:
    """Indonesian wording for a day, e.g. ``Jumat, 9 Oktober 2020`` (a datetime is taken in WIB)."""
    if isinstance(day, datetime):
        day = to_wib(day).date()
    return f"{_DAYS[day.weekday()]}, {day.day} {_MONTHS[day.month - 1]} {day.year}"
