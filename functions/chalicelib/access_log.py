"""Access records: which staff member read which applications, when, and how.

Every staff read of residents' data (``inbox``, ``show``, ``download``, ``export``) and
every ``purge`` leaves one small JSON object in storage, written create-only
(``put_json(if_none_match=True)``) under its own random key, so two records never
collide and none is ever overwritten::

    audit/<YYYY-MM-DD WIB>/<HHMMSS>-<random>.json
    {"at": "2020-09-28T10:15:00+07:00", "action": "show", "by": "Rina", "os_user": "rina",
     "host": "loket-3", "codes": ["K7QM-2XRD-9F"], "form_id": "ktp-el-baru",
     "days": ["2020-09-28"], "count": 1}

A record names the applications (tracking codes), the form and the days, never an
answer, a NIK, a name or a file. :class:`AuditedCasework` wraps the casework service so
that the record is written *before* anything is shown or written to disk: when it
cannot be written, the read fails and nothing leaves storage.

    reads = AuditedCasework(casework, AccessLog(storage, actor=Actor.current(by="Rina")))
    application = reads.show("K7QM-2XRD-9F")

On S3 the bucket's server access logs (deploy template) record every request as well;
staff may create access records but not read or change them (docs/iam-staff-policy.json).
They are kept ``access_records_days`` (``content/retention.yml``).
"""

from __future__ import annotations

import getpass
import logging
import re
import secrets
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .casework import CaseworkError
from .clock import Clock, isoformat_wib, now_wib, to_wib

if TYPE_CHECKING:
    from .casework import Application, Casework, Download, Export, InboxEntry, StatusChange
    from .storage import Storage

__all__ = ["ACCESS_PREFIX", "ACTIONS", "AccessLog", "AccessNotRecorded", "Actor", "AuditedCasework"]

log = logging.getLogger("dukcapil.access")

ACCESS_PREFIX = "audit/"
ACTIONS = frozenset({"inbox", "show", "download", "export", "purge"})
MAX_CODES = 5000
_NAME = re.compile(r"[^\w .@'-]+")


@dataclass(frozen=True)
class Actor:
    """Who reads: the name staff give (``--by``/``PORTAL_STAFF``), the OS user, the host."""

    by: str
    os_user: str
    host: str

    @classmethod
    def current(cls, by: str | None = None) -> Actor:
        """The person at this terminal; ``by`` defaults to the operating-system user."""
        try:
            user = getpass.getuser()
        except (OSError, KeyError):  # no login name in some containers
            user = "?"
        name = _clean(by) or _clean(user) or "?"
        return cls(by=name, os_user=_clean(user) or "?", host=_clean(socket.gethostname()) or "?")


class AccessNotRecorded(CaseworkError):
    """The access record could not be written, so nothing was shown or written."""

    code = "access_not_recorded"


class AccessLog:
    """Writes access records into one :class:`Storage`.

    Parameters
    ----------
    storage:
        Where the records go (the same storage the applications are read from).
    actor:
        Who is reading.
    clock:
        Returns the current aware time (records are stamped and filed in WIB).
    """

    def __init__(self, storage: Storage, actor: Actor, *, clock: Clock = now_wib) -> None:
        self.storage = storage
        self.actor = actor
        self._clock = clock

    def record(self, action: str, *, codes: Iterable[str] = (), form_id: str | None = None,
               days: Iterable[date | str] = (), count: int | None = None) -> str:
        """Write one access record and return its key.

        Raises
        ------
        ValueError
            An unknown action.
        AccessNotRecorded
            The record could not be written (no permission, storage down): callers must
            then not show or write the data.
        """
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        moment = to_wib(self._clock())
        listed = sorted({str(code) for code in codes})
        body: dict[str, Any] = {
            "at": isoformat_wib(moment),
            "action": action,
            "by": self.actor.by,
            "os_user": self.actor.os_user,
            "host": self.actor.host,
            "codes": listed[:MAX_CODES],
            "form_id": form_id,
            "days": sorted({d.isoformat() if isinstance(d, date) else str(d) for d in days}),
            "count": len(listed) if count is None else count,
        }
        if len(listed) > MAX_CODES:
            body["codes_truncated"] = len(listed) - MAX_CODES
        key = (f"{ACCESS_PREFIX}{moment:%Y-%m-%d}/{moment:%H%M%S}-"
               f"{secrets.token_hex(8)}.json")
        try:
            self.storage.put_json(key, body, if_none_match=True)
        except Exception as error:
            log.error("access record failed action=%s error=%s", action, type(error).__name__)
            raise AccessNotRecorded(
                f"catatan akses tidak bisa disimpan ({type(error).__name__}), jadi data "
                "permohonan tidak ditampilkan atau ditulis. Periksa izin menulis ke audit/ "
                "(docs/iam-staff-policy.json) lalu coba lagi",
            ) from error
        log.info("access recorded action=%s count=%d", action, body["count"])
        return key

    def keys(self, day: date) -> list[str]:
        """Keys of the records of one WIB day (for auditors and tests)."""
        return list(self.storage.list_keys(f"{ACCESS_PREFIX}{day.isoformat()}/"))


