"""Remove what the retention policy no longer allows to keep: ``portal purge``.

On S3 the bucket's lifecycle rules do this by themselves (see :mod:`chalicelib.retention`);
the local folder backend has no lifecycle, so staff run ``portal purge`` (first with
``--dry-run``). It works on either backend::

    plan = plan_purge(storage, load_retention(Path("content/retention.yml")))
    for item in plan.applications: print(item.tracking_code, item.closed_at)
    removed = execute_purge(storage, plan)

What goes:

* applications closed (``selesai``/``ditolak``) at least ``closed_applications_days``
  ago, counted from the last closing in their history: the tracking index entry first
  (the status check stops answering), then the files and any other object of the
  application, the record last (so an interrupted purge is found again next time);
* access records (``audit/<day>/``) of days more than ``access_records_days`` ago;
* submission-quota counters of days before yesterday;
* finished documents (``results/``) whose download period (``available_until``) is
  over: the status page already stopped offering them; the record keeps their
  names and digests, and the office can send them again.

Open applications are never touched, however old. On S3 this deletes current
versions; their older versions go by the noncurrent-version lifecycle rules.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from . import layout
from .access_log import ACCESS_PREFIX
from .clock import now_wib, parse_iso, to_wib
from .retention import RetentionPolicy, closed_at

if TYPE_CHECKING:
    from .storage import Storage

__all__ = ["ExpiredApplication", "PurgePlan", "execute_purge", "plan_purge"]

log = logging.getLogger("dukcapil.purge")

_RECORD_KEY = re.compile(
    r"^applications/(?P<day>\d{4}-\d{2}-\d{2})/(?P<form>[^/]+)/(?P<code>[^/]+)/record\.json$"
)
_AUDIT_DAY = re.compile(r"^audit/(?P<day>\d{4}-\d{2}-\d{2})/")


@dataclass(frozen=True)
class ExpiredApplication:
    """A closed application past its retention period, and every key to delete."""

    tracking_code: str
    form_id: str
    status: str
    closed_at: datetime
    record_key: str
    keys: tuple[str, ...]  # in deletion order: index entry, files, record last


@dataclass
class PurgePlan:
    """What a purge removes (nothing is deleted until :func:`execute_purge`)."""

    now: datetime
    policy: RetentionPolicy
    applications: list[ExpiredApplication] = field(default_factory=list)
    access_records: list[str] = field(default_factory=list)
    quota_counters: list[str] = field(default_factory=list)
    finished_documents: list[str] = field(default_factory=list)

    @property
    def object_count(self) -> int:
        return (sum(len(item.keys) for item in self.applications) + len(self.access_records)
                + len(self.quota_counters) + len(self.finished_documents))


def plan_purge(storage: Storage, policy: RetentionPolicy, *,
               now: datetime | None = None) -> PurgePlan:
    """Find everything past its retention period (reads records; deletes nothing)."""
    moment = to_wib(now or now_wib())
    plan = PurgePlan(moment, policy)
    keep_closed = timedelta(days=policy.closed_applications_days)
    for key in list(storage.list_keys(layout.APPLICATIONS_PREFIX)):
        match = _RECORD_KEY.match(key)
        if not match:
            continue
        loaded = storage.get_json(key)
        if loaded is None:
            continue
        record = loaded[0]
        plan.finished_documents.extend(_documents_past_their_period(storage, record, moment))
        closed = closed_at(record)
        try:
            closed_moment = parse_iso(closed) if closed else None
        except ValueError:
            closed_moment = None
        if closed_moment is None or moment - closed_moment < keep_closed:
            continue
        code = str(record.get("tracking_code") or match["code"])
        prefix = key.rsplit("/", 1)[0] + "/"
        others = [k for k in storage.list_keys(prefix) if k != key]
        plan.applications.append(ExpiredApplication(
            tracking_code=code,
            form_id=str(record.get("form_id") or match["form"]),
            status=str(record.get("status")),
            closed_at=closed_moment,
            record_key=key,
            keys=(layout.tracking_index_key(code), *others, key),
        ))
    oldest_kept = (moment.date() - timedelta(days=policy.access_records_days)).isoformat()
    for key in storage.list_keys(ACCESS_PREFIX):
        day = _AUDIT_DAY.match(key)
        if day and day["day"] < oldest_kept:
            plan.access_records.append(key)
    from .quota import QuotaSettings, SubmissionQuota

    plan.quota_counters = SubmissionQuota(storage, QuotaSettings()).stale_keys(moment)
    return plan


def execute_purge(storage: Storage, plan: PurgePlan) -> int:
    """Delete everything in ``plan``; return how many objects were deleted."""
    deleted = 0
    for item in plan.applications:
        for key in item.keys:
            storage.delete(key)
            deleted += 1
    purged = {key for item in plan.applications for key in item.keys}
    for key in [*plan.access_records, *plan.quota_counters,
                *(k for k in plan.finished_documents if k not in purged)]:
        storage.delete(key)
        deleted += 1
    log.info("purge applications=%d access_records=%d quota=%d documents=%d objects=%d",
             len(plan.applications), len(plan.access_records), len(plan.quota_counters),
             len(plan.finished_documents), deleted)
    return deleted


def _documents_past_their_period(storage: Storage, record: dict, moment: datetime) -> list[str]:
    """Finished documents whose ``available_until`` has passed and that still exist."""
    from .results import document_available

    result = record.get("result")
    if not isinstance(result, dict) or result.get("kind") != "document":
        return []
    if record.get("status") == "selesai" and document_available(record, moment):
        return []
    keys = [str(d.get("key")) for d in result.get("documents", []) if d.get("key")]
    return [key for key in keys if storage.head(key) is not None]
