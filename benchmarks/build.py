"""Build-time benchmark: shipped content and synthetic trees of 1,000 and 10,000 announcements.

Prints build seconds, milliseconds per announcement, and the home page's first-visit
transfer size (HTML + CSS + JS + fonts + search index, gzip), as the issue asks.

    python benchmarks/build.py            # shipped, 1000, 10000
    python benchmarks/build.py 1000 2000  # chosen sizes
"""

from __future__ import annotations

import gzip
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def synthetic_content(target: Path, count: int, seed: int = 7) -> Path:
    """Shipped content plus `count` generated announcements (a third of them closures)."""
    shutil.copytree(ROOT / "content", target)
    offices = re.findall(r"^  - id: (\S+)", (target / "offices.yml").read_text(), re.M)
    rng = random.Random(seed)
    folder = target / "announcements"
    start = date(2010, 1, 1)
    for i in range(count):
        day = start + timedelta(days=i % 5000)
        lines = ["---", f"title: Pengumuman nomor {i} tentang layanan kependudukan", f"date: {day.isoformat()}",
                 f"categories: [{rng.choice(['Informasi', 'Jadwal', 'Penutupan layanan'])}]"]
        if i % 3 == 0:
            chosen = "all" if i % 9 == 0 else "[" + ", ".join(rng.sample(offices, 2)) + "]"
            lines += ["closure:", f"  offices: {chosen}", f"  first_day: {day.isoformat()}",
                      f"  days: {rng.randint(1, 5)}", "  reason: Pemeliharaan jaringan.",
                      "  instead: Ajukan secara daring lewat [formulir](formulir:)."]
        lines += ["---", "", f"Isi pengumuman {i}. Kantor melayani warga seperti biasa setelah pemeliharaan.", ""]
        (folder / f"{day.isoformat()}-pengumuman-{i}.md").write_text("\n".join(lines), encoding="utf-8")
    return target


def build(content: Path, out: Path) -> float:
    env = dict(os.environ, PORTAL_CONTENT_DIR=str(content), NO_MKDOCS_2_WARNING="1")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(ROOT / "mkdocs.yml"), "-d", str(out)],
                   check=True, env=env, cwd=ROOT)
    return time.perf_counter() - started


def home_transfer_bytes(out: Path) -> dict[str, int]:
    """Gzip size of what a browser fetches for a first visit to the home page."""
    html = (out / "index.html").read_text(encoding="utf-8")
    refs = re.findall(r'(?:href|src)="([^"?]+\.(?:css|js|woff2?))(?:\?[^"]*)?"', html)
    sizes = {"index.html": len(gzip.compress(html.encode(), 6))}
    for ref in refs:
        if ref.startswith(("http:", "https:", "//")):
            sizes[ref] = -1  # third-party request: should never happen
            continue
        path = out / ref.split("?")[0]
        sizes[ref] = len(gzip.compress(path.read_bytes(), 6))
    worker = re.search(r'"search":\s*"([^"]+)"', html)
    if worker:
        sizes[worker.group(1)] = len(gzip.compress((out / worker.group(1)).read_bytes(), 6))
    index = out / "search" / "search_index.json"
    sizes["search/search_index.json"] = len(gzip.compress(index.read_bytes(), 6))
    return sizes


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rows = []
        for count in sizes:
            content = ROOT / "content" if count == 0 else synthetic_content(tmp / f"c{count}", count)
            announcements = len(list((content / "announcements").glob("*.md")))
            out = tmp / f"out{count}"
            seconds = build(content, out)
            transfer = home_transfer_bytes(out)
            rows.append((announcements, seconds, sum(transfer.values()), transfer))
            shutil.rmtree(out)
        print(f"{'announcements':>13} {'build s':>8} {'ms/announcement':>16} {'home KB gzip':>13}")
        for announcements, seconds, total, _ in rows:
            print(f"{announcements:>13} {seconds:>8.2f} {1000 * seconds / announcements:>16.2f} {total / 1024:>13.1f}")
        print("\nHome page first visit (gzip bytes), largest tree:")
        for name, size in sorted(rows[-1][3].items(), key=lambda x: -x[1]):
            print(f"  {size:>8}  {name}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [0, 1000, 10000])
