"""The content model: load `content/`, check every rule, report `file:line: what is wrong`.

One loader serves the build, the staff CLI and the tests. It never stops at the
first problem: staff fix a file faster when they see every error in one run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from .checking import SLUG, Checker, ContentErrors, Problem, did_you_mean, read_yaml_file
from .offices import Office, check_office_services, load_kecamatan, load_offices
from .sitefile import Site, load_site
from .yamlfile import LineDict, LineList, YamlSyntaxError, read_front_matter

__all__ = ["Announcement", "Closure", "Content", "ContentErrors", "FormRef", "Guide", "Office", "Problem", "Site",
           "load_content", "load_kecamatan"]

# Internal links staff write in markdown: [teks](layanan:ktp-el-baru) and friends;
# [teks](kontak:) is the contact page.
INTERNAL_LINK = re.compile(r"\]\(\s*(kantor|layanan|formulir|pengumuman|kontak):([^)\s#]*)(#[^)\s]*)?\s*\)")
MAX_CLOSURE_DAYS = 366
# What residents can do instead, when staff do not say (`instead` is required in a closure);
# `portal new-closure` and the staff editor (/admin/) both start from it.
DEFAULT_INSTEAD = "Ajukan permohonan lewat [formulir daring](formulir:), atau [hubungi kantor](kontak:)."
# formulir/terkirim/ (the receipt) and formulir/status/ are site pages, not forms.
RESERVED_FORM_IDS = ("terkirim", "status")


@dataclass(frozen=True)
class Closure:
    offices: tuple[str, ...]  # resolved ids; "all" is expanded when loading
    all_offices: bool
    first_day: date
    last_day: date  # inclusive
    reason: str
    instead: str
    instead_line: int = field(default=1, compare=False)

    @property
    def reopens(self) -> date:
        return self.last_day + timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True)
class Announcement:
    slug: str
    title: str
    date: date
    categories: tuple[str, ...]
    summary: str
    body: str
    closure: Closure | None
    path: Path
    body_line: int


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    service: str
    summary: str
    aliases: tuple[str, ...]
    who: str
    documents: tuple[str, ...]
    steps: tuple[str, ...]
    fee: str
    duration: str
    form: str | None
    sources: tuple[str, ...]
    order: int
    body: str
    path: Path
    body_line: int
    service_line: int = 1
    field_lines: dict[str, int] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class FormRef:
    id: str
    title: str
    path: Path
    definition: Any = field(default=None, compare=False)  # chalicelib.forms.FormDefinition


@dataclass
class Content:
    root: Path
    site: Site
    offices: list[Office]
    announcements: list[Announcement]  # newest first
    guides: list[Guide]
    forms: list[FormRef]
    services: dict[str, str] = field(default_factory=dict)  # id -> name
    retention: Any = None  # chalicelib.retention.RetentionPolicy (content/retention.yml)
    warnings: list[Problem] = field(default_factory=list)  # printed by `portal check`, never fatal

    def office(self, office_id: str) -> Office:
        return next(o for o in self.offices if o.id == office_id)

    @cached_property
    def closures(self) -> list[tuple[Announcement, Closure]]:
        return [(a, a.closure) for a in self.announcements if a.closure]


# --------------------------------------------------------------------------- loading


def load_content(root: Path) -> Content:
    """Load and check everything under `root`; raise ContentErrors listing every problem."""
    root = Path(root)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    site = load_site(root / "site.yml", problems, warnings)
    offices = load_offices(root, problems)
    office_ids = {o.id for o in offices}
    forms = _load_form_refs(root, problems)
    _check_messages(root, problems)
    guides = _load_guides(root / "guides", {f.id for f in forms}, problems)
    announcements = _load_announcements(root / "announcements", office_ids, problems)
    services = _load_services(root / "services.yml", problems)
    retention = _load_retention(root, problems)
    check_office_services(root, services, offices, problems)
    _check_guide_services(services, guides, problems)
    _check_slugs(guides, announcements, problems)
    targets = {
        "kantor": office_ids | {""},
        "layanan": {g.slug for g in guides} | {""},
        "formulir": {f.id for f in forms} | {""} | set(RESERVED_FORM_IDS),  # formulir:status is the status check
        "pengumuman": {a.slug for a in announcements} | {""},
        "kontak": {""},
    }
    for doc in [*guides, *announcements]:
        _check_links(doc.path, doc.body, doc.body_line, targets, problems)
    for guide in guides:
        for key in ("who", "summary", "fee", "duration"):
            _check_links(guide.path, getattr(guide, key), guide.field_lines.get(key, 1), targets, problems, True)
        for key in ("documents", "steps"):
            for index, text in enumerate(getattr(guide, key)):
                line = guide.field_lines.get(f"{key}.{index}", 1)
                _check_links(guide.path, text, line, targets, problems, True)
    for announcement in announcements:
        if announcement.closure is not None:
            _check_links(announcement.path, announcement.closure.instead, announcement.closure.instead_line,
                         targets, problems, True)
    if problems or site is None:
        raise ContentErrors(problems)
    announcements.sort(key=lambda a: (a.date, a.slug), reverse=True)
    guides.sort(key=lambda g: (g.order, g.title))
    return Content(root, site, offices, announcements, guides, forms, services,
                   retention=retention, warnings=warnings)


def _load_retention(root: Path, problems: list[Problem]) -> Any:
    """How long applications are kept: checked by the code the staff's purge uses."""
    from chalicelib.retention import RETENTION_FILE, RetentionPolicyError, load_retention

    try:
        return load_retention(root / RETENTION_FILE)
    except RetentionPolicyError as exc:
        problems.extend(Problem(exc.path, line, message) for line, message in exc.problems)
        return None


