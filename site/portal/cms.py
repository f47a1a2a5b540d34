"""The staff editor's configuration (Decap CMS `config.yml`), generated from the content model.

    config = cms_config(content, repo_root=ROOT)   # a dict; yaml.safe_dump it to admin/config.yml

Which fields exist comes from the model (`ANNOUNCEMENT_KEYS`, `CLOSURE_KEYS`,
the `Office` and `Site` fields, `DAY_NAMES`); the choices come from the content
(offices from `offices.yml`, services from `services.yml`). What this module
adds is presentation only: an Indonesian label, hint and widget per key, and
the rules the editor can check before saving (required, date pickers, one of
days/last day, the hours pattern). `portal check` stays the authority: the
editor only catches mistakes earlier. A key the model gains without a label
here still gets a field (labelled with the key itself) and fails
`tests/site/test_cms_config.py` until it is given an Indonesian label.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from . import content as model
from .checking import DAY_NAMES, HOURS
from .content import DEFAULT_INSTEAD, MAX_CLOSURE_DAYS, Content
from .offices import OFFICE_KEYS
from .sitefile import SITE_KEYS

__all__ = ["ALL_OFFICES_LABEL", "ANNOUNCEMENTS", "DEFAULT_INSTEAD", "OFFICES", "admin_csp",
           "cms_config", "content_path", "labels_missing", "preview_data"]

ANNOUNCEMENTS = "pengumuman"  # collection names: they appear in the editor's URLs (#/collections/pengumuman)
OFFICES = "kantor"
ALL_OFFICES_LABEL = "Semua kantor"
CLOSURE_CATEGORY = "Penutupan layanan"  # what `portal new-closure` writes, and the model's default
DATE = {"widget": "datetime", "date_format": "YYYY-MM-DD", "time_format": False, "format": "YYYY-MM-DD",
        "default": ""}
# The checker's hours rule (content.HOURS) written for the browser: "08.00-15.00" or "tutup".
HOURS_PATTERN = r"^\s*(tutup|Tutup|TUTUP|([01]\d|2[0-3])[.:][0-5]\d\s*[-–]\s*([01]\d|2[0-3])[.:][0-5]\d)\s*$"

# What the editor page (/admin/ only) needs from a Content-Security-Policy: Decap CMS
# compiles its config schema with `new Function` (ajv: 'unsafe-eval') and styles itself
# with inline <style> (emotion: 'unsafe-inline'); on GitHub it calls api.github.com and
# shows the user's avatar. Everything else is our own origin. tests/browser checks it.
def admin_csp(local_backend: str | None = None) -> str:
    """The editor's Content-Security-Policy (``security.PATH_POLICIES["/admin/"]`` on the site's),
    with the local backend's origin when it runs."""
    from .security import PATH_POLICIES, format_policy, site_directives, with_local_backend

    policies = with_local_backend(PATH_POLICIES, local_backend or "")
    return format_policy(site_directives(set(), "", policies["/admin/"]))


# --------------------------------------------------------------------------- labels (presentation only)

