"""Page weight on a cold cache: what a browser fetches for one page, gzip-compressed.

For each page kind of a built site (home, guide, office, announcement, forms index,
form, receipt, status check) it counts the page, every stylesheet, script and icon
it links, Material's search worker and the search index (fetched on every first
visit of a page with the search form; form pages have none), each as gzip level 6
(what CloudFront and the local server send).
Budget: 100 KB per page.

    python benchmarks/page_weight.py                 # builds the shipped site first
    python benchmarks/page_weight.py build/site      # an existing build
"""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 100 * 1024

PAGE_KINDS: dict[str, str] = {
    "home": "index.html",
    "guide": "layanan/ktp-el-baru/index.html",
    "office": "kantor/bawen/index.html",
    "announcements": "pengumuman/index.html",
    "forms index": "formulir/index.html",
    "form": "formulir/ktp-el-baru/index.html",
    "receipt": "formulir/terkirim/index.html",
    "status check": "formulir/status/index.html",
}
"""Representative pages, relative to the site folder."""

_REFERENCE = re.compile(r'<(?:link|script)\b[^>]*?\b(?:href|src|data-src)="([^"]+)"[^>]*>')
_WORKER = re.compile(r'"search":\s*"([^"]+)"')
_SEARCH_FORM = re.compile(r'<form\b[^>]*\bname="search"')


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, 6, mtime=0))


def page_transfer(site: Path, page: str) -> dict[str, int]:
    """Gzip bytes of every file a cold first visit to ``page`` fetches, by site path."""
    html = (site / page).read_bytes()
    sizes = {page: gzip_size(html)}
    base = "/" + page
    text = html.decode("utf-8")
    found = [m.group(1) for m in _REFERENCE.finditer(text)]
    worker = _WORKER.search(text)
    if worker and _SEARCH_FORM.search(text):  # Material starts search only where its form is
        found.append(worker.group(1))
        found.append(urljoin(base, _site_root(text) + "search/search_index.json"))
    for reference in found:
        parts = urlsplit(reference)
        if parts.scheme or parts.netloc:
            sizes[reference] = -1  # a third-party request: must never happen
            continue
        path = urljoin(base, parts.path).lstrip("/")
        file = site / path
        if file.is_file() and path not in sizes:
            sizes[path] = gzip_size(file.read_bytes())
    return sizes


def _site_root(html: str) -> str:
    match = re.search(r'"base":\s*"([^"]*)"', html)
    return (match.group(1) if match else ".").rstrip("/") + "/"


def report(site: Path, kinds: dict[str, str] = PAGE_KINDS) -> dict[str, dict[str, int]]:
    """Transfer per page kind: ``{kind: {path: gzip bytes}}`` (kinds missing from the build are skipped)."""
    return {kind: page_transfer(site, page) for kind, page in kinds.items() if (site / page).is_file()}


def build(out: Path) -> None:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(ROOT / "mkdocs.yml"),
                    "-d", str(out)], check=True, env=env, cwd=ROOT)


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(argv[0]) if argv else Path(scratch) / "site"
        if not argv:
            build(site)
        rows = report(site)
        print(f"{'page':<14} {'requests':>8} {'KB gzip':>8}  budget {BUDGET // 1024} KB")
        over = 0
        for kind, sizes in rows.items():
            total = sum(sizes.values())
            over += total > BUDGET
            print(f"{kind:<14} {len(sizes):>8} {total / 1024:>8.1f}  {'OVER' if total > BUDGET else 'ok'}")
        largest = max(rows.items(), key=lambda item: sum(item[1].values()))
        print(f"\nHeaviest page ({largest[0]}), gzip bytes per file:")
        for path, size in sorted(largest[1].items(), key=lambda item: -item[1]):
            print(f"  {size:>7}  {path}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
