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
from portal import render, security
from portal.assets import AssetBundles
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
    try:
        upload_origin = security.check_origin(config.extra["portal"].get("upload_origin") or "")
    except ValueError as exc:
        raise PluginError(f"mkdocs.yml extra.portal: {exc} (PORTAL_UPLOAD_ORIGIN)") from None
    assets = AssetBundles(root / "site" / "overrides")
    view._assets = assets
    config.extra_css = assets.replace_entries(config.extra_css, "css")
    config.extra_javascript = assets.replace_entries(config.extra_javascript, "js")
    _state.clear()
    _state.update(content=content, view=view, pages={p.src_uri: p for p in view.pages}, assets=assets,
                  inline_scripts=security.InlineScripts(), upload_origin=upload_origin)
    config.nav = _navigation(content, pages_dir)
    return config


def on_files(files: Files, config) -> Files:
    for page in _state["pages"].values():
        files.append(File.generated(config, page.src_uri, content=page.body))
    for path, data in _state["view"].data_files().items():
        files.append(File.generated(config, path, content=data))
    assets = _state["assets"]
    for source in assets.sources():  # published as bundles only
        found = files.get_file_from_path(source)
        if found is not None:
            files.remove(found)
    for asset in assets:
        files.append(File.generated(config, asset.path, content=asset.content))
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


@event_priority(-100)  # after every other change to the page
def on_post_page(output: str, page, config) -> str:
    _state["inline_scripts"].add_page(output)
    return output


@event_priority(-100)  # after the search plugin has written its index
def on_post_build(config):
    from portal.cms_build import write_admin

    write_admin(Path(config.site_dir), _state["content"], repo_root=Path(config.config_file_path).parent,
                site_url=config.site_url or "")
    for extra in ("404.html",):  # rendered outside on_post_page
        path = Path(config.site_dir) / extra
        if path.is_file():
            _state["inline_scripts"].add_page(path.read_text(encoding="utf-8"))
    from portal.cms_local import ENV_VAR as CMS_BACKEND

    policies = security.with_local_backend(security.PATH_POLICIES, os.environ.get(CMS_BACKEND, ""))
    headers = security.header_set(_state["inline_scripts"].hashes, _state["upload_origin"], policies)
    security.write_headers(Path(config.site_dir), headers)
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
