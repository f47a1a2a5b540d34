"""Build the real site (subprocess `mkdocs build`, as staff and CI do) from a content tree."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]


def build_site(content: Path, out: Path, *, today: str | None = None, site_url: str = "",
               check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PORTAL_CONTENT_DIR=str(content), NO_MKDOCS_2_WARNING="1", SITE_URL=site_url,
               **(env or {}))
    env.pop("PORTAL_TODAY", None)
    if today:
        env["PORTAL_TODAY"] = today
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(ROOT / "mkdocs.yml"), "-d", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"build failed:\n{result.stdout}\n{result.stderr}")
    return result


def page(out: Path, path: str) -> BeautifulSoup:
    file = out / path / "index.html" if not path.endswith(".html") else out / path
    return BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")


def text(soup: BeautifulSoup, selector: str) -> str:
    found = soup.select_one(selector)
    assert found is not None, f"{selector} not found"
    return " ".join(found.get_text(" ").split())
