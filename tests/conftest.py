"""Shared fixtures: content trees to build from, and the repository's paths."""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

import pytest

# The hostile corpus and the clamd helper (tests/fixtures/*.py) are imported by module name,
# also from other folders' conftest.py files, which load before pytest_configure runs.
sys.path.insert(0, str(Path(__file__).parent / "fixtures"))

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


@pytest.fixture(scope="session")
def clamd():
    """A real clamd (Debian's clamav-daemon) that knows the EICAR test string:
    ``.socket_path``, ``.host``, ``.port`` (see tests/fixtures/clamd_daemon.py).

    Skipped only where clamd is not installed (``bin/setup --scanner`` installs it; the test
    command does); on CI a missing clamd fails instead, so the scanner is always tested there.
    """
    import os

    from clamd_daemon import clamd_binary, running_clamd

    binary = clamd_binary()
    if binary is None:
        message = "clamd is not installed: run bin/setup --scanner (Debian's clamav-daemon)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with running_clamd(binary) as daemon:
        yield daemon
