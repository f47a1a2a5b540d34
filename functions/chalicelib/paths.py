"""Where the function finds `content/` (form definitions, offices, area data).

    from chalicelib.paths import content_dir
    forms_folder = content_dir() / "forms"

The same code runs in three places, so the folder is resolved in this order:

1. the environment variable ``PORTAL_CONTENT_DIR``, if set (tests, a fork's
   own content tree, a self-hosted deployment);
2. ``functions/chalicelib/content/``, if it exists: the build step copies
   `content/` there so that `chalice package` ships it inside the Lambda zip;
3. ``<repository>/content/``, when running from a checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "PORTAL_CONTENT_DIR"
PACKAGED_CONTENT = Path(__file__).resolve().parent / "content"
REPOSITORY_CONTENT = Path(__file__).resolve().parents[2] / "content"


def content_dir() -> Path:
    """Return the content folder the function should read.

    Returns
    -------
    Path
        ``$PORTAL_CONTENT_DIR`` if set and not empty, else the packaged copy
        inside `chalicelib/` if it exists, else the repository's `content/`.
        The folder is not checked further: a missing file is reported by
        whoever reads it, with its full path.
    """
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured:
        return Path(configured)
    if PACKAGED_CONTENT.is_dir():
        return PACKAGED_CONTENT
    return REPOSITORY_CONTENT
