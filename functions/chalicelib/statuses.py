"""Application statuses: their ids, how residents read them, and who acts next.

One record per tracking code moves through these (see the README's lifecycle table)::

    diterima -> diproses -> perlu_perbaikan -> diperbaiki -> ... -> selesai | ditolak

Example::

    >>> STATUS_LABELS["perlu_perbaikan"]
    'Perlu perbaikan'
"""

from __future__ import annotations

__all__ = [
    "STATUS_LABELS",
    "INITIAL_STATUS",
    "CORRECTION_REQUESTED",
    "CORRECTED",
    "FINISHED",
    "REJECTED",
    "CLOSED_STATUSES",
    "STAFF_STATUSES",
]

STATUS_LABELS: dict[str, str] = {
    "diterima": "Diterima",
    "diproses": "Diproses",
    "perlu_perbaikan": "Perlu perbaikan",
    "diperbaiki": "Sudah diperbaiki",
    "selesai": "Selesai",
    "ditolak": "Ditolak",
}
"""Every status a record can hold, in lifecycle order, with the resident's wording."""

INITIAL_STATUS = "diterima"
CORRECTION_REQUESTED = "perlu_perbaikan"
CORRECTED = "diperbaiki"
"""Set by the resident's correction, never by staff: the application is back in the queue."""
FINISHED = "selesai"
REJECTED = "ditolak"

CLOSED_STATUSES = frozenset({FINISHED, REJECTED})
"""Nothing follows these; retention counts from the day one is set."""

STAFF_STATUSES: tuple[str, ...] = tuple(s for s in STATUS_LABELS if s != CORRECTED)
"""The statuses staff may set."""
