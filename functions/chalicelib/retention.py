"""How long applications are kept once closed, and the marks that let storage delete them.

The period is office policy, set in ``content/retention.yml``::

    closed_applications_days: 365    # after the status became selesai or ditolak
    access_records_days: 730         # staff access records (audit/)

:func:`load_retention` reads it (errors as ``file:line: message``, for the content
checker); ``functions/build.py`` writes both numbers into the deploy template's
lifecycle rules; ``portal purge`` enforces them on either backend.

**Closing marks.** S3 expires an object a number of days after its *last write*, and
re-tagging an object does not reset that age. So when a status change closes an
application (``selesai``/``ditolak``), the record is written with the tag
``retention=closed`` (:func:`tags_for`), and every other object of the application
(its files, a result document) and its tracking index entry are rewritten in place
with that tag (:func:`mark_application`, ``Storage.rewrite_tags``): all of them are
new versions dated from the closing, which the lifecycle rule "tag retention=closed,
expire after N days" then removes exactly N days later (S3 rounds to the next
midnight UTC). The versions they replace become noncurrent at the closing and expire
N days later by the rule for noncurrent versions. Reopening an application (a status
other than selesai/ditolak) writes everything again without the tag, so nothing of an
open application ever expires.

A status change writes the record first and then marks the other objects: a crash in
between keeps objects longer than needed (``portal purge`` removes them with the
record), never deletes an open application's files.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import layout
from .yamlfile import LineDict, YamlSyntaxError, parse_yaml

if TYPE_CHECKING:
    from .storage import Storage

__all__ = [
    "CLOSED_STATUSES",
    "CLOSED_TAGS",
    "RETENTION_FILE",
    "RETENTION_TAG",
    "RetentionPolicy",
    "RetentionPolicyError",
    "after_status_change",
    "closed_at",
    "is_closed",
    "load_retention",
    "mark_application",
    "tags_for",
]

log = logging.getLogger("dukcapil.retention")

RETENTION_FILE = "retention.yml"
"""The policy's file name inside ``content/``."""

CLOSED_STATUSES = frozenset({"selesai", "ditolak"})
"""Statuses that close an application: its retention period starts."""

RETENTION_TAG = "retention"
CLOSED_TAGS: Mapping[str, str] = {RETENTION_TAG: "closed"}
"""The object tag the S3 lifecycle rule for closed applications filters on."""

MAX_DAYS = 36500
_KEYS = {
    "closed_applications_days": "masa simpan permohonan yang sudah selesai atau ditolak",
    "access_records_days": "masa simpan catatan akses petugas",
}


# --------------------------------------------------------------------------- policy


@dataclass(frozen=True)
class RetentionPolicy:
    """Days things are kept (see ``content/retention.yml``)."""

    closed_applications_days: int = 365
    access_records_days: int = 730


class RetentionPolicyError(Exception):
    """``retention.yml`` is missing or wrong; ``problems`` lists ``(line, message)``."""

    def __init__(self, path: Path, problems: list[tuple[int, str]]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}:{line}: {message}" for line, message in problems))


def load_retention(path: Path) -> RetentionPolicy:
    """Read and check a retention policy file.

    Example::

        >>> load_retention(Path("content/retention.yml")).closed_applications_days
        365

    A missing file means the defaults of :class:`RetentionPolicy` (365 and 730 days);
    the shipped ``content/retention.yml`` states them explicitly.

    Raises
    ------
    RetentionPolicyError
        Broken YAML, an unknown or missing key, or a number of days that is not a
        whole number from 1 to 36500; every problem with its line.
    """
    path = Path(path)
    problems: list[tuple[int, str]] = []

    def error(line: int, message: str) -> None:
        problems.append((line, message))

    try:
        data = parse_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return RetentionPolicy()
    except YamlSyntaxError as exc:
        data = None
        error(exc.line, exc.message)
    if data is not None and not isinstance(data, LineDict):
        error(getattr(data, "line", 1), "retention.yml harus berupa pasangan 'kunci: nilai'")
    values: dict[str, int] = {}
    if isinstance(data, LineDict):
        for key in data:
            if key not in _KEYS:
                error(data.line_of(key), f"kunci '{key}' tidak dikenal di retention.yml "
                                         f"(yang dikenal: {', '.join(sorted(_KEYS))})")
        for key, meaning in _KEYS.items():
            value = data.get(key)
            if value is None:
                error(data.line_of(key), f"'{key}' wajib diisi: {meaning}, dalam hari")
            elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
                error(data.line_of(key), f"'{key}': '{value}' harus bilangan bulat hari, "
                                         f"1 sampai {MAX_DAYS}")
            else:
                values[key] = value
    if problems:
        raise RetentionPolicyError(path, sorted(problems))
    return RetentionPolicy(**values)


