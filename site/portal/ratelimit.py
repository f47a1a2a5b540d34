"""Per-client request budgets for the local server (``portal serve``, ``bin/serve``).

Three budgets per client address (the socket's peer address: the server trusts no
proxy header), each a moving window from the ``limits`` library::

    create   POST /api/submissions             default 20/minute|200/hour
    upload   POST /upload...                   default 240/minute
    status   POST /api/status                  default 30/minute|300/hour

Over budget, the request is answered at once with ``429 Too Many Requests`` and
``Retry-After`` (seconds until the budget has room again): the API's JSON shape
``{"message", "code"}`` for ``/api``, S3's XML error shape for ``/upload``. Everything
else (pages, ``/api/forms``, ``complete``) is not counted here.

    limiter = ClientLimiter(ClientBudgets.parse("create=5/minute upload=off"))
    app = limiter.wrap(app)

``LOCAL_RATE_LIMITS`` sets the budgets for the run command: ``off``, or space-separated
``kind=limits`` (``limits`` notation, several joined with ``|``), e.g.
``create=10/minute|100/hour status=off``; kinds left out keep their defaults. In
production API Gateway throttles each route instead (``functions/resources.json``).
"""

from __future__ import annotations

import json
import logging
import math
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

__all__ = ["DEFAULT_BUDGETS", "ClientBudgets", "ClientLimiter", "classify"]

log = logging.getLogger("portal.ratelimit")

KINDS = ("create", "upload", "status")
DEFAULT_BUDGETS = {"create": "20/minute|200/hour", "upload": "240/minute",
                   "status": "30/minute|300/hour"}

_MESSAGES = {
    "create": "Terlalu banyak pengiriman formulir dari perangkat atau jaringan Anda. Isian Anda "
              "belum terkirim, tetapi belum hilang; coba lagi dalam {wait}.",
    "upload": "Terlalu banyak unggahan dari perangkat atau jaringan Anda. Unggahan akan dicoba "
              "lagi dalam {wait}.",
    "status": "Terlalu banyak pengecekan status dari perangkat atau jaringan Anda. Coba lagi "
              "dalam {wait}.",
}

StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class ClientBudgets:
    """The limits of each kind of request (an empty tuple: not limited)."""

    limits: dict[str, tuple[RateLimitItem, ...]] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str | None) -> ClientBudgets:
        """Budgets from ``LOCAL_RATE_LIMITS`` notation (``None`` or empty: the defaults).

        Raises
        ------
        ValueError
            An unknown kind or a limit ``limits`` cannot read.
        """
        specs = dict(DEFAULT_BUDGETS)
        text = (text or "").strip()
        if text.lower() == "off":
            specs = dict.fromkeys(KINDS, "off")
        elif text:
            for part in text.split():
                kind, sep, spec = part.partition("=")
                if not sep or kind not in KINDS:
                    raise ValueError(f"LOCAL_RATE_LIMITS: '{part}' is not kind=limits "
                                     f"(kinds: {', '.join(KINDS)})")
                specs[kind] = spec
        limits = {kind: () if spec.strip().lower() == "off" else tuple(parse_many(spec))
                  for kind, spec in specs.items()}
        return cls(limits)

    @classmethod
    def off(cls) -> ClientBudgets:
        return cls({kind: () for kind in KINDS})


def classify(environ: dict[str, Any]) -> str | None:
    """Which budget a request counts against (``None``: none)."""
    if environ.get("REQUEST_METHOD", "GET").upper() != "POST":
        return None
    path = environ.get("PATH_INFO", "") or "/"
    if path in ("/api/submissions", "/api/submissions/"):
        return "create"
    if path in ("/api/status", "/api/status/"):
        return "status"
    if path == "/upload" or path.startswith("/upload/"):
        return "upload"
    return None


class ClientLimiter:
    """Counts requests per client address and kind; answers 429 when one is over budget."""

    def __init__(self, budgets: ClientBudgets | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.budgets = budgets or ClientBudgets.parse(None)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._clock = clock

    def retry_after(self, kind: str, client: str) -> int | None:
        """Count one request; ``None`` if within budget, else seconds to wait."""
        items = self.budgets.limits.get(kind, ())
        if not items:
            return None
        if all(self._limiter.test(item, kind, client) for item in items):
            for item in items:
                self._limiter.hit(item, kind, client)
            return None
        waits = [self._limiter.get_window_stats(item, kind, client) for item in items]
        now = self._clock()
        return max(1, math.ceil(max(stats.reset_time - now for stats in waits
                                    if stats.remaining <= 0)))

    def wrap(self, app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
        """A WSGI application answering 429 for over-budget requests, ``app`` otherwise."""

        def limited(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
            kind = classify(environ)
            if kind is None:
                return app(environ, start_response)
            wait = self.retry_after(kind, str(environ.get("REMOTE_ADDR") or "?"))
            if wait is None:
                return app(environ, start_response)
            log.warning("rate limited kind=%s retry_after=%d", kind, wait)
            return _too_many(environ, start_response, kind, wait)

        return limited


def _too_many(environ: dict[str, Any], start_response: StartResponse, kind: str,
              wait: int) -> Iterable[bytes]:
    from chalicelib.clock import format_wait

    message = _MESSAGES[kind].format(wait=format_wait(wait))
    if kind == "upload":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
            f"<Message>{escape(message)}</Message>"
            f"<RequestId>{secrets.token_hex(8).upper()}</RequestId></Error>"
        ).encode()
        kind_header = "application/xml"
    else:
        body = json.dumps({"message": message, "code": "too_many_requests"},
                          ensure_ascii=False).encode()
        kind_header = "application/json; charset=utf-8"
    _drain(environ)
    headers = [("Content-Type", kind_header), ("Retry-After", str(wait)),
               ("Cache-Control", "no-store"), ("Content-Length", str(len(body)))]
    start_response("429 Too Many Requests", headers)
    return [body]


def _drain(environ: dict[str, Any], limit: int = 1024 * 1024) -> None:
    """Read a small refused body so the client can read the answer (as the upload does)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    if 0 < length <= limit:
        environ["wsgi.input"].read(length)