ANNOUNCEMENT_FIELDS: dict[str, dict[str, Any]] = {
    "title": {"label": "Judul", "widget": "string", "required": True,
              "hint": "Sebut kantor dan tanggalnya, misalnya: Kecamatan Bawen dan Bergas tutup 1–3 Desember 2026."},
    "date": {"label": "Tanggal terbit", **DATE, "default": "{{now}}", "required": True,
             "hint": "Pengumuman diurutkan menurut tanggal ini."},
    "categories": {"label": "Kategori", "widget": "list", "required": False,
                   "hint": f"Pisahkan dengan koma. Kosongkan untuk memakai '{CLOSURE_CATEGORY}' "
                           "(atau 'Pengumuman' bila bukan penutupan)."},
    "summary": {"label": "Ringkasan", "widget": "text", "required": False,
                "hint": "Satu atau dua kalimat untuk daftar pengumuman dan umpan berita (boleh kosong)."},
    "closure": {"label": "Penutupan layanan", "widget": "object", "required": False, "collapsed": False,
                "hint": "Isi bagian ini bila kantor tutup. Kosongkan semuanya untuk pengumuman biasa."},
    "body": {"label": "Isi pengumuman", "widget": "markdown", "required": True,
             "hint": "Tulis apa yang tutup, sampai kapan, hari dan tanggal buka kembali, dan cara lain "
                     "mendapatkan layanan. Format markdown: `**tebal**`, daftar dengan tanda `-`, judul kecil "
                     "dengan `##`. Tautan ke halaman situs ditulis "
                     "`[teks](formulir:ktp-el-baru)`, `[teks](layanan:kk-baru)` atau `[teks](kantor:bawen)`."},
}
CLOSURE_FIELDS: dict[str, dict[str, Any]] = {
    "offices": {"label": "Kantor yang tutup", "widget": "select", "multiple": True, "required": True,
                "hint": f"Pilih satu kantor atau lebih, atau '{ALL_OFFICES_LABEL}'."},
    "first_day": {"label": "Hari pertama tutup", **DATE, "required": True, "hint": "Tanggal menurut WIB."},
    "days": {"label": "Jumlah hari tutup", "widget": "number", "value_type": "int", "min": 1,
             "max": MAX_CLOSURE_DAYS, "step": 1, "required": False,
             "hint": "Termasuk hari pertama. Isi ini atau hari terakhir tutup, salah satu saja."},
    "last_day": {"label": "Hari terakhir tutup", **DATE, "required": False,
                 "hint": "Hari ini masih tutup; kantor buka lagi keesokan harinya. "
                         "Isi ini atau jumlah hari, salah satu saja."},
    "reason": {"label": "Alasan", "widget": "text", "required": True,
               "hint": "Satu atau dua kalimat yang jelas."},
    "instead": {"label": "Yang bisa dilakukan warga", "widget": "text", "required": True,
                "default": DEFAULT_INSTEAD,
                "hint": "Cara lain mendapatkan layanan; boleh memuat tautan seperti `[formulir daring](formulir:)`."},
}
OFFICE_FIELDS: dict[str, dict[str, Any]] = {
    # Identity comes from content/data/kecamatan.csv: kept as it is, not edited in the browser.
    "id": {"label": "Id", "widget": "hidden"},
    "name": {"label": "Nama kantor", "widget": "hidden"},
    "kind": {"label": "Jenis", "widget": "hidden"},
    "area_code": {"label": "Kode wilayah", "widget": "hidden"},
    "address": {"label": "Alamat", "widget": "text", "required": False,
                "hint": "Alamat lengkap kantor. Kosongkan bila belum pasti: situs menulis 'belum tercantum'."},
    "hours": {"label": "Jam layanan", "widget": "object", "required": False, "collapsed": False,
              "hint": "Tulis jam buka dan tutup, misalnya 08.00-15.00, atau 'tutup'. "
                      "Kosongkan hari yang belum pasti."},
    "services": {"label": "Layanan di kantor ini", "widget": "select", "multiple": True, "required": True,
                 "min": 1},
}
SITE_FIELDS: dict[str, dict[str, Any]] = {
    "site_name": {"label": "Nama situs", "hint": "Di tab browser, tajuk dan umpan. Kosong: nama singkat dinas."},
    "short_name": {"label": "Nama pendek (ponsel)", "hint": "Tajuk di layar ponsel, paling banyak 26 huruf."},
    "phone": {"label": "Telepon", "widget": "list", "hint": "Satu nomor per baris, seperti tertulis di papan "
                                                           "kantor, misalnya (024) 6923955."},
    "whatsapp": {"label": "WhatsApp", "hint": "Nomor WhatsApp layanan, misalnya 0812-3456-7890."},
    "sms": {"label": "SMS", "hint": "Nomor untuk SMS layanan."},
    "email": {"label": "Email", "hint": "Alamat email layanan."},
    "address": {"label": "Alamat kantor Dinas", "widget": "text"},
    "hours": {"label": "Jam layanan kantor Dinas", "widget": "object", "collapsed": False,
              "hint": "Tulis jam buka dan tutup, misalnya 08.00-15.00, atau 'tutup'. "
                      "Kosongkan hari yang belum pasti."},
    "website": {"label": "Situs resmi", "hint": "Alamat lengkap, diawali http:// atau https://."},
    "contact_source": {"label": "Sumber kontak", "widget": "text",
                       "hint": "Di mana kontak ini diterbitkan dan kapan; tampil di samping kontak."},
    "regency": {"label": "Nama kabupaten/kota"},
    "province": {"label": "Provinsi"},
    "office_name": {"label": "Nama lengkap dinas"},
    "office_short_name": {"label": "Nama singkat dinas", "hint": "Dipakai di judul halaman dan tajuk."},
    "timezone": {"label": "Zona waktu", "widget": "hidden"},
    "data_credit": {"label": "Keterangan sumber data (kaki halaman)", "widget": "text",
                    "hint": "Wajib ada selama data wilayah ODbL dipakai."},
}
SITE_REQUIRED = {"regency", "office_name", "timezone"}
DAY_LABELS = {"senin": "Senin", "selasa": "Selasa", "rabu": "Rabu", "kamis": "Kamis", "jumat": "Jumat",
              "sabtu": "Sabtu", "minggu": "Minggu"}
