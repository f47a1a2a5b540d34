"""Bounds on how many submissions, and how many declared bytes, are created per window.

Not per client (API Gateway throttles each route, the local server each client): a
counter in storage caps what the whole service accepts in one time window, so a
flood of pending submissions cannot fill the bucket or the staff's inbox however
many addresses it comes from::

    quota = quota_from_env(storage)                   # QUOTA_* settings, see QuotaSettings
    quota.reserve(submissions=1, declared_bytes=sum(f.size for f in request.files))
    # -> raises chalicelib.errors.TooManyRequests (429, Retry-After) when the window is full

Counters live at ``quota/<YYYY-MM-DD>/<HHMM>-<shard>.json`` (window start in WIB) as
``{"submissions": n, "bytes": b}`` and are changed only by conditional writes
(``put_json(if_none_match=...)`` / ``put_json(if_match=etag)``), which both backends
support: two concurrent reservations never both take the last place. The window's
allowance is split over a few shards (keys), each holding its share, so concurrent
creates on S3 rarely write the same key; a reservation tries the shards in random
order and is refused only when none has room. Old windows are removed by a lifecycle
rule on S3 (``quota/``, 2 days) and by :meth:`SubmissionQuota.purge` locally.

Nothing personal is stored or logged here: counts and window names only.
"""

from __future__ import annotations

import logging
import math
import os
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .clock import WIB, Clock, format_wait, now_wib, to_wib
from .errors import TooManyRequests

if TYPE_CHECKING:
    from .storage import Storage

__all__ = [
    "QUOTA_PREFIX",
    "QuotaSettings",
    "SubmissionQuota",
    "quota_from_env",
]

log = logging.getLogger("dukcapil.quota")

QUOTA_PREFIX = "quota/"
MAX_ATTEMPTS = 4
"""Conditional-write attempts per shard before trying the next one."""

BUSY_RETRY_AFTER = 5
"""Seconds a client is told to wait when every shard kept changing under us."""

_EPOCH = datetime(2000, 1, 3, tzinfo=WIB)  # a Monday, 00:00 WIB