def _load_form_refs(root: Path, problems: list[Problem]) -> list[FormRef]:
    """Forms are checked by the same code the functions validate with (chalicelib.forms)."""
    from chalicelib.forms import FormDefinitionError, load_forms
    from chalicelib.policy import load_policy

    def report(exc: FormDefinitionError) -> None:
        for problem in exc.problems:
            message = f"{problem.key}: {problem.message}" if problem.key else problem.message
            problems.append(Problem(problem.path, problem.line, message))

    try:
        load_policy(root)  # applications.yml and the services' result kinds
    except FormDefinitionError as exc:
        report(exc)
    folder = root / "forms"
    if not folder.is_dir() or not any(folder.iterdir()):
        return []
    try:
        forms = load_forms(folder, root / "offices.yml", provinces_file=root / "data" / "provinces.csv")
    except FormDefinitionError as exc:
        report(exc)
        return []
    refs = [FormRef(form.id, form.title, form.path or folder / f"{form.id}.yml", form) for form in forms.values()]
    for ref in refs:
        if ref.id in RESERVED_FORM_IDS:
            problems.append(Problem(ref.path, 1, f"id formulir '{ref.id}' dipakai halaman situs "
                                                 f"(formulir/{ref.id}/); ganti nama berkasnya"))
    return refs


def _check_messages(root: Path, problems: list[Problem]) -> None:
    """Message templates are checked by the code that renders them (chalicelib.notify).

    A site without online forms sends no messages and needs no templates."""
    from chalicelib.notify.templates import check_messages

    if not (root / "messages").exists() and not any((root / "forms").glob("*.yml")):
        return
    for problem in check_messages(root):
        message = f"{problem.key}: {problem.message}" if problem.key else problem.message
        problems.append(Problem(problem.path, problem.line, message))


def _markdown_files(folder: Path, problems: list[Problem]) -> Iterator[tuple[Path, Checker, LineDict, str, int]]:
    """Each markdown file of a folder with its front matter; unreadable ones become problems."""
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        check = Checker(path, problems)
        try:
            meta, body, body_line = read_front_matter(path)
        except YamlSyntaxError as exc:
            check.error(exc.line, exc.message)
            continue
        yield path, check, meta, body, body_line


GUIDE_KEYS = {"title", "service", "summary", "aliases", "who", "documents", "steps", "fee",
              "duration", "form", "sources", "order", "slug"}


