"""What templates see: one `SiteView` per build, installed into the theme's Jinja env.

The view computes the status of every office once, for the build day (the
no-JavaScript answer), and the schedule the browser re-evaluates (status.js).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import cached_property
from pathlib import Path

import jinja2
import markdown
from markupsafe import Markup
from mkdocs.utils import get_relative_url

from .content import INTERNAL_LINK, Announcement, Closure, Content, Office
from .dates import format_date_id, format_range_id
from .pages import (
    CONTACT_ALIASES,
    SEARCHABLE_RECENT_ANNOUNCEMENTS,
    GeneratedPage,
    category_slug,
    generated_pages,
    url_for,
)
from .schedule import CLOSED, OfficeStatus, Overview, overview

_markdown_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=False,  # these render markdown source, not HTML  # noqa: S701
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)

OFFICE_HISTORY_LIMIT = 50
OVERRIDES = Path(__file__).resolve().parents[1] / "overrides"  # the theme's custom_dir


class SiteView:
    def __init__(self, content: Content, day: date, now: datetime, *, site_url: str | None, api_url: str) -> None:
        self.content = content
        self.site = content.site
        self.day = day
        self.now = now
        self.site_url = site_url.rstrip("/") + "/" if site_url else None
        self.api_url = api_url
        self._markdown_cache: dict = {}
        self._markdown = markdown.Markdown()  # one instance, reset per text: building one costs more than most texts
        self._assets = None  # portal.assets.AssetBundles, set by the hook (or built on first use)
        self.pages: list[GeneratedPage] = generated_pages(content, self._searchable_slugs())
        for page in self.pages:
            if page.kind == "guide":
                page.body = _markdown_templates.get_template("guide.md").render(guide=page.obj, view=self)

    # ------------------------------------------------------------- status

    @cached_property
    def overview(self) -> Overview:
        return overview(self.content, self.day)

    @cached_property
    def _statuses(self) -> dict[str, OfficeStatus]:
        return {s.office.id: s for s in self.overview.offices}

    def status_of(self, office: Office | str) -> OfficeStatus:
        return self._statuses[office if isinstance(office, str) else office.id]

    def closed_offices(self) -> list[OfficeStatus]:
        return [s for s in self.overview.offices if s.status == CLOSED]

    def office_history(self, office: Office) -> tuple:
        return self.status_of(office).past[:OFFICE_HISTORY_LIMIT]

    def office_names(self, closure: Closure) -> str:
        if closure.all_offices:
            return "Semua kantor"
        return ", ".join(self.content.office(i).name for i in closure.offices)

    @cached_property
    def schedule(self) -> dict:
        """What status.js needs: closures that are active or still to come on the build day."""
        closures = [
            {
                "slug": a.slug,
                "title": a.title,
                "url": url_for("pengumuman", a.slug),
                "offices": "all" if c.all_offices else list(c.offices),
                "first": c.first_day.isoformat(),
                "last": c.last_day.isoformat(),
            }
            for a, c in self.current_closures
        ]
        return {"built": self.day.isoformat(), "offices": len(self.content.offices), "closures": closures}

    @cached_property
    def schedule_json(self) -> str:
        # `</` cannot appear inside the <script> element that carries this.
        return json.dumps(self.schedule, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")

    @cached_property
    def current_closures(self) -> list[tuple[Announcement, Closure]]:
        """Closures active on the build day or still to come, soonest first (computed once per build)."""
        current = [(a, c) for a, c in self.content.closures if c.last_day >= self.day]
        return sorted(current, key=lambda x: (x[1].first_day, x[0].slug))

    def is_current(self, closure: Closure) -> bool:
        return closure.covers(self.day)

    # ------------------------------------------------------------- content helpers

    def url(self, scheme: str, target: str = "") -> str:
        return url_for(scheme, target)

    def category_url(self, name: str) -> str:
        return f"pengumuman/kategori/{category_slug(name)}/"

    def archive_url(self, number: int, category: str | None = None) -> str:
        base = f"pengumuman/kategori/{category_slug(category)}/" if category else "pengumuman/"
        return base if number == 1 else f"{base}halaman-{number}/"

    @property
    def forms(self):
        return self.content.forms

    def guides_for_form(self, form_id: str):
        return [g for g in self.content.guides if g.form == form_id]

    def service_name(self, service_id: str) -> str:
        return self.content.services.get(service_id, service_id)

    def office_services(self, office: Office) -> list[str]:
        return [self.service_name(s) for s in office.services]

    def upcoming_for(self, office: Office) -> tuple:
        return self.status_of(office).upcoming

    def aliases_by_location(self) -> dict[str, list[str]]:
        """Words that find a page in search besides its text: guides' aliases, offices' area names."""
        aliases = {url_for("layanan", g.slug): list(g.aliases) for g in self.content.guides}
        aliases[url_for("kontak")] = list(CONTACT_ALIASES)
        for page in self.pages:
            if page.kind == "office" and page.body:  # an office page without text is not in the index
                office = page.obj
                words = [office.name, office.area_name, *office.villages]
                aliases[url_for("kantor", office.id)] = [w for w in words if w]
        return aliases

    # ------------------------------------------------------------- contacts

    @property
    def hours_unknown(self) -> bool:
        """Some office has no published hours: the site must not say "buka seperti biasa" for it."""
        return any(not o.hours for o in self.content.offices)

    @staticmethod
    def tel_uri(number: str) -> str:
        """`(024) 6921105` -> `tel:0246921105` (also for `sms:`)."""
        return re.sub(r"[^0-9+]", "", number)

    @staticmethod
    def whatsapp_uri(number: str) -> str:
        """`0812-3456-7890` -> `https://wa.me/6281234567890` (international digits, no +)."""
        digits = re.sub(r"\D", "", number)
        if digits.startswith("0"):
            digits = "62" + digits[1:]
        return f"https://wa.me/{digits}"

    def _searchable_slugs(self) -> set[str]:
        recent = {a.slug for a in self.content.announcements[:SEARCHABLE_RECENT_ANNOUNCEMENTS]}
        current = {a.slug for a, c in self.content.closures if c.last_day >= self.day}
        return recent | current

    def asset(self, name: str) -> str:
        """A bundle's site path, e.g. `form.js` -> `assets/form.3f9c0a1b.min.js` (see `portal.assets`).

        For what a template loads itself (form pages): minified, and named by its
        content, so a new build is never served yesterday's script from a cache.
        """
        if self._assets is None:
            from .assets import AssetBundles

            self._assets = AssetBundles(OVERRIDES)
        return self._assets.path(name)

    def categories(self) -> list[str]:
        return sorted({c for a in self.content.announcements for c in a.categories})

    def inline_markdown(self, text: str, page=None) -> Markup:
        """Render a short markdown text (front matter values), resolving internal links for `page`."""
        key = (text, page.url if page is not None else None)
        if key not in self._markdown_cache:
            base = page.url if page is not None else ""

            def link(match: re.Match) -> str:
                target = url_for(match.group(1), match.group(2).strip("/"))
                return f"]({get_relative_url(target, base)}{match.group(3) or ''})"

            html = self._markdown.reset().convert(INTERNAL_LINK.sub(link, text))
            # A single paragraph reads better inline (inside <dd>, footers).
            if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
                html = html[3:-4]
            self._markdown_cache[key] = Markup(html)  # noqa: S704 - content is trusted staff markdown
        return self._markdown_cache[key]

    # ------------------------------------------------------------- data files

    def data_files(self) -> dict[str, str | bytes]:
        from . import outputs

        files: dict[str, str | bytes] = {}
        events: dict = {}  # each closure's VEVENT, serialised once for all calendars
        files["status.json"] = json.dumps(
            outputs.status_json(self.content, self.day, self.now, self.site_url), ensure_ascii=False, indent=1
        )
        files["feed.xml"] = outputs.atom_feed(
            self.content, self.content.announcements, title=f"Pengumuman {self.site.office_short_name}",
            feed_url="feed.xml", site_url=self.site_url, now=self.now,
        )
        files["penutupan.ics"] = outputs.closures_ics(
            self.content, self.content.closures, calendar_name=f"Penutupan layanan {self.site.office_short_name}",
            site_url=self.site_url, now=self.now, event_cache=events,
        )
        for office in self.content.offices:
            mine = [(a, c) for a, c in self.content.closures if office.id in c.offices]
            announcements = [a for a, _ in mine]
            files[f"kantor/{office.id}/feed.xml"] = outputs.atom_feed(
                self.content, announcements, title=f"Pengumuman {office.name}",
                feed_url=f"kantor/{office.id}/feed.xml", site_url=self.site_url, now=self.now,
                alternate_path=url_for("kantor", office.id),
            )
            files[f"kantor/{office.id}/penutupan.ics"] = outputs.closures_ics(
                self.content, mine, calendar_name=f"Penutupan {office.name}", site_url=self.site_url, now=self.now,
                event_cache=events,
            )
        return files


def install(env: jinja2.Environment, view: SiteView) -> None:
    env.globals["portal"] = view
    env.filters["tanggal"] = format_date_id
    env.filters["rentang"] = lambda closure: format_range_id(closure.first_day, closure.last_day)
    env.filters["iso"] = lambda d: d.isoformat()


__all__ = ["SiteView", "install", "Announcement"]
