"""Errors the submission service raises, each mapped to one HTTP status.

Messages are Bahasa Indonesia sentences the resident can act on. ``errors`` is
the per-field list (``{field, code, message, severity}``) when there is one.
The routes in ``app.py`` turn these into JSON responses; nothing here knows
about HTTP frameworks.

Example::

    >>> raise NotFound("Pengajuan tidak ditemukan.", code="submission_not_found")
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

__all__ = [
    "ServiceError",
    "BadRequest",
    "NotFound",
    "Conflict",
    "PayloadTooLarge",
    "TooManyRequests",
    "Unprocessable",
    "TooManyRequests",
    "field_error",
]


def field_error(field: str, code: str, message: str, severity: str = "error") -> dict[str, str]:
    """Build one entry of an ``errors`` list."""
    return {"field": field, "code": code, "message": message, "severity": severity}


class ServiceError(Exception):
    """Base class: a refusal with a status, a machine code and an Indonesian message.

    Parameters
    ----------
    message:
        What went wrong and what to do, in Bahasa Indonesia.
    code:
        A stable snake_case identifier for programs and logs.
    errors:
        Optional per-field errors (dicts with ``field``, ``code``, ``message``, ``severity``).
    """

    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        errors: Sequence[dict[str, Any]] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.errors = list(errors)

    @property
    def headers(self) -> dict[str, str]:
        """Extra HTTP headers of the error response (none by default)."""
        return {}

    def to_dict(self) -> dict[str, Any]:
        """The JSON body of the error response."""
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


class BadRequest(ServiceError):
    """The request itself is malformed (not the resident's answers)."""

    status = 400
    default_code = "bad_request"


class NotFound(ServiceError):
    """No such form, submission or tracking code (or no valid token for it)."""

    status = 404
    default_code = "not_found"


class Conflict(ServiceError):
    """The request clashes with what is already stored (e.g. a reused idempotency key)."""

    status = 409
    default_code = "conflict"


class PayloadTooLarge(ServiceError):
    """The request body is bigger than the service accepts."""

    status = 413
    default_code = "payload_too_large"


class Unprocessable(ServiceError):
    """The answers or the files do not pass validation; ``errors`` says which and why."""

    status = 422
    default_code = "validation_failed"


class TooManyRequests(ServiceError):
    """Too many requests (from one client, or in total): try again after ``retry_after`` s.

    The response carries ``Retry-After: <seconds>``; the body keeps the usual
    ``{"message", "code"}`` shape, and the message says when to try again.

    Example::

        >>> raise TooManyRequests("Coba lagi dalam 5 menit.", retry_after=300)
    """

    status = 429
    default_code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = max(1, int(retry_after))

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
