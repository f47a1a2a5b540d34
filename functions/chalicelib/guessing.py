"""Guessing a status token must not pay: a few wrong tokens lock the tracking code a while.

    guard = GuessGuard(storage, clock=now_wib)
    guard.check(code)            # raises Locked while the code is locked
    guard.failed(code)           # after a wrong token; locks at the limit
    guard.succeeded(code)        # after a right one (clears the count)

One small JSON object per tracking code, ``index/attempts/<CODE>.json``, written
with a conditional put so concurrent guesses all count, on S3 and locally. While
locked even the right token is refused, so the lock cannot be probed. Someone
who knows a code can lock its owner out for :attr:`lock_for` at most; the
per-client limits of the API make that slow to repeat.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import layout
from .clock import Clock, isoformat_wib, parse_iso
from .errors import TooManyRequests

if TYPE_CHECKING:
    from .storage import Storage

__all__ = ["GuessGuard", "MAX_WRONG", "WINDOW", "LOCK_FOR"]

log = logging.getLogger("dukcapil.submissions")

MAX_WRONG = 5
"""Wrong tokens for one code, within :data:`WINDOW`, that lock it."""
WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=30)


class GuessGuard:
    """Count wrong status tokens per tracking code and lock codes that are being guessed."""

    def __init__(self, storage: Storage, *, clock: Clock, max_wrong: int = MAX_WRONG,
                 window: timedelta = WINDOW, lock_for: timedelta = LOCK_FOR) -> None:
        self.storage = storage
        self._clock = clock
        self.max_wrong = max_wrong
        self.window = window
        self.lock_for = lock_for

    def check(self, code: str) -> None:
        """Raise :class:`TooManyRequests` while ``code`` is locked."""
        loaded = self.storage.get_json(layout.attempts_key(code))
        if loaded is None:
            return
        until = _time(loaded[0].get("locked_until"))
        now = self._clock()
        if until is not None and until > now:
            raise _locked(until, now)

    def failed(self, code: str) -> None:
        """Count one wrong token; the count that reaches the limit locks the code."""
        now = self._clock()

        def change(state: dict[str, Any]) -> dict[str, Any]:
            recent = [t for t in state.get("wrong", []) if _within(t, now, self.window)]
            recent.append(isoformat_wib(now))
            state = {"wrong": recent[-self.max_wrong:]}
            if len(recent) >= self.max_wrong:
                state["locked_until"] = isoformat_wib(now + self.lock_for)
                log.info("status locked after %d wrong tokens", len(recent))
            return state

        self._update(code, change)

    def succeeded(self, code: str) -> None:
        """Forget earlier wrong tokens (only writes if there were any)."""
        if self.storage.get_json(layout.attempts_key(code)) is not None:
            self.storage.delete(layout.attempts_key(code))

    def _update(self, code: str, change: Any) -> None:
        from .storage import AlreadyExists, PreconditionFailed

        key = layout.attempts_key(code)
        for _ in range(8):
            loaded = self.storage.get_json(key)
            try:
                if loaded is None:
                    self.storage.put_json(key, change({}), if_none_match=True)
                else:
                    self.storage.put_json(key, change(dict(loaded[0])), if_match=loaded[1])
                return
            except (AlreadyExists, PreconditionFailed):
                continue
        log.warning("status attempt not counted: too many concurrent writes")


def _time(text: object) -> datetime | None:
    try:
        return parse_iso(str(text))
    except ValueError:
        return None


def _within(text: object, now: datetime, window: timedelta) -> bool:
    moment = _time(text)
    return moment is not None and now - moment < window


def _locked(until: datetime, now: datetime) -> TooManyRequests:
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    return TooManyRequests(
        "Terlalu banyak percobaan dengan token yang salah untuk kode pelacakan ini. Demi keamanan "
        f"kode ini dikunci sementara; coba lagi dalam {minutes} menit, pukul "
        f"{until.hour:02d}.{until.minute:02d} WIB. Periksa token pada tanda terima atau tautan "
        "di email Anda.",
        code="status_locked",
        retry_after=int((until - now).total_seconds()) + 1,
    )
