"""The portal's own bundles (portal.assets), the CSP hashes (portal.security), and page weight.

The page-weight test builds the shipped site and measures it the way
benchmarks/page_weight.py does: every page kind within 100 KB gzip on a cold cache.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import pytest
from buildutil import ROOT, build_site
from portal.assets import AssetBundles, minify
from portal.security import HEADERS_FILE, InlineScripts, check_origin, header_set, load_headers

OVERRIDES = ROOT / "site" / "overrides"


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# --------------------------------------------------------------------------- bundles


def overrides_with(tmp_path: Path, **sources: str) -> Path:
    folder = tmp_path / "overrides"
    for name, text in sources.items():
        path = folder / "assets" / name.replace("_", ".")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def test_a_bundle_is_minified_joined_and_named_by_its_content(tmp_path):
    folder = overrides_with(tmp_path, a_js="/* long comment */\nvar a = 1\n", b_js="var b = 2;  // why\n")
    bundles = AssetBundles(folder, {"x.js": ("assets/a.js", "assets/b.js")})
    asset = next(iter(bundles))
    assert asset.content == b"var a=1;\nvar b=2;\n"  # the ';' keeps `var a = 1` from running into b
    assert bundles.path("x.js") == asset.path
    assert asset.path.startswith("assets/x.") and asset.path.endswith(".min.js")
    (folder / "assets" / "b.js").write_text("var b = 3;\n", encoding="utf-8")
    assert AssetBundles(folder, {"x.js": ("assets/a.js", "assets/b.js")}).path("x.js") != asset.path


def test_a_missing_source_or_bundle_is_an_error(tmp_path):
    folder = overrides_with(tmp_path, a_css="a { color: red; }")
    with pytest.raises(FileNotFoundError, match="nope.css"):
        AssetBundles(folder, {"x.css": ("assets/nope.css",)})
    with pytest.raises(KeyError, match="known: x.css"):
        AssetBundles(folder, {"x.css": ("assets/a.css",)}).path("y.css")


def test_the_shipped_bundles_are_smaller_than_their_sources():
    for asset in AssetBundles(OVERRIDES):
        source = sum(len((OVERRIDES / s).read_bytes()) for s in asset.sources)
        assert len(asset.content) < source * 0.85, asset.name


def test_extra_css_becomes_the_every_page_bundle():
    bundles = AssetBundles(OVERRIDES)
    assert bundles.replace_entries(["assets/portal.css", "other.css"], "css") == [bundles.path("site.css"),
                                                                               "other.css"]


# --------------------------------------------------------------------------- headers


def test_only_executable_inline_scripts_are_hashed():
    scripts = InlineScripts()
    scripts.add_page('<script>a=1</script><script type="application/json" id="x">{"b":2}</script>'
                     '<script src="s.js"></script><script type="module">c()</script>'
                     '<script data-src="f.js">load(1)</script>')
    scripts.add_page("<script>a=1</script>")
    assert scripts.hashes == {sha("a=1"), sha("c()"), sha("load(1)")}


def test_the_header_set_takes_hashes_origin_and_path_policies():
    headers = header_set({sha("a=1")}, "https://b.s3.ap-southeast-3.amazonaws.com/",
                         {"/admin/": {"script-src": ("'self'", "'unsafe-eval'")}})
    csp = headers.headers["Content-Security-Policy"]
    assert f"script-src 'self' {sha('a=1')};" in csp
    assert "connect-src 'self' https://b.s3.ap-southeast-3.amazonaws.com;" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert "script-src 'self' 'unsafe-eval';" in headers.for_path("/admin/config.yml")["Content-Security-Policy"]
    assert headers.for_path("/admin") is headers.paths["/admin/"]
    assert headers.for_path("/administrasi/") is headers.headers


@pytest.mark.parametrize("origin", ["https://b.example.org/path", "javascript:alert(1)", "https://a b"])
def test_an_upload_origin_must_be_an_origin(origin):
    with pytest.raises(ValueError, match="is not an origin"):
        check_origin(origin)


def test_a_bad_upload_origin_stops_the_build(shipped, tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_UPLOAD_ORIGIN", "https://bucket.example.org/uploads")
    result = build_site(shipped.root, tmp_path / "out", check=False)
    assert result.returncode != 0 and "PORTAL_UPLOAD_ORIGIN" in result.stdout + result.stderr


# --------------------------------------------------------------------------- the built site


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("weight") / "site"
    build_site(ROOT / "content", out)
    return out


def page_weight_module():
    spec = importlib.util.spec_from_file_location("page_weight", ROOT / "benchmarks" / "page_weight.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_every_page_kind_weighs_at_most_100_kb_gzip_on_a_cold_cache(built):
    weight = page_weight_module()
    report = weight.report(built)
    assert set(report) == set(weight.PAGE_KINDS)
    for kind, sizes in report.items():
        assert -1 not in sizes.values(), f"{kind} requests another host"
        assert sum(sizes.values()) <= weight.BUDGET, (kind, sizes)
    home = report["home"]
    assert "search/search_index.json" in home  # counted wherever search runs
    assert not any(path.startswith("assets/form") for path in home)  # form code only on form pages
    assert not any("palette" in path for path in home)


@pytest.mark.slow
def test_the_build_hashes_every_inline_script_it_wrote(built):
    headers = load_headers(built)
    assert headers is not None and (built / HEADERS_FILE).is_file()
    policy = headers.headers["Content-Security-Policy"]
    seen = InlineScripts()
    for page in built.rglob("*.html"):
        seen.add_page(page.read_text(encoding="utf-8"))
    assert seen.hashes and all(h in policy for h in seen.hashes)
    assert json.loads((built / HEADERS_FILE).read_text())["paths"].keys() == {"/admin/"}
    assert not (built / "assets" / "form.js").exists() and not (built / "assets" / "nik.js").exists()
    assert minify("js", (OVERRIDES / "assets" / "status.js").read_text()).strip() in \
        (built / AssetBundles(OVERRIDES).path("site.js")).read_text()
