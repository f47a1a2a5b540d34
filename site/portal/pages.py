"""Which pages the site has, made from content: one place maps content to URLs.

The MkDocs hook turns each `GeneratedPage` into a `File`; templates and link
rewriting ask this module for URLs, so a URL is spelled once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .content import RESERVED_FORM_IDS, Content

ARCHIVE_PAGE_SIZE = 20
# Announcements the search index keeps (besides active and upcoming closures):
# thousands of old notices would make every visitor download a huge index.
SEARCHABLE_RECENT_ANNOUNCEMENTS = 10
# Pages under formulir/ that are not forms: the receipt shown after sending and
# the status check. A form cannot take one of these ids.
RECEIPT_PAGE, STATUS_PAGE = RESERVED_FORM_IDS  # content checks that no form takes them


@dataclass
class GeneratedPage:
    src_uri: str
    kind: str  # home, offices, office, archive, announcement, category, guides, guide, forms, form,
    #            receipt, status-check
    title: str
    body: str = ""  # markdown, rendered by MkDocs
    obj: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    searchable: bool = True


def url_for(scheme: str, target: str = "") -> str:
    """Site-relative URL (no leading slash) for an internal link scheme."""
    section = {"kantor": "kantor", "layanan": "layanan", "formulir": "formulir", "pengumuman": "pengumuman"}[scheme]
    return f"{section}/{target}/" if target else f"{section}/"


def category_slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "lainnya"


def archive_src(page_number: int, category: str | None = None) -> str:
    base = f"pengumuman/kategori/{category_slug(category)}" if category else "pengumuman"
    return f"{base}/index.md" if page_number == 1 else f"{base}/halaman-{page_number}.md"


def generated_pages(content: Content, searchable_slugs: set[str]) -> list[GeneratedPage]:
    pages = [
        GeneratedPage("index.md", "home", "Beranda"),
        GeneratedPage("kantor/index.md", "offices", "Status kantor"),
        GeneratedPage("layanan/index.md", "guides", "Persyaratan layanan"),
        GeneratedPage("formulir/index.md", "forms", "Ajukan permohonan daring"),
    ]
    pages += [GeneratedPage(f"kantor/{o.id}.md", "office", o.name, obj=o) for o in content.offices]
    pages += [GeneratedPage(f"layanan/{g.slug}.md", "guide", g.title, body=g.body, obj=g) for g in content.guides]
    pages += [GeneratedPage(f"formulir/{f.id}.md", "form", f.title, obj=f) for f in content.forms]
    pages += [
        GeneratedPage(f"formulir/{RECEIPT_PAGE}.md", "receipt", "Permohonan terkirim", searchable=False),
        GeneratedPage(f"formulir/{STATUS_PAGE}.md", "status-check", "Cek status permohonan"),
    ]
    pages += [
        GeneratedPage(f"pengumuman/{a.slug}.md", "announcement", a.title, body=a.body, obj=a,
                      searchable=a.slug in searchable_slugs)
        for a in content.announcements
    ]
    pages += _archive_pages(content.announcements, None)
    categories = sorted({c for a in content.announcements for c in a.categories})
    for category in categories:
        pages += _archive_pages([a for a in content.announcements if category in a.categories], category)
    return pages


def _archive_pages(announcements: list, category: str | None) -> list[GeneratedPage]:
    total = max(1, -(-len(announcements) // ARCHIVE_PAGE_SIZE))
    title = f"Pengumuman: {category}" if category else "Pengumuman"
    pages = []
    for number in range(1, total + 1):
        chunk = announcements[(number - 1) * ARCHIVE_PAGE_SIZE : number * ARCHIVE_PAGE_SIZE]
        pages.append(
            GeneratedPage(
                archive_src(number, category),
                "archive",
                title if number == 1 else f"{title} (halaman {number})",
                obj=chunk,
                extra={"category": category, "page_number": number, "page_count": total},
                searchable=False,
            )
        )
    return pages
