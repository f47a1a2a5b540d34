"""What the staff commands in ``cli_publish`` and ``cli_applications`` share.

Kept apart from ``cli.py`` (which registers those commands) so that importing any of
the three modules first never meets a half-initialised one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

ROOT = Path(__file__).resolve().parents[2]
"""The repository (the folder holding ``mkdocs.yml``)."""

DEFAULT_CONTENT = Path(os.environ.get("PORTAL_CONTENT_DIR") or ROOT / "content")
DEFAULT_SITE_OUT = ROOT / "build" / "site"

F = TypeVar("F", bound=Callable[..., object])


def content_option(func: F) -> F:
    """The ``--content DIR`` option every command reading ``content/`` takes."""
    return click.option(
        "--content", "content_dir", type=click.Path(file_okay=False, path_type=Path),
        default=DEFAULT_CONTENT, show_default=True, help="Folder konten (content/).",
    )(func)


def private_data_forbidden_dirs(content_dir: Path | None = None) -> list[Path]:
    """Folders residents' personal data must never be written into.

    The site's build folder (anything there may be published) and the repository's
    ``content/`` and ``site/`` (anything there may be committed), plus the content
    folder in use when it lives elsewhere.
    """
    folders = [ROOT / "build", ROOT / "content", ROOT / "site"]
    if content_dir is not None:
        folders.append(Path(content_dir))
    return folders
