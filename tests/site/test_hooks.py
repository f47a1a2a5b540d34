"""The MkDocs hook's own helpers: internal links, navigation, asset versions."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("portal_hooks", ROOT / "site/portal/mkdocs_hooks.py")
hooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hooks)


def test_internal_links_point_at_source_files_relative_to_the_page():
    text = "Isi [formulir](formulir:kk-baru), baca [panduan](layanan:#atas) dan [kantor](kantor:bawen)."
    assert hooks._rewrite_links(text, "pengumuman/x.md") == (
        "Isi [formulir](../formulir/kk-baru.md), baca [panduan](../layanan/index.md#atas) "
        "dan [kantor](../kantor/bawen.md)."
    )


def test_links_inside_code_are_left_as_written():
    text = "Tulis `[teks](formulir:kk-baru)` seperti ini:\n\n```yaml\ninstead: [x](formulir:)\n```\n[ya](formulir:)"
    out = hooks._rewrite_links(text, "tentang.md")
    assert "`[teks](formulir:kk-baru)`" in out and "instead: [x](formulir:)" in out
    assert out.endswith("[ya](formulir/index.md)")


def test_pages_can_stay_out_of_the_navigation(tmp_path):
    (tmp_path / "a.md").write_text("# A\n")
    (tmp_path / "b.md").write_text("---\nnavigation: false\n---\n# B\n")
    from portal.content import load_content

    nav = hooks._navigation(load_content(ROOT / "tests/fixtures/regency"), tmp_path)
    assert "a.md" in nav and "b.md" not in nav
