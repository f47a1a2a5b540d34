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
# The contact page's text (its contacts come from site.yml through the template);
# with these words search finds the page.
CONTACT_LEAD = ("Cara menghubungi kantor lewat telepon, SMS, WhatsApp atau email, dan alamat serta jam "
                "layanan, untuk pertanyaan tentang persyaratan atau permohonan Anda.\n")
CONTACT_ALIASES = ("kontak", "hubungi", "nomor telepon", "telepon kantor", "nomor HP", "WA", "WhatsApp", "SMS",
                   "email", "surel", "alamat kantor", "jam buka", "jam kerja", "pengaduan", "call center")


@dataclass
class GeneratedPage:
    src_uri: str
    kind: str  # home, offices, office, archive, announcement, category, guides, guide, forms, form,
    #            receipt, status-check, contact, open-data
    title: str
    body: str = ""  # markdown, rendered by MkDocs
    obj: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    searchable: bool = True


def url_for(scheme: str, target: str = "") -> str:
    """Site-relative URL (no leading slash) for an internal link scheme."""
    section = {"kantor": "kantor", "layanan": "layanan", "formulir": "formulir", "pengumuman": "pengumuman",
               "kontak": "kontak", "data": "data-terbuka"}[scheme]
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
    pages += [GeneratedPage(f"kantor/{o.id}.md", "office", o.name, body=_office_body(o), obj=o)
              for o in content.offices]
    pages += [GeneratedPage(f"layanan/{g.slug}.md", "guide", g.title, body=g.body, obj=g) for g in content.guides]
    pages += [GeneratedPage(f"formulir/{f.id}.md", "form", f.title, obj=f) for f in content.forms]
    pages += [
        GeneratedPage(f"formulir/{RECEIPT_PAGE}.md", "receipt", "Permohonan terkirim", searchable=False),
        GeneratedPage(f"formulir/{STATUS_PAGE}.md", "status-check", "Cek status permohonan"),
        GeneratedPage("kontak/index.md", "contact", "Hubungi kantor", body=CONTACT_LEAD),
        # Feeds, calendars, status.json and area codes, for apps and the press.
        GeneratedPage("data-terbuka/index.md", "open-data", "Data terbuka", searchable=False),
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


def _office_body(office) -> str:
    """The area an office serves, by name: residents know their village, and search finds it."""
    if office.villages:
        names = ", ".join(office.villages)
        return f"## Desa dan kelurahan\n\nDesa dan kelurahan di Kecamatan {office.area_name}: {names}.\n"
    if office.districts:
        names = ", ".join(office.districts)
        return f"## Wilayah\n\nKantor ini melayani warga dari semua kecamatan: {names}.\n"
    return ""


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