MESSAGES = {
    "hours": "Tulis jam seperti 08.00-15.00, atau 'tutup'.",
}


# --------------------------------------------------------------------------- the configuration


def content_path(content_dir: Path, repo_root: Path) -> str:
    """The content folder as the editor's backends see it: relative to the git repository."""
    content_dir = Path(content_dir).resolve()
    try:
        return content_dir.relative_to(Path(repo_root).resolve()).as_posix()
    except ValueError:  # a content tree outside the repository (tests, a fork's layout)
        return content_dir.name


def cms_config(content: Content, *, repo_root: Path, site_url: str = "",
               local_backend: str | None = None) -> dict[str, Any]:
    """Decap CMS configuration for this content, in Indonesian, from the model.

    Parameters
    ----------
    content
        The loaded (valid) content.
    repo_root
        The git repository the editor commits to (the decap-server root locally).
    site_url
        The public site, linked from the editor's header.
    local_backend
        ``http://127.0.0.1:PORT/api/v1`` of a running decap-server, or None
        (``PORTAL_CMS_LOCAL_BACKEND``): the editor then writes into the checkout
        instead of opening pull requests on GitHub.
    """
    base = content_path(content.root, repo_root)
    config: dict[str, Any] = {
        "backend": _github_backend(),
        "publish_mode": "editorial_workflow",
        "locale": "id",
        "media_folder": f"{base}/pages/gambar",
        "public_folder": "/gambar",
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
        "collections": [_announcements(content, base), _offices(content, base)],
    }
    if site_url:
        config["site_url"] = config["display_url"] = site_url
    local_backend = local_backend if local_backend is not None else os.environ.get("PORTAL_CMS_LOCAL_BACKEND")
    if local_backend:
        config["local_backend"] = {"url": local_backend, "allowed_hosts": ["127.0.0.1", "localhost"]}
    return config


def _github_backend() -> dict[str, Any]:
    """GitHub with the editorial workflow: a saved entry is a branch and a pull request."""
    backend: dict[str, Any] = {
        "name": "github",
        # GitHub Actions sets GITHUB_REPOSITORY; elsewhere set PORTAL_CMS_REPO=owner/name.
        "repo": os.environ.get("PORTAL_CMS_REPO") or os.environ.get("GITHUB_REPOSITORY") or "pemilik/repositori",
        "branch": os.environ.get("PORTAL_CMS_BRANCH") or "main",
        "squash_merges": True,
        "cms_label_prefix": "cms/",
    }
    oauth = os.environ.get("PORTAL_CMS_OAUTH_URL", "").rstrip("/")
    if oauth:  # the OAuth client (README, "Staff editor"): base_url + auth_endpoint
        backend["base_url"] = oauth
        backend["auth_endpoint"] = os.environ.get("PORTAL_CMS_OAUTH_ENDPOINT") or "auth"
    return backend


