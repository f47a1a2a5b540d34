"""Messages that could not be sent: kept in storage and tried again later.

    record_failure(storage, message, code="Throttling", now=now)   # notifications/pending/<id>.json
    report = retry_pending(storage, {"email": ses, "sms": sns}, now=now_wib())
    report.sent, report.failed, report.gave_up, report.waiting

A failed send never loses the message and never blocks what caused it (a status change
is already written when the notifier runs). The rendered message is stored in the
private, encrypted submissions storage (both backends); each retry first *claims* the
record with a conditional write that pushes its next attempt into the future, so two
retry runs at once do not send it twice. After :data:`MAX_ATTEMPTS` tries (about two
days of back-off) the record moves to ``notifications/failed/`` for staff to look at.
Logs carry the event, form id, channel, error code and counts, never an address, a
text or a tracking code.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..clock import isoformat_wib, now_wib, parse_iso
from .senders import Outgoing, Sender, SendError

if TYPE_CHECKING:
    from ..storage import Storage

__all__ = ["FAILED_PREFIX", "MAX_ATTEMPTS", "PENDING_PREFIX", "RetryReport", "backoff",
           "record_failure", "retry_pending"]

log = logging.getLogger("dukcapil.notify")

PENDING_PREFIX = "notifications/pending/"
FAILED_PREFIX = "notifications/failed/"
MAX_ATTEMPTS = 12
FIRST_DELAY = timedelta(minutes=5)
MAX_DELAY = timedelta(hours=6)
RECORD_SCHEMA = 1


@dataclass(frozen=True)
class RetryReport:
    """What one :func:`retry_pending` run did."""

    sent: int = 0
    failed: int = 0
    gave_up: int = 0
    waiting: int = 0


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failures: 5 min, 10, 20 ... at most 6 h."""
    return min(FIRST_DELAY * 2 ** max(attempts - 1, 0), MAX_DELAY)


def record_failure(storage: Storage, message: Outgoing, *, code: str,
                   now: datetime | None = None) -> str:
    """Keep a message that could not be sent; return its storage key.

    Raises whatever the storage raises (the caller logs it: the message is then lost,
    which :class:`~chalicelib.notify.Notifier` reports as ``"lost"``).
    """
    moment = now or now_wib()
    record_id = f"{moment:%Y%m%dT%H%M%S}-{secrets.token_hex(6)}"
    key = f"{PENDING_PREFIX}{record_id}.json"
    storage.put_json(key, {
        "schema": RECORD_SCHEMA,
        "id": record_id,
        "created_at": isoformat_wib(moment),
        "attempts": 1,
        "last_error": code,
        "next_attempt_at": isoformat_wib(moment + backoff(1)),
        "message": message.to_dict(),
    }, if_none_match=True)
    return key


def retry_pending(storage: Storage, senders: Mapping[str, Sender | None], *,
                  now: datetime | None = None, limit: int = 200,
                  max_attempts: int = MAX_ATTEMPTS, force: bool = False) -> RetryReport:
    """Try again every kept message whose time has come (all of them with ``force``).

    ``senders`` maps a channel (``email``, ``sms``) to its sender; a message whose channel
    has none stays kept (and eventually gives up). At most ``limit`` messages are tried
    per run; the others wait for the next run.
    """
    moment = now or now_wib()
    counts = {"sent": 0, "failed": 0, "gave_up": 0, "waiting": 0}
    for key in list(storage.list_keys(PENDING_PREFIX)):
        if not key.endswith(".json"):
            continue
        if counts["sent"] + counts["failed"] >= limit:
            counts["waiting"] += 1
            continue
        for outcome in _retry_one(storage, key, senders, moment, max_attempts, force):
            counts[outcome] += 1
    report = RetryReport(**counts)
    log.info("notify retry run sent=%d failed=%d gave_up=%d waiting=%d",
             report.sent, report.failed, report.gave_up, report.waiting)
    return report


def _retry_one(storage: Storage, key: str, senders: Mapping[str, Sender | None],
               moment: datetime, max_attempts: int, force: bool) -> list[str]:
    """Claim one kept message, try it, and record what happened: the outcomes to count."""
    from ..storage import AlreadyExists, PreconditionFailed

    loaded = storage.get_json(key)
    if loaded is None:
        return []
    record, etag = loaded
    try:
        message = Outgoing.from_dict(record.get("message") or {})
        due = parse_iso(str(record.get("next_attempt_at")))
    except ValueError:
        log.warning("notify retry skipped an unreadable record")
        return []
    if not force and due > moment:
        return ["waiting"]
    attempts = int(record.get("attempts") or 0) + 1
    claimed = {**record, "attempts": attempts,
               "next_attempt_at": isoformat_wib(moment + backoff(attempts))}
    try:
        etag = storage.put_json(key, claimed, if_match=etag)
    except PreconditionFailed:
        return ["waiting"]  # another run has it
    sender = senders.get(message.channel)
    try:
        if sender is None:
            raise SendError("channel_off")
        sender.send(message)
    except SendError as exc:
        outcomes = ["failed"]
        if attempts >= max_attempts:
            with contextlib.suppress(AlreadyExists):
                storage.put_json(FAILED_PREFIX + key.removeprefix(PENDING_PREFIX),
                                 {**claimed, "last_error": exc.code}, if_none_match=True)
            storage.delete(key)
            outcomes.append("gave_up")
        else:
            with contextlib.suppress(PreconditionFailed):
                storage.put_json(key, {**claimed, "last_error": exc.code}, if_match=etag)
        log.info("notify retry event=%s form=%s channel=%s outcome=%s error=%s attempts=%d",
                 message.event, message.form_id, message.channel, outcomes[-1], exc.code, attempts)
        return outcomes
    storage.delete(key)
    log.info("notify retry event=%s form=%s channel=%s outcome=sent attempts=%d",
             message.event, message.form_id, message.channel, attempts)
    return ["sent"]
