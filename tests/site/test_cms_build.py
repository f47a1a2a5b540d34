"""The built site carries the staff editor at /admin/: from our origin, hidden from residents."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from buildutil import ROOT, build_site
from portal.cms import cms_config
from portal.content import load_content

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cms-site")
    build_site(ROOT / "content", out, env={"PORTAL_CMS_LOCAL_BACKEND": ""})
    return out


def test_the_editor_page_is_ours_and_not_for_search_engines(built):
    page = (built / "admin" / "index.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert '<html lang="id">' in page
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all("//" not in s for s in sources), sources  # nothing from another host
    assert (built / "admin" / "decap" / "decap-cms.js").stat().st_size > 1_000_000  # the pinned bundle
    assert (built / "admin" / "vendor" / "yaml" / "index.js").is_file()
    assert "<script>" not in page and not re.search(r"\son\w+=", page)  # no inline script (CSP)


def test_the_configuration_is_generated_from_the_content(built):
    text = (built / "admin" / "config.yml").read_text(encoding="utf-8")
    assert text.startswith("# Generated from the content model")
    assert yaml.safe_load(text) == cms_config(load_content(ROOT / "content"), repo_root=ROOT, local_backend="")
    data = json.loads((built / "admin" / "portal.json").read_text(encoding="utf-8"))
    assert [o["id"] for o in data["offices"]][:2] == ["dinas", "getasan"]
    assert all((built / "admin" / style).resolve().is_file() for style in data["styles"])


def test_residents_pages_do_not_link_to_the_editor(built):
    for page in built.rglob("*.html"):
        if page.is_relative_to(built / "admin"):
            continue
        assert not re.search(r'href="[^"]*admin/?"', page.read_text(encoding="utf-8")), page
    assert "admin" not in (built / "sitemap.xml").read_text(encoding="utf-8")
    assert "admin/" not in (built / "search" / "search_index.json").read_text(encoding="utf-8")


def test_without_a_local_backend_the_editor_uses_github(built):
    config = yaml.safe_load((built / "admin" / "config.yml").read_text(encoding="utf-8"))
    assert "local_backend" not in config
    assert config["backend"]["name"] == "github" and config["publish_mode"] == "editorial_workflow"
