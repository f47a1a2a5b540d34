"""MkDocs hooks: turn content/ into pages, feeds, calendars and status.json.

Listed under `hooks:` in mkdocs.yml. Events come first, helpers below. The
real work lives in the `portal` package so the CLI and tests share it.
"""

from __future__ import annotations

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
    from datetime import datetime

    day = today_wib()
    now = datetime.now(WIB)
    view = render.SiteView(content, day, now, site_url=config.site_url or None,
                           api_url=config.extra["portal"].get("api_url") or "/api")
    _state.clear()
    _state.update(content=content, view=view, pages={p.src_uri: p for p in view.pages})
    config.nav = _navigation(content, pages_dir)
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
    ]
    for path in sorted(pages_dir.glob("*.md")) if pages_dir.is_dir() else []:
        nav.append(path.name)
    return nav


def _rewrite_links(markdown: str, src_uri: str) -> str:
    """`[teks](layanan:kk-baru)` -> a relative link to the page's source file.

    Pointing at the .md source lets MkDocs check the link and build the URL.
    """

    def replace(match: re.Match) -> str:
        scheme, target, fragment = match.group(1), match.group(2).strip("/"), match.group(3) or ""
        src = url_for(scheme, target).rstrip("/") + ".md" if target else url_for(scheme) + "index.md"
        return f"]({posixpath.relpath(src, posixpath.dirname(src_uri) or '.')}{fragment})"

    return INTERNAL_LINK.sub(replace, markdown)


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