class AuditedCasework:
    """:class:`~chalicelib.casework.Casework` whose reads leave an access record first.

    ``inbox``, ``show``, ``download`` and ``export`` read, record, then hand back or
    write; anything else (``set_status``, ``forms``) is the wrapped service's own.
    """

    def __init__(self, casework: Casework, access: AccessLog) -> None:
        self.casework = casework
        self.access = access

    @property
    def forms(self) -> Any:
        return self.casework.forms

    @property
    def storage(self) -> Storage:
        return self.casework.storage

    def form_of(self, application: Application) -> Any:
        return self.casework.form_of(application)

    def forms_received(self, day: date) -> list[str]:
        return self.casework.forms_received(day)

    def set_status(self, tracking_code: str, status: str, **change: Any) -> StatusChange:
        return self.casework.set_status(tracking_code, status, **change)

    def scan_states(self, application: Application) -> Any:
        return self.casework.scan_states(application)

    def inbox(self, first_day: date, last_day: date, **filters: Any) -> list[InboxEntry]:
        """The inbox, recorded with every tracking code it lists."""
        entries = self.casework.inbox(first_day, last_day, **filters)
        self.access.record("inbox", codes=[e.tracking_code for e in entries],
                           form_id=filters.get("form_id"), days=_span(first_day, last_day))
        return entries

    def show(self, tracking_code: str) -> Application:
        """One application (to print), recorded before it is returned."""
        application = self.casework.get(tracking_code)
        self._record_one("show", application)
        return application

    def download(self, tracking_code: str, destination: Path, *,
                 forbidden: Iterable[Path] = (), revision: int | None = None) -> Download:
        """Record, then write the application's record and files (see ``Casework.download``)."""
        from .casework import check_destination

        check_destination(destination, forbidden)  # refuse before recording anything
        self._record_one("download", self.casework.get(tracking_code))
        return self.casework.download(tracking_code, destination, forbidden=forbidden,
                                      revision=revision)

    def export(self, day: date, form_id: str) -> Export:
        """One day's rows for one form, recorded with their tracking codes."""
        result = self.casework.export(day, form_id)
        self.access.record("export", codes=[row[0] for row in result.rows], form_id=form_id,
                           days=[day])
        return result

    def _record_one(self, action: str, application: Application) -> None:
        record = application.record
        day = application.key.split("/")[1] if application.key.count("/") >= 3 else ""
        self.access.record(action, codes=[application.tracking_code],
                           form_id=str(record.get("form_id") or "") or None,
                           days=[day] if day else ())


def _span(first: date, last: date) -> Sequence[date]:
    """Every day of the range asked for (the inbox allows at most 366)."""
    return [first + timedelta(days=n) for n in range(max(0, (last - first).days) + 1)]


def _clean(text: object) -> str:
    value = " ".join(_NAME.sub(" ", str(text or "")).split())
    return value[:80]