# --------------------------------------------------------------------------- closing


def is_closed(status: object) -> bool:
    """Whether ``status`` closes an application (``selesai`` or ``ditolak``)."""
    return status in CLOSED_STATUSES


def tags_for(record: Mapping[str, Any]) -> dict[str, str]:
    """The tags every write of this application record must carry.

    Pass them to ``put_json(..., tags=tags_for(record))`` wherever a record is written:
    a closed record carries ``retention=closed``, an open one none.
    """
    return dict(CLOSED_TAGS) if is_closed(record.get("status")) else {}


def closed_at(record: Mapping[str, Any]) -> str | None:
    """When the application was last closed: the ``at`` of the last history entry that
    set a closed status (each such write restarts the S3 age too); ``None`` while open."""
    if not is_closed(record.get("status")):
        return None
    for entry in reversed(record.get("history") or []):
        if isinstance(entry, Mapping) and is_closed(entry.get("to")) and entry.get("at"):
            return str(entry["at"])
    return None


def mark_application(storage: Storage, record_key: str, tracking_index_key: str | None,
                     *, closed: bool) -> int:
    """Rewrite every object of an application but its record with the closing tag
    (``closed``) or without it; return how many objects were rewritten.

    Other tags an object carries are kept, except GuardDuty's verdict: staff may never
    write that tag (their policy denies it, so nobody can forge "no threats"), and the
    rewritten object is a new version GuardDuty scans again. An object a scanner
    flagged as a threat is never rewritten, so it stays quarantined (``portal purge``
    removes it with the application). Closing rewrites every other object even if it
    is already tagged, so its age restarts at this closing; reopening rewrites only
    the tagged ones. The record itself is written by its status change, with
    :func:`tags_for`.
    """
    from .scanning import GUARDDUTY_TAG, state_from_tags
    from .storage import NotFound

    prefix = record_key.rsplit("/", 1)[0] + "/"
    keys = [key for key in storage.list_keys(prefix) if key != record_key]
    if tracking_index_key:
        keys.append(tracking_index_key)
    rewritten = 0
    for key in keys:
        current = storage.tags(key)
        if current is None:  # an index entry removed meanwhile: nothing to mark
            continue
        if state_from_tags(current).infected:
            continue
        wanted = {name: value for name, value in current.items()
                  if name not in (RETENTION_TAG, GUARDDUTY_TAG)}
        if closed:
            wanted.update(CLOSED_TAGS)
        elif wanted == current:
            continue
        try:
            storage.rewrite_tags(key, wanted)
        except NotFound:
            continue
        rewritten += 1
    log.info("retention %s objects=%d", "closed" if closed else "reopened", rewritten)
    return rewritten


def after_status_change(storage: Storage, record_key: str, tracking_code: str,
                        old_status: object, new_status: object) -> int:
    """Mark or unmark an application's other objects once its record was written with
    :func:`tags_for`: when the new status is closed, or the old one was. Returns how many
    objects were rewritten (0 when neither status is closed).

    Two staff closing and reopening one application at once could finish marking in
    the other order; so after marking, the record is read again and, if its status has
    meanwhile gone the other way, the marks follow the record (a few rounds at most).
    """
    if not (is_closed(new_status) or is_closed(old_status)):
        return 0
    closed = is_closed(new_status)
    rewritten = 0
    for _ in range(3):
        rewritten += mark_application(storage, record_key,
                                      layout.tracking_index_key(tracking_code), closed=closed)
        current = storage.get_json(record_key)
        now_closed = bool(current) and is_closed(current[0].get("status"))
        if now_closed == closed:
            break
        closed = now_closed
    return rewritten
