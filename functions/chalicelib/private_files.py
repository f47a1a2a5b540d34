"""Files of residents' data written on a staff member's computer: owner-only, atomic.

    write_private(Path("~/permohonan/K7QM-2XRD-9F/record.json").expanduser(), data)

Used by downloads, exports and the local outbox: a file appears whole (temporary
file, fsync, rename) with mode 0600, or not at all.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_private"]


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` with mode 0600, atomically (temporary file, rename)."""
    fd, staged = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # created 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(staged, 0o600)
        os.replace(staged, path)
    except BaseException:
        Path(staged).unlink(missing_ok=True)
        raise