@dataclass(frozen=True)
class QuotaSettings:
    """How much the service accepts per window (``0`` means no bound).

    Attributes
    ----------
    window:
        Length of one counting window; windows start on whole multiples of it (WIB).
    max_submissions:
        New submissions per window (``QUOTA_MAX_SUBMISSIONS``, default 200).
    max_bytes:
        Declared file bytes per window (``QUOTA_MAX_MEGABYTES`` × 2**20, default 2 GiB).
    shards:
        Counter keys the allowance is split over (``QUOTA_SHARDS``, default 4).
    """

    window: timedelta = timedelta(hours=1)
    max_submissions: int = 200
    max_bytes: int = 2048 * 2**20
    shards: int = 4

    def __post_init__(self) -> None:
        if self.window < timedelta(minutes=1) or self.window > timedelta(days=1):
            raise ValueError("quota window must be between 1 minute and 1 day")
        if timedelta(days=1) % self.window:
            raise ValueError("quota window must divide a day evenly (e.g. 15, 30, 60 minutes)")
        if self.max_submissions < 0 or self.max_bytes < 0:
            raise ValueError("quota bounds must not be negative")
        if not 1 <= self.shards <= 64:
            raise ValueError("quota shards must be between 1 and 64")

    @property
    def enabled(self) -> bool:
        return bool(self.max_submissions or self.max_bytes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> QuotaSettings:
        """Read ``QUOTA_WINDOW_MINUTES``, ``QUOTA_MAX_SUBMISSIONS``, ``QUOTA_MAX_MEGABYTES``,
        ``QUOTA_SHARDS`` (unset: the defaults above).

        Raises
        ------
        ValueError
            A value that is not a whole number, or out of range.
        """
        environ = os.environ if environ is None else environ  # at call time: tests replace it
        default = cls()

        def number(name: str, fallback: int) -> int:
            raw = environ.get(name, "").strip()
            if not raw:
                return fallback
            if not raw.isdigit():
                raise ValueError(f"{name} must be a whole number, not {raw!r}")
            return int(raw)

        return cls(
            window=timedelta(minutes=number("QUOTA_WINDOW_MINUTES",
                                            int(default.window.total_seconds() // 60))),
            max_submissions=number("QUOTA_MAX_SUBMISSIONS", default.max_submissions),
            max_bytes=number("QUOTA_MAX_MEGABYTES", default.max_bytes // 2**20) * 2**20,
            shards=number("QUOTA_SHARDS", default.shards),
        )


class SubmissionQuota:
    """The per-window allowance of new submissions, kept in one :class:`Storage`.

    Parameters
    ----------
    storage:
        Either backend; counters are written with conditional puts.
    settings:
        The bounds; :meth:`QuotaSettings.from_env` by default.
    clock:
        Returns the current aware time (windows are counted in WIB).
    sleep:
        Waits between conflicting writes (tests pass a no-op).
    """

    def __init__(
        self,
        storage: Storage,
        settings: QuotaSettings | None = None,
        *,
        clock: Clock = now_wib,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.storage = storage
        self.settings = settings or QuotaSettings.from_env()
        self._clock = clock
        self._sleep = sleep

    # ------------------------------------------------------------------ windows

    def window_start(self, moment: datetime) -> datetime:
        """The start (WIB) of the window holding ``moment``."""
        local = to_wib(moment)
        elapsed = (local - _EPOCH) // self.settings.window
        return _EPOCH + elapsed * self.settings.window

    def _key(self, start: datetime, shard: int) -> str:
        return f"{QUOTA_PREFIX}{start:%Y-%m-%d}/{start:%H%M}-{shard}.json"

    def _share(self, total: int, shard: int) -> int | None:
        """This shard's part of ``total`` (``None``: no bound)."""
        if not total:
            return None
        base, extra = divmod(total, self.settings.shards)
        return base + (1 if shard < extra else 0)

    # ------------------------------------------------------------------ reserve

    def reserve(self, *, submissions: int = 1, declared_bytes: int = 0) -> None:
        """Count a new submission (and its declared bytes) in the current window.

        Call it once per *new* submission, after its answers passed validation and
        before anything of it is stored.

        Raises
        ------
        TooManyRequests
            The window has no room left (``Retry-After``: until the next window), or
            the counters kept changing under every attempt (``Retry-After``: 5 s).
        ValueError
            Negative amounts.
        """
        if submissions < 0 or declared_bytes < 0:
            raise ValueError("amounts must not be negative")
        settings = self.settings
        if not settings.enabled:
            return
        now = self._clock()
        start = self.window_start(now)
        shards = list(range(settings.shards))
        random.shuffle(shards)
        busy = False
        for shard in shards:
            outcome = self._take(self._key(start, shard), shard, submissions, declared_bytes)
            if outcome == "taken":
                return
            busy = busy or outcome == "busy"
        if busy:
            log.warning("quota busy window=%s", f"{start:%Y-%m-%dT%H%M}")
            raise TooManyRequests(
                "Layanan daring sedang sangat sibuk. Isian Anda belum terkirim, tetapi belum "
                f"hilang; coba lagi dalam {format_wait(BUSY_RETRY_AFTER)}.",
                retry_after=BUSY_RETRY_AFTER,
                code="service_busy",
            )
        wait = (start + settings.window - to_wib(now)).total_seconds()
        log.warning("quota full window=%s", f"{start:%Y-%m-%dT%H%M}")
        raise TooManyRequests(
            "Layanan daring sedang menerima terlalu banyak permohonan. Isian Anda belum "
            "terkirim, tetapi belum hilang; coba lagi dalam "
            f"{format_wait(wait)}.",
            retry_after=math.ceil(wait),
            code="submission_quota_reached",
        )

    def _take(self, key: str, shard: int, submissions: int, declared_bytes: int) -> str:
        """Add to one shard's counter: ``"taken"``, ``"full"`` or ``"busy"``."""
        from .storage import AlreadyExists, PreconditionFailed

        cap_submissions = self._share(self.settings.max_submissions, shard)
        cap_bytes = self._share(self.settings.max_bytes, shard)
        for attempt in range(MAX_ATTEMPTS):
            loaded = self.storage.get_json(key)
            used, etag = loaded if loaded else ({}, None)
            count = _whole(used.get("submissions")) + submissions
            size = _whole(used.get("bytes")) + declared_bytes
            if (cap_submissions is not None and count > cap_submissions) or (
                cap_bytes is not None and size > cap_bytes
            ):
                return "full"
            counter = {"submissions": count, "bytes": size}
            try:
                if etag is None:
                    self.storage.put_json(key, counter, if_none_match=True)
                else:
                    self.storage.put_json(key, counter, if_match=etag)
            except (AlreadyExists, PreconditionFailed):
                self._sleep(random.uniform(0, 0.02 * 2**attempt))
                continue
            return "taken"
        return "busy"

    # ------------------------------------------------------------------- report

    def usage(self, moment: datetime | None = None) -> tuple[int, int]:
        """``(submissions, bytes)`` counted so far in the window holding ``moment`` (now)."""
        start = self.window_start(moment or self._clock())
        submissions = size = 0
        for shard in range(self.settings.shards):
            loaded = self.storage.get_json(self._key(start, shard))
            if loaded:
                submissions += _whole(loaded[0].get("submissions"))
                size += _whole(loaded[0].get("bytes"))
        return submissions, size

    def stale_keys(self, moment: datetime | None = None) -> list[str]:
        """Counter keys of days before yesterday (WIB): nothing reads them any more."""
        today = to_wib(moment or self._clock()).date()
        keep_from = (today - timedelta(days=1)).isoformat()
        stale = []
        for key in self.storage.list_keys(QUOTA_PREFIX):
            day = key[len(QUOTA_PREFIX):].split("/", 1)[0]
            if day < keep_from:
                stale.append(key)
        return stale

    def purge(self, moment: datetime | None = None) -> int:
        """Delete counters of days before yesterday; return how many (local backend)."""
        stale = self.stale_keys(moment)
        for key in stale:
            self.storage.delete(key)
        return len(stale)


def quota_from_env(storage: Storage, environ: Mapping[str, str] | None = None) -> SubmissionQuota:
    """The submission quota on ``storage`` with the ``QUOTA_*`` settings of ``environ``."""
    environ = os.environ if environ is None else environ  # read at call time: Chalice's test client replaces os.environ
    return SubmissionQuota(storage, QuotaSettings.from_env(environ))


def _whole(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