def _load_guides(folder: Path, form_ids: set[str], problems: list[Problem]) -> list[Guide]:
    guides = []
    for path, check, meta, body, body_line in _markdown_files(folder, problems):
        check.unknown_keys(meta, GUIDE_KEYS, "panduan layanan")
        form = check.text(meta, "form", "panduan", required=False) or None
        if form and form not in form_ids:
            known = ", ".join(sorted(form_ids)) or "belum ada"
            check.error(meta.line_of("form"), f"formulir '{form}' tidak ada di content/forms/ (yang ada: {known})")
        order = meta.get("order", 100)
        if not isinstance(order, int) or isinstance(order, bool):
            check.error(meta.line_of("order"), "'order' harus berupa bilangan bulat")
            order = 100
        guides.append(
            Guide(
                slug=check.text(meta, "slug", "panduan", required=False) or path.stem,
                title=check.text(meta, "title", "panduan"),
                service=check.text(meta, "service", "panduan"),
                summary=check.text(meta, "summary", "panduan"),
                aliases=check.text_list(meta, "aliases", "panduan"),
                who=check.text(meta, "who", "panduan"),
                documents=check.text_list(meta, "documents", "panduan", required=True),
                steps=check.text_list(meta, "steps", "panduan", required=True),
                fee=check.text(meta, "fee", "panduan"),
                duration=check.text(meta, "duration", "panduan"),
                form=form,
                sources=check.text_list(meta, "sources", "panduan"),
                order=order,
                body=body,
                path=path,
                body_line=body_line,
                service_line=meta.line_of("service"),
                field_lines=_item_lines(meta, ("who", "documents", "steps", "summary", "fee", "duration")),
            )
        )
    return guides


def _item_lines(meta: LineDict, keys: tuple[str, ...]) -> dict[str, int]:
    """Line of each front-matter value that may hold links: `key` or `key.N` for list items."""
    lines: dict[str, int] = {}
    for key in keys:
        value = meta.get(key)
        lines[key] = meta.line_of(key)
        if isinstance(value, LineList):
            for index in range(len(value)):
                lines[f"{key}.{index}"] = value.line_of(index)
    return lines


ANNOUNCEMENT_KEYS = {"title", "date", "categories", "summary", "closure", "slug"}
CLOSURE_KEYS = {"offices", "first_day", "last_day", "days", "reason", "instead"}


def _load_announcements(folder: Path, office_ids: set[str], problems: list[Problem]) -> list[Announcement]:
    announcements = []
    for path, check, meta, body, body_line in _markdown_files(folder, problems):
        check.unknown_keys(meta, ANNOUNCEMENT_KEYS, "pengumuman")
        published = check.day(meta, "date")
        closure = None
        if "closure" in meta:
            closure = _load_closure(check, meta, office_ids)
        categories = check.text_list(meta, "categories", "pengumuman") or (
            ("Penutupan layanan",) if closure else ("Pengumuman",)
        )
        announcements.append(
            Announcement(
                slug=check.text(meta, "slug", "pengumuman", required=False) or path.stem,
                title=check.text(meta, "title", "pengumuman"),
                date=published or date.min,
                categories=categories,
                summary=check.text(meta, "summary", "pengumuman", required=False),
                body=body,
                closure=closure,
                path=path,
                body_line=body_line,
            )
        )
    return announcements


