"""Machine-readable outputs: `status.json`, Atom feeds and iCalendar files of closures.

Pure functions: content and a day in, a document out. Nothing here imports
MkDocs; the build decides where each document is written.

    doc = status_json(content, today_wib(now), now, site_url)   # dict, json.dumps it
    xml = atom_feed(content, content.announcements, title="Pengumuman",
                    feed_url="feed.xml", site_url=site_url, now=now)
    ics = closures_ics(content, content.closures, calendar_name="Penutupan layanan",
                       site_url=site_url, now=now)

Time: every closure is a run of whole WIB days. A closure from 25 Sep 2020 for
14 days starts at 2020-09-25T00:00:00+07:00 and ends (exclusive) at
2020-10-09T00:00:00+07:00, the moment the office opens again.

URLs: `site_url` is the public address of the built site
(e.g. "https://layanan.example.go.id/"). Without it, documents carry links
relative to where they are written (status.json at the site root, a feed at its
own path), ids fall back to `tag:` URIs, and the calendar leaves out URLs
(RFC 5545 wants absolute ones).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

from feedgen.feed import FeedGenerator
from icalendar import Calendar, Event, Timezone, TimezoneStandard, vDuration

from .content import Announcement, Closure, Content, Site
from .dates import WIB, format_date_id, format_range_id
from .pages import url_for
from .schedule import COMPONENT_STATUS, OfficeStatus, overview

SCHEMA_VERSION = "1.0"
FEED_LIMIT = 50
REFRESH = timedelta(hours=6)
TAG_YEAR = "2020"  # tagging date of feed ids: the year the portal started
PRODID = "-//dukcapil-portal//Portal Layanan Dukcapil//ID"
KIND_LABELS = {"dinas": "Kantor dinas", "kecamatan": "Loket layanan kecamatan"}
STATUS_DESCRIPTIONS = {"none": "Semua kantor buka", "major": "Semua kantor tutup"}

Resolve = Callable[[str], "str | None"]
Pair = tuple[Announcement, Closure]

# --------------------------------------------------------------------------- URLs


def absolute_url(site_url: str | None, path: str) -> str | None:
    """`path` under `site_url`, or None without a site URL."""
    if not site_url:
        return None
    return urljoin(site_url.rstrip("/") + "/", path)


def authority(content: Content, site_url: str | None) -> str:
    """The name that makes ids unique: the site's host, else "<regency>.dukcapil-portal".

    Used for Atom `tag:` ids and iCalendar UIDs, so both stay the same in every
    feed and calendar of one site.
    """
    host = urlsplit(site_url).hostname if site_url else None
    return host or f"{_slugify(content.site.regency)}.dukcapil-portal"


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "portal"


def _relative_to(doc_path: str) -> Resolve:
    """Resolve site paths relative to a document written at `doc_path`."""
    folder = posixpath.dirname(doc_path) or "."

    def resolve(path: str) -> str:
        rel = posixpath.relpath(path.rstrip("/") or ".", folder)
        return rel + "/" if not path or path.endswith("/") else rel

    return resolve


# --------------------------------------------------------------------------- text

_LINK = re.compile(r"\[([^\]]+)\]\(\s*([^)\s]+)\s*\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_INTERNAL = re.compile(r"^(kantor|layanan|formulir|pengumuman):([^#]*)(#.*)?$")
_EMPHASIS = re.compile(r"(\*\*|__|`|\*(?=\S))(.+?)\1")


def plain_text(markdown: str, resolve: Resolve) -> str:
    """Markdown as plain text: emphasis dropped, links written "teks (URL)".

    Internal links (`formulir:ktp-el-baru`) become site pages through `resolve`;
    a link `resolve` cannot place (None) keeps only its text.
    """

    def link(match: re.Match[str]) -> str:
        text, target = match.group(1), match.group(2)
        internal = _INTERNAL.match(target)
        if internal:
            url = resolve(url_for(internal.group(1), internal.group(2).strip("/")))
            url = url + (internal.group(3) or "") if url else None
        elif urlsplit(target).scheme in {"http", "https", "mailto", "tel"}:
            url = target
        else:
            url = None
        return f"{text} ({url})" if url and url != text else text

    text = _AUTOLINK.sub(r"\1", _EMPHASIS.sub(r"\2", markdown))
    text = _LINK.sub(link, text)
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


def _first_paragraph(body: str) -> str:
    for block in re.split(r"\n\s*\n", body.strip()):
        if block.strip() and not block.lstrip().startswith(("#", "!", "<", "---")):
            return block
    return ""


def offices_label(content: Content, closure: Closure) -> str:
    """ "Semua kantor" or the office names: "Kecamatan Getasan dan Kecamatan Tengaran"."""
    if closure.all_offices:
        return "Semua kantor"
    names = [content.office(o).name for o in closure.offices]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " dan " + names[-1]


def _range(closure: Closure) -> str:
    return format_range_id(closure.first_day, closure.last_day)


def contact_text(site: Site) -> str:
    """Contact details, always in this order and wording; empty when none are known."""
    parts = [
        f"{label} {value}"
        for label, value in (("Telepon", " atau ".join(site.phones)), ("WhatsApp", site.whatsapp),
                             ("SMS", site.sms), ("Email", site.email), ("Situs", site.website))
        if value
    ]
    return "Kontak " + site.office_short_name + ": " + ", ".join(parts) + "." if parts else ""


def closure_notice(content: Content, closure: Closure, resolve: Resolve) -> str:
    """A closure as plain text, GOV.UK "service unavailable" order.

    What is closed and when, the day it reopens, why, what to do instead,
    then how to reach the office.
    """
    lines = [
        f"{offices_label(content, closure)} tutup {_range(closure)}.",
        f"Buka kembali {format_date_id(closure.reopens)}.",
        f"Alasan: {plain_text(closure.reason, resolve)}",
        f"Sebagai gantinya: {plain_text(closure.instead, resolve)}",
    ]
    contact = contact_text(content.site)
    return "\n\n".join([*lines, contact] if contact else lines)


# --------------------------------------------------------------------------- time


def midnight_wib(day: date) -> datetime:
    """00:00 WIB at the start of `day`."""
    return datetime.combine(day, time(), WIB)


def iso_wib(moment: datetime) -> str:
    """ISO 8601 in WIB, to the second: "2020-09-25T00:00:00+07:00"."""
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return moment.astimezone(WIB).isoformat(timespec="seconds")


def _last_change(pairs: Iterable[Pair], day: date) -> date | None:
    """The latest day, up to `day`, on which one of these closures was announced, began or ended."""
    days = [d for a, c in pairs for d in (a.date, c.first_day, c.reopens) if d <= day]
    return max(days, default=None)


# --------------------------------------------------------------------------- status.json


def status_json(content: Content, day: date, now: datetime,
                site_url: str | None = None) -> dict[str, Any]:
    """The status of every office on `day`, in the shape of Statuspage's `summary.json` (v2).

    Parameters:
        content: loaded content.
        day: the WIB day to describe (usually `today_wib(now)`).
        now: when the document is made (timezone-aware); written as `generated_at`.
        site_url: public address of the site, or None for links relative to the
            site root (where status.json is written).

    Active closures are `incidents` (status "identified"), closures that have
    not begun are `scheduled_maintenances` (status "scheduled"); see
    docs/status-json.md and `status_schema()`.
    """
    generated_at = iso_wib(now)
    view = overview(content, day)

    def resolve(path: str) -> str:
        return absolute_url(site_url, path) or path or "./"

    page_id = _slugify(content.site.regency)
    components = [
        _component(status, position, page_id, resolve, day, generated_at)
        for position, status in enumerate(view.offices, start=1)
    ]
    by_id = {c["id"]: c for c in components}
    closed = len(view.closed)
    last = _last_change(content.closures, day)
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": generated_at,
        "date": day.isoformat(),
        "valid_until": iso_wib(midnight_wib(day + timedelta(days=1))),
        "page": {
            "id": page_id,
            "name": content.site.office_short_name,
            "url": resolve(""),
            "time_zone": "Asia/Jakarta",
            "updated_at": iso_wib(midnight_wib(last)) if last else generated_at,
        },
        "status": {
            "indicator": view.indicator,
            "description": STATUS_DESCRIPTIONS.get(
                view.indicator, f"{closed} dari {len(view.offices)} kantor tutup"
            ),
        },
        "components": components,
        "incidents": [
            _incident(content, pair, page_id, resolve, by_id, active=True)
            for pair in sorted(view.active, key=lambda p: (p[1].first_day, p[0].slug), reverse=True)
        ],
        "scheduled_maintenances": [
            _incident(content, pair, page_id, resolve, by_id, active=False)
            for pair in view.upcoming
        ],
    }


def _component(status: OfficeStatus, position: int, page_id: str, resolve: Resolve,
               day: date, generated_at: str) -> dict[str, Any]:
    office = status.office
    reopens = status.reopens
    last = _last_change((*status.active, *status.past, *status.upcoming), day)
    return {
        "id": office.id,
        "name": office.name,
        "status": COMPONENT_STATUS[status.status],
        "description": KIND_LABELS.get(office.kind, office.kind),
        "position": position,
        "group": False,
        "group_id": None,
        "only_show_if_degraded": False,
        "showcase": True,
        "page_id": page_id,
        "updated_at": iso_wib(midnight_wib(last)) if last else generated_at,
        "kind": office.kind,
        "url": resolve(url_for("kantor", office.id)),
        "closed_until": (reopens - timedelta(days=1)).isoformat() if reopens else None,
        "reopens_on": reopens.isoformat() if reopens else None,
        "active_closures": [a.slug for a, _ in status.active],
        "upcoming_closures": [a.slug for a, _ in status.upcoming],
    }


def _incident(content: Content, pair: Pair, page_id: str, resolve: Resolve,
              components: dict[str, dict[str, Any]], *, active: bool) -> dict[str, Any]:
    """One closure as a Statuspage incident (`active`) or scheduled maintenance (not begun)."""
    announcement, closure = pair
    created = iso_wib(midnight_wib(announcement.date))
    starts, ends = iso_wib(midnight_wib(closure.first_day)), iso_wib(midnight_wib(closure.reopens))
    status = "identified" if active else "scheduled"
    url = resolve(url_for("pengumuman", announcement.slug))
    every = len(closure.offices) == len(components)
    record: dict[str, Any] = {
        "id": announcement.slug,
        "name": announcement.title,
        "status": status,
        "impact": ("major" if every else "minor") if active else "maintenance",
        "created_at": created,
        "updated_at": max(created, starts) if active else created,
        "started_at": starts,
        "monitoring_at": None,
        "resolved_at": None,
        "shortlink": url,
        "page_id": page_id,
        "incident_updates": [{
            "id": f"{announcement.slug}-1",
            "status": status,
            "body": closure_notice(content, closure, resolve),
            "incident_id": announcement.slug,
            "created_at": created,
            "updated_at": created,
            "display_at": created,
            "affected_components": [
                {"code": o, "name": components[o]["name"],
                 "old_status": "operational", "new_status": "major_outage"}
                for o in closure.offices
            ],
        }],
        "components": [components[o] for o in closure.offices],
        "closure": {
            "first_day": closure.first_day.isoformat(),
            "last_day": closure.last_day.isoformat(),
            "reopens_on": closure.reopens.isoformat(),
            "days": closure.days,
            "all_offices": closure.all_offices,
            "offices": list(closure.offices),
            "reason": plain_text(closure.reason, resolve),
            "instead": plain_text(closure.instead, resolve),
            "url": url,
        },
    }
    if not active:
        record |= {"scheduled_for": starts, "scheduled_until": ends}
    return record



# --------------------------------------------------------------------------- Atom


def atom_feed(content: Content, announcements: Sequence[Announcement], *, title: str,
              feed_url: str, site_url: str | None, now: datetime,
              alternate_path: str = "") -> bytes:
    """An Atom feed of the newest `FEED_LIMIT` announcements, newest first.

    Parameters:
        announcements: all of them, or one office's; sorted here by date then slug.
        title: the feed's title.
        feed_url: where the feed is written, as a site-relative path
            ("feed.xml", "kantor/getasan/feed.xml") or an absolute URL under `site_url`.
        site_url: public address of the site; without it links are relative to
            the feed's own location and ids are `tag:` URIs anyway.
        now: timezone-aware; the feed's `updated` when there are no entries.
        alternate_path: the HTML page this feed follows (site-relative; "" is home).

    Entry ids are `tag:<authority>,<date>:pengumuman/<slug>`: they survive a move
    from http to https and match between the global feed and an office's.
    """
    iso_wib(now)  # refuse a naive `now` early
    feed_path = _site_path(feed_url, site_url)
    relative = _relative_to(feed_path)

    def resolve(path: str) -> str:
        return absolute_url(site_url, path) or relative(path)

    tag = authority(content, site_url)
    fg = FeedGenerator()
    fg.id(absolute_url(site_url, feed_path) or f"tag:{tag},{TAG_YEAR}:{feed_path}")
    fg.title(title)
    fg.language("id")
    fg.author(name=content.site.office_name)
    fg.link(href=resolve(feed_path), rel="self", type="application/atom+xml")
    fg.link(href=resolve(alternate_path), rel="alternate", type="text/html")
    entries = sorted(announcements, key=lambda a: (a.date, a.slug), reverse=True)[:FEED_LIMIT]
    fg.updated(midnight_wib(entries[0].date) if entries else now.astimezone(WIB))
    for announcement in entries:
        entry = fg.add_entry(order="append")
        path = url_for("pengumuman", announcement.slug)
        entry.id(f"tag:{tag},{announcement.date.isoformat()}:{path}")
        entry.title(announcement.title)
        entry.published(midnight_wib(announcement.date))
        entry.updated(midnight_wib(announcement.date))
        entry.link(href=resolve(path), rel="alternate", type="text/html")
        entry.summary(_entry_summary(content, announcement, resolve))
        for category in announcement.categories:
            entry.category(term=category, label=category)
    return fg.atom_str(pretty=True)


def _site_path(url_or_path: str, site_url: str | None) -> str:
    """A feed location as a path relative to the site root."""
    if not urlsplit(url_or_path).scheme:
        return url_or_path.lstrip("/")
    base = (site_url or "").rstrip("/") + "/"
    if not site_url or not url_or_path.startswith(base):
        raise ValueError(f"feed_url {url_or_path!r} is not under site_url {site_url!r}")
    return url_or_path[len(base):]


def _entry_summary(content: Content, announcement: Announcement, resolve: Resolve) -> str:
    summary = plain_text(announcement.summary or _first_paragraph(announcement.body), resolve)
    closure = announcement.closure
    if closure is None:
        return summary
    when = (f"{offices_label(content, closure)} tutup {_range(closure)}; "
            f"buka kembali {format_date_id(closure.reopens)}.")
    return f"{summary}\n\n{when}" if summary else when


# --------------------------------------------------------------------------- iCalendar


def closures_ics(content: Content, closures: Iterable[Pair], *, calendar_name: str,
                 site_url: str | None, now: datetime, event_cache: dict | None = None) -> bytes:
    """An RFC 5545 calendar with one all-day event per closure, to subscribe to.

    Parameters:
        closures: (announcement, closure) pairs: `content.closures`, or
            `schedule.closures_for(content, office_id)` for one office's calendar.
        calendar_name: shown by calendar apps (X-WR-CALNAME and NAME).
        site_url: public address of the site; without it events carry no URL.
        now: timezone-aware; written as every event's DTSTAMP.
        event_cache: a dict shared by the calls of one build, so each event is
            serialised once although it appears in several calendars.

    DTEND is exclusive: a closure whose last day is 8 Oct ends on 9 Oct. The UID
    is `<slug>@<authority>`, the same in the global and every office calendar.
    """
    iso_wib(now)  # refuse a naive `now`
    stamp = now.astimezone(UTC).replace(microsecond=0)

    def resolve(path: str) -> str | None:
        return absolute_url(site_url, path)

    uid_host = authority(content, site_url)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", calendar_name)
    cal.add("name", calendar_name)
    cal.add("x-wr-timezone", "Asia/Jakarta")
    cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    cal.add_component(_wib_timezone())
    events = b"".join(
        _event_ical(content, announcement, closure, uid_host, stamp, resolve, event_cache)
        for announcement, closure in sorted(closures, key=lambda p: (p[1].first_day, p[0].slug))
    )
    calendar = cal.to_ical()
    end = calendar.rindex(b"END:VCALENDAR")
    return calendar[:end] + events + calendar[end:]


def _event_ical(content: Content, announcement: Announcement, closure: Closure, uid_host: str,
                stamp: datetime, resolve: Callable[[str], str | None], cache: dict | None) -> bytes:
    """One VEVENT, serialised once per build: every office calendar repeats the same events."""
    key = (announcement.slug, uid_host, stamp, resolve("") or "")
    if cache is not None and key in cache:
        return cache[key]
    event = Event()
    event.add("uid", f"{announcement.slug}@{uid_host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", closure.first_day)
    event.add("dtend", closure.reopens)
    event.add("summary", f"Tutup: {offices_label(content, closure)}")
    url = resolve(url_for("pengumuman", announcement.slug))
    notice = closure_notice(content, closure, resolve)
    event.add("description", f"{notice}\n\nPengumuman: {url}" if url else notice)
    if url:
        event.add("url", url)
    event.add("categories", list(announcement.categories))
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    data = event.to_ical()
    if cache is not None:
        cache[key] = data
    return data


def _wib_timezone() -> Timezone:
    """VTIMEZONE for Asia/Jakarta (UTC+7, no daylight saving since 1964).

    Events are all-day dates and do not refer to it; it backs X-WR-TIMEZONE and
    keeps a calendar with no closures valid (RFC 5545 wants one component).
    """
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 1, 1))
    standard.add("tzoffsetfrom", timedelta(hours=7))
    standard.add("tzoffsetto", timedelta(hours=7))
    standard.add("tzname", "WIB")
    zone = Timezone()
    zone.add("tzid", "Asia/Jakarta")
    zone.add_component(standard)
    return zone


# --------------------------------------------------------------------------- status.json schema


def status_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of `status_json`'s document.

    Committed as site/schemas/status.schema.json (a test keeps the two equal);
    every field is explained in docs/status-json.md.
    """
    moment, day, url = ({"$ref": f"#/$defs/{name}"} for name in ("datetime", "day", "url"))
    slugs = {"type": "array", "items": {"type": "string"}, "uniqueItems": True}
    office_status = {"enum": ["operational", "major_outage"]}

    def obj(properties: dict[str, Any], description: str) -> dict[str, Any]:
        return {"type": "object", "description": description, "properties": properties,
                "required": list(properties), "additionalProperties": False}

    def nullable(schema: dict[str, Any]) -> dict[str, Any]:
        return {"anyOf": [schema, {"type": "null"}]}

    component = obj({
        "id": {"type": "string", "description": "Office id from offices.yml."},
        "name": {"type": "string"},
        "status": office_status,
        "description": {"type": "string", "description": "Kind of office, in Indonesian."},
        "position": {"type": "integer", "minimum": 1},
        "group": {"const": False},
        "group_id": {"type": "null"},
        "only_show_if_degraded": {"const": False},
        "showcase": {"const": True},
        "page_id": {"type": "string"},
        "updated_at": moment,
        "kind": {"type": "string", "description": "Office kind from offices.yml."},
        "url": url,
        "closed_until": nullable(day),
        "reopens_on": nullable(day),
        "active_closures": slugs,
        "upcoming_closures": slugs,
    }, "One office, as a Statuspage component, with portal extras.")
    affected = obj({
        "code": {"type": "string"},
        "name": {"type": "string"},
        "old_status": {"const": "operational"},
        "new_status": {"const": "major_outage"},
    }, "An office the closure closes.")
    closure = obj({
        "first_day": day,
        "last_day": day,
        "reopens_on": day,
        "days": {"type": "integer", "minimum": 1},
        "all_offices": {"type": "boolean"},
        "offices": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "reason": {"type": "string"},
        "instead": {"type": "string"},
        "url": url,
    }, "The closure itself, in whole WIB days (last_day inclusive).")

    def incident(status: str, impact: list[str], extra: dict[str, Any],
                 what: str) -> dict[str, Any]:
        update = obj({
            "id": {"type": "string"},
            "status": {"const": status},
            "body": {"type": "string"},
            "incident_id": {"type": "string"},
            "created_at": moment,
            "updated_at": moment,
            "display_at": moment,
            "affected_components": {"type": "array", "items": affected, "minItems": 1},
        }, "The announcement, as plain Indonesian text.")
        return obj({
            "id": {"type": "string", "description": "Announcement slug."},
            "name": {"type": "string", "description": "Announcement title."},
            "status": {"const": status},
            "impact": {"enum": impact},
            "created_at": moment,
            "updated_at": moment,
            "started_at": moment,
            "monitoring_at": {"type": "null"},
            "resolved_at": {"type": "null"},
            "shortlink": url,
            "page_id": {"type": "string"},
            "incident_updates": {"type": "array", "items": update, "minItems": 1, "maxItems": 1},
            "components": {"type": "array", "items": {"$ref": "#/$defs/component"}, "minItems": 1},
            "closure": {"$ref": "#/$defs/closure"},
            **extra,
        }, what)

    document = obj({
        "schema_version": {"const": SCHEMA_VERSION},
        "generated_at": moment,
        "date": day,
        "valid_until": moment,
        "page": obj({
            "id": {"type": "string"},
            "name": {"type": "string"},
            "url": url,
            "time_zone": {"const": "Asia/Jakarta"},
            "updated_at": moment,
        }, "The portal."),
        "status": obj({
            "indicator": {"enum": ["none", "minor", "major"]},
            "description": {"type": "string"},
        }, "All offices at once: none open-all, minor some closed, major all closed."),
        "components": {"type": "array", "items": {"$ref": "#/$defs/component"}},
        "incidents": {"type": "array", "items": {"$ref": "#/$defs/incident"}},
        "scheduled_maintenances": {"type": "array", "items": {"$ref": "#/$defs/maintenance"}},
    }, "Which civil-registration offices are open on one WIB day, with active and upcoming "
       "closures, in the shape of Statuspage's summary.json (v2).")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Office status (status.json)",
        **document,
        "$defs": {
            "datetime": {"type": "string", "format": "date-time",
                         "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$",
                         "description": "ISO 8601 in WIB, always with the +07:00 offset."},
            "day": {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$",
                    "description": "A calendar day in WIB (Asia/Jakarta)."},
            "url": {"type": "string", "format": "uri-reference",
                    "description": "Absolute with site_url set, else relative to the site root."},
            "component": component,
            "closure": closure,
            "incident": incident("identified", ["minor", "major"], {},
                                 "A closure in force on `date`."),
            "maintenance": incident("scheduled", ["maintenance"],
                                    {"scheduled_for": moment, "scheduled_until": moment},
                                    "A closure that begins after `date`."),
        },
    }


def status_schema_text() -> str:
    """The schema as committed in site/schemas/status.schema.json."""
    return json.dumps(status_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # python -m portal.outputs > site/schemas/status.schema.json
    print(status_schema_text(), end="")