def _field(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    field = {"name": name, **spec}
    if field.get("widget") == "hidden":
        field.pop("hint", None)
        field["required"] = False
    return field


def _announcements(content: Content, base: str) -> dict[str, Any]:
    options = [{"label": ALL_OFFICES_LABEL, "value": "all"}]
    options += [{"label": office.name, "value": office.id} for office in content.offices]
    closure_fields = []
    for key in _ordered(model.CLOSURE_KEYS, CLOSURE_FIELDS):
        field = _field(key, CLOSURE_FIELDS.get(key, {"label": key, "widget": "string"}))
        # An announcement without a closure leaves this block empty, so Decap must not
        # require these fields itself: admin/widgets.js requires them once the block is
        # in use (offices or first day chosen), with the rules spanning two fields.
        field["closure_required"] = field.pop("required", False)
        field["required"] = False
        field["widget"] = f"portal-closure-{field['widget']}"
        if key == "offices":
            field["options"] = options
        closure_fields.append(field)
    fields = []
    # `slug` is left out on purpose: the file name is the slug, as `portal new-closure` makes it.
    for key in [*_ordered(model.ANNOUNCEMENT_KEYS - {"slug"}, ANNOUNCEMENT_FIELDS), "body"]:
        field = _field(key, ANNOUNCEMENT_FIELDS.get(key, {"label": key, "widget": "string"}))
        if key == "closure":
            field["fields"] = closure_fields
        if key == "body":
            # No heading menu: Decap's nests a button in a button (axe: nested-interactive);
            # headings are written `## Judul` as in the staff guide.
            field.update(buttons=["bold", "italic", "link", "bulleted-list", "numbered-list"],
                         editor_components=[], modes=["raw", "rich_text"])
        fields.append(field)
    return {
        "name": ANNOUNCEMENTS,
        "label": "Pengumuman dan penutupan",
        "label_singular": "pengumuman",
        "description": "Setiap pengumuman adalah satu berkas di "
                       f"{base}/announcements/. Penutupan yang diumumkan jauh hari mulai dan berakhir "
                       "sendiri pada tanggalnya.",
        "folder": f"{base}/announcements",
        "extension": "md",
        "format": "portal-frontmatter",
        "create": True,
        "delete": False,  # an ended closure stays as the office's history (panduan staf)
        # The file name `portal new-closure` would write; admin/formats.js computes it before saving.
        "slug": "{{fields.__slug}}",
        "identifier_field": "title",
        "summary": "{{title}} — {{date}}",
        "sortable_fields": ["date", "title"],
        "fields": fields,
    }


def _offices(content: Content, base: str) -> dict[str, Any]:
    services = [{"label": name, "value": service_id} for service_id, name in content.services.items()]
    office_fields = []
    for key in _ordered(set(OFFICE_KEYS), OFFICE_FIELDS):
        field = _field(key, OFFICE_FIELDS.get(key, {"label": key, "widget": "string", "required": False}))
        if key == "hours":
            field["fields"] = _day_fields()
        if key == "services":
            field["options"] = services
        office_fields.append(field)
    site_fields = [_site_field(key, content) for key in _ordered(set(SITE_KEYS), SITE_FIELDS)]
    return {
        "name": OFFICES,
        "label": "Kantor dan kontak",
        "description": "Kontak Dinas dan alamat, jam layanan serta layanan setiap kantor. "
                       "Yang kosong ditulis 'belum tercantum' di situs, tidak pernah ditebak.",
        "format": "portal-yaml",
        "extension": "yml",
        "editor": {"preview": False},
        "delete": False,
        "files": [
            {"name": "kontak", "label": "Kontak Dinas", "file": f"{base}/site.yml", "fields": site_fields},
            {"name": "kantor", "label": "Alamat, jam dan layanan kantor", "file": f"{base}/offices.yml",
             "fields": [{
                 "name": "offices", "label": "Kantor", "label_singular": "kantor", "widget": "list",
                 "allow_add": False, "allow_remove": False, "allow_reorder": False, "collapsed": True,
                 "summary": "{{fields.name}}", "fields": office_fields,
             }]},
        ],
    }


def _site_field(key: str, content: Content) -> dict[str, Any]:
    spec = {"widget": "string", **SITE_FIELDS.get(key, {"label": key})}
    spec["required"] = key in SITE_REQUIRED
    field = _field(key, spec)
    if key == "hours":  # the Dinas's hours have the shape of an office's
        field["fields"] = _day_fields()
    return field


def _day_fields() -> list[dict[str, Any]]:
    return [{"name": day, "label": DAY_LABELS.get(day, day), "widget": "string", "required": False,
             "pattern": [HOURS_PATTERN, MESSAGES["hours"]]} for day in DAY_NAMES]


def _ordered(keys: set[str], table: dict[str, Any]) -> list[str]:
    """The keys in the order of the label table, keys it does not know last (alphabetically)."""
    return [k for k in table if k in keys] + sorted(keys - set(table))


def preview_data(content: Content) -> dict[str, Any]:
    """What admin/preview.js needs to show a closure as residents will read it."""
    return {
        "closure_required": [k for k in model.CLOSURE_KEYS if CLOSURE_FIELDS.get(k, {}).get("required")],
        "offices": [{"id": o.id, "name": o.name} for o in content.offices],
        "all_label": ALL_OFFICES_LABEL,
        "closure_category": CLOSURE_CATEGORY,
        "max_days": MAX_CLOSURE_DAYS,
        "hours_pattern": HOURS.pattern,
        "site_name": content.site.office_short_name,
    }


def labels_missing() -> list[str]:
    """Model keys with no Indonesian label here (the test lists them)."""
    missing = [f"announcement.{k}" for k in model.ANNOUNCEMENT_KEYS - {"slug"} - set(ANNOUNCEMENT_FIELDS)]
    missing += [f"closure.{k}" for k in model.CLOSURE_KEYS - set(CLOSURE_FIELDS)]
    missing += [f"office.{key}" for key in sorted(OFFICE_KEYS) if key not in OFFICE_FIELDS]
    missing += [f"site.{key}" for key in sorted(SITE_KEYS) if key not in SITE_FIELDS]
    missing += [f"hours.{d}" for d in DAY_NAMES if d not in DAY_LABELS]
    return missing

