"""MkDocs hooks: turn content/ into pages, feeds, calendars and status.json.

Listed under `hooks:` in mkdocs.yml. Events come first, helpers below. The
real work lives in the `portal` package so the CLI and tests share it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import posixpath
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

from portal import content as _content
from portal import render
from portal.content import INTERNAL_LINK, ContentErrors
from portal.pages import url_for
from portal.schedule import WIB, today_wib

log = logging.getLogger("mkdocs.plugins.portal")

_state: dict = {}


def on_config(config):
    root = Path(config.config_file_path).parent
    content_dir = Path(os.environ.get("PORTAL_CONTENT_DIR") or root / config.extra["portal"]["content_dir"])
    try:
        content = _content.load_content(content_dir)
    except ContentErrors as exc:
        raise PluginError(f"Konten tidak valid ({len(exc.problems)} masalah):\n{exc}") from None
    pages_dir = content_dir / "pages"
    config.docs_dir = str(pages_dir)
    # The office's name comes from content/site.yml: a fork never edits mkdocs.yml.
    config.site_name = content.site.site_name
    from datetime import datetime

    day = today_wib()
    now = datetime.now(WIB)
    view = render.SiteView(content, day, now, site_url=config.site_url or None,
                           api_url=config.extra["portal"].get("api_url") or "/api")
    _state.clear()
    _state.update(content=content, view=view, pages={p.src_uri: p for p in view.pages})
    config.nav = _navigation(content, pages_dir)
    _version_assets(config, root)
    return config


def on_files(files: Files, config) -> Files:
    for page in _state["pages"].values():
        files.append(File.generated(config, page.src_uri, content=page.body))
    for path, data in _state["view"].data_files().items():
        files.append(File.generated(config, path, content=data))
    return files


def on_env(env, config, files):
    render.install(env, _state["view"])
    return env


def on_page_markdown(markdown: str, page, config, files) -> str:
    generated = _state["pages"].get(page.file.src_uri)
    if generated is not None:
        page.meta["title"] = generated.title
        page.meta["template"] = f"portal/{generated.kind}.html"
        if not generated.searchable:
            page.meta["search"] = {"exclude": True}
    return _rewrite_links(markdown, page.file.src_uri)


def on_page_context(context, page, config, nav):
    context["generated"] = _state["pages"].get(page.file.src_uri)
    return context


@event_priority(-100)  # after the search plugin has written its index
def on_post_build(config):
    from portal.cms_build import write_admin

    write_admin(Path(config.site_dir), _state["content"], repo_root=Path(config.config_file_path).parent,
                site_url=config.site_url or "")
    index = Path(config.site_dir) / "search" / "search_index.json"
    if index.exists():
        from portal.search import rewrite_index_file

        rewrite_index_file(index, _state["view"].aliases_by_location())


# --------------------------------------------------------------------------- helpers


def _navigation(content, pages_dir: Path) -> list:
    nav = [
        {"Beranda": "index.md"},
        {"Status kantor": "kantor/index.md"},
        {"Pengumuman": "pengumuman/index.md"},
        {"Persyaratan layanan": "layanan/index.md"},
        {"Ajukan permohonan": "formulir/index.md"},
        {"Cek status permohonan": "formulir/status.md"},
        {"Hubungi kantor": "kontak/index.md"},
    ]
    for path in sorted(pages_dir.glob("*.md")) if pages_dir.is_dir() else []:
        if not re.search(r"^navigation:\s*false\s*$", _front_matter_text(path), re.M):
            nav.append(path.name)
    return nav


def _version_assets(config, root: Path) -> None:
    """`assets/status.js` -> `assets/status.js?v=<hash>`: a new build is never served old scripts.

    Material fingerprints its own files; ours get a content hash in the query, so
    caches may keep them long without a reader running yesterday's code.
    """
    overrides = root / "site" / "overrides"
    for key in ("extra_css", "extra_javascript"):
        versioned = []
        for entry in config[key]:
            path = str(getattr(entry, "path", entry))
            file = overrides / path
            if "?" not in path and file.is_file():
                digest = hashlib.sha256(file.read_bytes()).hexdigest()[:10]
                if isinstance(entry, str):
                    entry = f"{path}?v={digest}"
                else:
                    entry.path = f"{path}?v={digest}"
            versioned.append(entry)
        config[key] = versioned


def _front_matter_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return ""
    end = text.find("\n---", 3)
    return text[3:end] if end > 0 else ""


def _rewrite_links(markdown: str, src_uri: str) -> str:
    """`[teks](layanan:kk-baru)` -> a relative link to the page's source file.

    Pointing at the .md source lets MkDocs check the link and build the URL.
    """

    def replace(match: re.Match) -> str:
        scheme, target, fragment = match.group(1), match.group(2).strip("/"), match.group(3) or ""
        src = url_for(scheme, target).rstrip("/") + ".md" if target else url_for(scheme) + "index.md"
        return f"]({posixpath.relpath(src, posixpath.dirname(src_uri) or '.')}{fragment})"

    # Code (fenced blocks and `spans`) shows the syntax to staff: leave it as written.
    parts = _CODE.split(markdown)
    return "".join(part if index % 2 else INTERNAL_LINK.sub(replace, part) for index, part in enumerate(parts))


_CODE = re.compile(r"(^(?:```|~~~)[^\n]*\n.*?^(?:```|~~~)[ \t]*$|`[^`\n]+`)", re.M | re.S)


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
