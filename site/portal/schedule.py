"""Which offices are closed on a given day, in Asia/Jakarta (WIB).

All closures are whole days in WIB: a closure from 25 Sep for 14 days covers
25 Sep through 8 Oct inclusive, and the office is open again on 9 Oct from
00:00 WIB. The browser repeats this evaluation (assets/status.js) from the
schedule embedded in every page, so a page read days after the build still
tells the truth.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .content import Announcement, Closure, Content, Office

WIB = ZoneInfo("Asia/Jakarta")

OPEN, CLOSED = "open", "closed"
# Statuspage component and page indicators, so status clients can read ours.
COMPONENT_STATUS = {OPEN: "operational", CLOSED: "major_outage"}


def today_wib(now: datetime | None = None) -> date:
    """Today's date in WIB. PORTAL_TODAY=YYYY-MM-DD pins it (tests, previews of a future day)."""
    pinned = os.environ.get("PORTAL_TODAY")
    if now is None and pinned:
        return date.fromisoformat(pinned)
    now = now or datetime.now(WIB)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(WIB).date()


@dataclass(frozen=True)
class OfficeStatus:
    office: Office
    status: str  # OPEN or CLOSED
    active: tuple[tuple[Announcement, Closure], ...]  # closures covering today
    upcoming: tuple[tuple[Announcement, Closure], ...]  # starting after today, soonest first
    past: tuple[tuple[Announcement, Closure], ...]  # ended before today, newest first

    @property
    def reopens(self) -> date | None:
        """The first day the office is open again, with overlapping closures chained."""
        if not self.active:
            return None
        day = max(c.last_day for _, c in self.active)
        chained = True
        while chained:
            chained = False
            for _, closure in self.upcoming:
                if closure.first_day <= day + _ONE_DAY and closure.last_day > day:
                    day, chained = closure.last_day, True
        return day + _ONE_DAY


from datetime import timedelta  # noqa: E402

_ONE_DAY = timedelta(days=1)


def closures_for(content: Content, office_id: str) -> list[tuple[Announcement, Closure]]:
    return [(a, c) for a, c in content.closures if office_id in c.offices]


def office_status(content: Content, office: Office, day: date) -> OfficeStatus:
    mine = closures_for(content, office.id)
    active = tuple(x for x in mine if x[1].covers(day))
    upcoming = tuple(sorted((x for x in mine if x[1].first_day > day), key=lambda x: x[1].first_day))
    past = tuple(sorted((x for x in mine if x[1].last_day < day), key=lambda x: x[1].last_day, reverse=True))
    return OfficeStatus(office, CLOSED if active else OPEN, active, upcoming, past)


@dataclass(frozen=True)
class Overview:
    day: date
    offices: tuple[OfficeStatus, ...]
    active: tuple[tuple[Announcement, Closure], ...]
    upcoming: tuple[tuple[Announcement, Closure], ...]

    @property
    def closed(self) -> tuple[OfficeStatus, ...]:
        return tuple(s for s in self.offices if s.status == CLOSED)

    @property
    def indicator(self) -> str:
        """Statuspage's page indicator: none, minor (some closed), major (all closed)."""
        closed = len(self.closed)
        if closed == 0:
            return "none"
        return "major" if closed == len(self.offices) else "minor"


def overview(content: Content, day: date) -> Overview:
    statuses = tuple(office_status(content, o, day) for o in content.offices)
    active = tuple((a, c) for a, c in content.closures if c.covers(day))
    upcoming = tuple(sorted(((a, c) for a, c in content.closures if c.first_day > day),
                            key=lambda x: x[1].first_day))
    return Overview(day, statuses, active, upcoming)