def _load_closure(check: Checker, meta: LineDict, office_ids: set[str]) -> Closure | None:
    data = check.mapping(meta["closure"], "'closure'", meta.line_of("closure"))
    if data is None:
        return None
    check.unknown_keys(data, CLOSURE_KEYS, "closure")
    raw_offices = data.get("offices")
    all_offices = raw_offices == "all"
    ids: tuple[str, ...] = ()
    if all_offices:
        ids = tuple(sorted(office_ids))
    elif isinstance(raw_offices, LineList) and raw_offices:
        for index, office_id in enumerate(raw_offices):
            if str(office_id) not in office_ids:
                hint = did_you_mean(str(office_id), office_ids)
                check.error(raw_offices.line_of(index), f"kantor '{office_id}' tidak ada di offices.yml{hint}")
        ids = tuple(dict.fromkeys(str(o) for o in raw_offices))
    else:
        check.error(data.line_of("offices"), "'offices' wajib diisi: daftar id kantor, atau 'all' untuk semua kantor")
    first_day = check.day(data, "first_day")
    has_last, has_days = "last_day" in data, "days" in data
    last_day = None
    if has_last and has_days:
        check.error(data.line_of("days"), "isi salah satu saja: 'last_day' atau 'days'")
    elif has_last:
        last_day = check.day(data, "last_day")
        if first_day and last_day and last_day < first_day:
            check.error(
                data.line_of("last_day"),
                f"'last_day' ({last_day.isoformat()}) lebih awal dari 'first_day' ({first_day.isoformat()})",
            )
            last_day = None
    elif has_days:
        days = data.get("days")
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_CLOSURE_DAYS:
            check.error(data.line_of("days"), f"'days' harus bilangan bulat 1 sampai {MAX_CLOSURE_DAYS}")
        elif first_day:
            last_day = first_day + timedelta(days=days - 1)
    else:
        check.error(data.line, "isi 'last_day' (hari terakhir tutup) atau 'days' (jumlah hari tutup)")
    if first_day and last_day and (last_day - first_day).days + 1 > MAX_CLOSURE_DAYS:
        check.error(data.line_of("last_day"), f"penutupan lebih dari {MAX_CLOSURE_DAYS} hari; periksa tahunnya")
    reason = check.text(data, "reason", "closure")
    instead = check.text(data, "instead", "closure")
    if not (ids and first_day and last_day and reason and instead):
        return None
    return Closure(ids, all_offices, first_day, last_day, reason, instead, data.line_of("instead"))


def _load_services(path: Path, problems: list[Problem]) -> dict[str, str]:
    check = Checker(path, problems)
    raw = read_yaml_file(path, problems)
    data = check.mapping(raw, "services.yml") if raw is not None else None
    services = data.get("services") if data is not None else None
    if data is not None and not isinstance(services, dict):
        check.error(data.line_of("services"), "'services' harus berupa pasangan id: nama layanan")
    if not isinstance(services, dict):
        return {}
    for key, name in services.items():
        if not SLUG.match(str(key)):
            check.error(services.line_of(key), f"id layanan '{key}' hanya boleh huruf kecil, angka dan tanda hubung")
        if not isinstance(name, str) or not name.strip():
            check.error(services.line_of(key), f"layanan '{key}' harus punya nama")
    return {str(k): str(v) for k, v in services.items()}


def _check_guide_services(services: dict[str, str], guides: list[Guide], problems: list[Problem]) -> None:
    known = ", ".join(services) or "belum ada"
    for guide in guides:
        if guide.service and guide.service not in services:
            problems.append(Problem(guide.path, guide.service_line,
                                    f"layanan '{guide.service}' tidak ada di services.yml ({known})"))


def _check_slugs(guides: list[Guide], announcements: list[Announcement], problems: list[Problem]) -> None:
    for kind, docs in (("panduan", guides), ("pengumuman", announcements)):
        seen: dict[str, Path] = {}
        for doc in docs:
            if not SLUG.match(doc.slug):
                message = f"slug '{doc.slug}' hanya boleh huruf kecil, angka dan tanda hubung"
                problems.append(Problem(doc.path, 1, message))
            key = doc.slug.lower()
            if key in seen:
                problems.append(Problem(doc.path, 1, f"slug {kind} '{doc.slug}' sudah dipakai oleh {seen[key]}"))
            seen[key] = doc.path


def _check_links(path: Path, text: str, first_line: int, targets: dict[str, set[str]],
                 problems: list[Problem], in_front_matter: bool = False) -> None:
    for match in INTERNAL_LINK.finditer(text):
        scheme, target = match.group(1), match.group(2).strip("/")
        if target not in targets[scheme]:
            line = first_line if in_front_matter else first_line + text.count("\n", 0, match.start())
            problems.append(Problem(path, line, f"tautan '{scheme}:{target}' menuju halaman yang tidak ada"))
