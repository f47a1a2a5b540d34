"""Shared fixtures: content trees to build from, and the repository's paths."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CONTENT = ROOT / "content"
FIXTURE_REGENCY = Path(__file__).parent / "fixtures" / "regency"


class ContentTree:
    """A copy of a content folder that a test may change; `announce()` adds an announcement."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def announce(self, slug: str, *, date: str = "2024-01-01", closure: str | None = None,
                 title: str = "Pengumuman uji", body: str = "Isi pengumuman.") -> Path:
        lines = ["---", f"title: {title}", f"date: {date}"]
        if closure is not None:
            lines += ["closure:", *("  " + line for line in textwrap.dedent(closure).strip().splitlines())]
        lines += ["---", body, ""]
        return self.write(f"announcements/{slug}.md", "\n".join(lines))


@pytest.fixture
def regency(tmp_path: Path) -> ContentTree:
    """The made-up Kabupaten Sukamaju: three offices, two guides, one form, one closure."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_REGENCY, target)
    return ContentTree(target)


@pytest.fixture
def shipped(tmp_path: Path) -> ContentTree:
    target = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT, target)
    return ContentTree(target)


def pytest_configure(config):
    # Test helpers shared between folders (buildutil, searchutil, staff_support) import by module name.
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "site"))
    sys.path.insert(0, str(Path(__file__).parent / "staff"))
