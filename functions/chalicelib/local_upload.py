"""The local upload endpoint: S3's browser POST upload, for ``LocalStorage``.

A WSGI application that accepts ``multipart/form-data`` POSTs exactly as a browser sends
them to S3 with a presigned POST (the fields of ``LocalStorage.presign_post`` first, the
``file`` part last) and enforces what S3 enforces: the signature, the expiry and every
policy condition (exact ``key``, ``Content-Type``, ``content-length-range`` on the bytes
actually received, no unlisted fields). Refusals are S3-style XML errors; nothing is
stored unless the whole file arrived and passed every check. A storage failure (a full
disk, a permission) is a ``500 InternalError`` in the same XML shape with an Indonesian
message, logged as one line naming the error type only (no traceback, no data).

Example
-------
    >>> from wsgiref.simple_server import make_server
    >>> storage = storage_from_env()                      # the local backend
    >>> make_server("127.0.0.1", 8001, LocalUploadEndpoint(storage)).serve_forever()

The endpoint answers on any path (mount it at ``LOCAL_UPLOAD_URL``'s path). It sends CORS
headers for ``SITE_ORIGIN`` (default ``http://127.0.0.1:8000``; several origins may be
given, comma-separated), answers the preflight ``OPTIONS``, and, stricter than S3, refuses
a POST whose ``Origin`` is another site's.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import secrets
import traceback
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from http import HTTPStatus
from typing import IO, Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import (
    NEED_DATA,
    Data,
    Epilogue,
    Event,
    Field,
    File,
    MultipartDecoder,
)

from chalicelib import layout
from chalicelib.storage import LocalStorage, validate_key

logger = logging.getLogger(__name__)

__all__ = ["LocalUploadEndpoint", "UploadRefused"]

DEFAULT_SITE_ORIGIN = "http://127.0.0.1:8000"
DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024
MAX_PRE_DATA = 20 * 1024  # S3 refuses more than 20 KB of fields before the file
MAX_FIELDS = 64
PRE_CHUNK = 8 * 1024  # small reads until the file part starts
FILE_CHUNK = 64 * 1024
OVERHEAD = 16 * 1024  # closing boundary and stray trailing bytes allowed after the file
DRAIN_LIMIT = 1024 * 1024  # read (and drop) at most this much of a refused body
IGNORED_FIELDS = frozenset({"policy", "x-amz-signature", "file"})

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
_Response = tuple[int, list[tuple[str, str]], bytes]  # status, headers, body


class UploadRefused(Exception):
    """A refused upload, carried to the response as S3's XML error.

    Parameters
    ----------
    status
        HTTP status (400, 403, 405, 411, 413, 500).
    code
        S3's error code, e.g. ``AccessDenied``, ``EntityTooLarge``.
    message
        S3's message; never contains field values sent by the client.
    """

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def _malformed() -> UploadRefused:
    return UploadRefused(
        400,
        "MalformedPOSTRequest",
        "The body of your POST request is not well-formed multipart/form-data.",
    )


def _policy_failed(detail: str) -> UploadRefused:
    return UploadRefused(403, "AccessDenied", f"Invalid according to Policy: {detail}")


class _Body:
    """``wsgi.input`` limited to ``CONTENT_LENGTH``, counting what was read."""

    def __init__(self, stream: IO[bytes] | None, length: int) -> None:
        self._stream = stream
        self.remaining = length
        self.consumed = 0

    def read(self, size: int) -> bytes:
        size = min(size, self.remaining)
        if size <= 0 or self._stream is None:
            return b""
        data = self._stream.read(size)
        if not data:  # the client went away before sending everything
            self.remaining = 0
            return b""
        self.remaining -= len(data)
        self.consumed += len(data)
        return data

    def drain(self, limit: int) -> None:
        """Read and drop the rest if it is small, so the client can read our answer."""
        if self.remaining > limit:
            return
        while self.read(FILE_CHUNK):
            pass


class _Policy:
    """What a verified policy allows: parsed conditions and the size range."""

    def __init__(self, document: Any) -> None:
        if not isinstance(document, dict):
            raise _invalid_policy("the policy must be a JSON object")
        expiration = document.get("expiration")
        conditions = document.get("conditions")
        if not isinstance(expiration, str) or not isinstance(conditions, list):
            raise _invalid_policy("the policy needs 'expiration' and 'conditions'")
        try:
            expires = datetime.fromisoformat(expiration.replace("Z", "+00:00"))
        except ValueError:
            raise _invalid_policy("'expiration' is not an ISO 8601 time") from None
        if expires.tzinfo is None:
            raise _invalid_policy("'expiration' must carry a time zone")
        self.expires = expires
        self.checks: list[tuple[str, str, str, Any]] = []  # (op, field, value, condition)
        self.min_size, self.max_size = 0, None
        for condition in conditions:
            self._add(condition)

    def _add(self, condition: Any) -> None:
        if isinstance(condition, dict) and len(condition) == 1:
            ((name, value),) = condition.items()
            if isinstance(name, str) and isinstance(value, str):
                self.checks.append(("eq", name.lower(), value, condition))
                return
        elif isinstance(condition, list) and len(condition) == 3:
            op, subject, value = condition
            if op == "content-length-range":
                low, high = _as_size(subject), _as_size(value)
                self.min_size = max(self.min_size, low)
                self.max_size = high if self.max_size is None else min(self.max_size, high)
                return
            if (
                op in {"eq", "starts-with"}
                and isinstance(subject, str)
                and subject.startswith("$")
                and isinstance(value, str)
            ):
                self.checks.append((op, subject[1:].lower(), value, condition))
                return
        raise _invalid_policy("unsupported condition")

    def check(self, fields: Mapping[str, str]) -> None:
        """Raise ``UploadRefused`` (403) unless ``fields`` meet every condition."""
        covered = {name for _, name, _, _ in self.checks}
        for op, name, expected, condition in self.checks:
            actual = fields.get(name)
            ok = actual is not None and (
                actual == expected if op == "eq" else actual.startswith(expected)
            )
            if not ok:
                raise _policy_failed(f"Policy Condition failed: {json.dumps(condition)}")
        extra = sorted(
            name
            for name in fields
            if name not in covered
            and name not in IGNORED_FIELDS
            and not name.startswith("x-ignore-")
        )
        if extra:
            raise _policy_failed(f"Extra input fields: {', '.join(extra)}")


def _as_size(value: Any) -> int:
    if isinstance(value, bool):
        raise _invalid_policy("content-length-range bounds must be integers")
    try:
        size = int(value)
    except (TypeError, ValueError):
        raise _invalid_policy("content-length-range bounds must be integers") from None
    if size < 0:
        raise _invalid_policy("content-length-range bounds must not be negative")
    return size


def _invalid_policy(detail: str) -> UploadRefused:
    return UploadRefused(400, "InvalidPolicyDocument", f"Invalid Policy: {detail}.")


class LocalUploadEndpoint:
    """WSGI app accepting S3-style presigned POST uploads into a ``LocalStorage``.

    Parameters
    ----------
    storage
        The storage whose secret signed the policies and which receives the files.
    site_origin
        Origin(s) allowed by CORS, comma-separated; default ``$SITE_ORIGIN`` or
        ``http://127.0.0.1:8000``.
    max_body_bytes
        Requests declaring a larger ``Content-Length`` are refused before any read (413).

    Example
    -------
        >>> app = LocalUploadEndpoint(storage, site_origin="http://127.0.0.1:8000")
        >>> # POST multipart/form-data: the presigned fields, then ``file``
        >>> # -> 204 No Content with ETag and Location, or an S3-style XML error
    """

    def __init__(
        self,
        storage: LocalStorage,
        *,
        site_origin: str | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        if site_origin is None:
            site_origin = os.environ.get("SITE_ORIGIN", "") or DEFAULT_SITE_ORIGIN
        self.storage = storage
        self.origins = frozenset(
            origin.strip().rstrip("/") for origin in site_origin.split(",") if origin.strip()
        )
        self.max_body_bytes = max_body_bytes

    # -- WSGI

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer one request (``OPTIONS`` preflight or ``POST`` upload)."""
        method = environ.get("REQUEST_METHOD", "GET").upper()
        headers = self._cors_headers(environ)
        if method == "OPTIONS":
            status, extra, body = self._preflight(environ)
        elif method == "POST":
            status, extra, body = self._post(environ)
        else:
            status, extra, body = _error(
                UploadRefused(405, "MethodNotAllowed", "Use POST to upload a file.")
            )
            extra.append(("Allow", "POST, OPTIONS"))
        headers += extra + [("Content-Length", str(len(body)))]
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [body]

    # -- CORS

    def _origin_allowed(self, environ: Mapping[str, Any]) -> bool:
        return environ.get("HTTP_ORIGIN", "").rstrip("/") in self.origins

    def _cors_headers(self, environ: Mapping[str, Any]) -> list[tuple[str, str]]:
        headers = [
            ("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
        ]
        if self._origin_allowed(environ):
            headers += [
                ("Access-Control-Allow-Origin", environ["HTTP_ORIGIN"]),
                ("Access-Control-Allow-Methods", "POST"),
                ("Access-Control-Expose-Headers", "ETag, Location"),
            ]
        return headers

    def _preflight(self, environ: Mapping[str, Any]) -> _Response:
        origin = environ.get("HTTP_ORIGIN")
        method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
        if not origin or not method:
            return _error(
                UploadRefused(
                    400, "BadRequest", "Insufficient information. Origin request header needed."
                )
            )
        if not self._origin_allowed(environ) or method.upper() != "POST":
            return _error(_cors_refused())
        extra = [("Access-Control-Max-Age", "3000")]
        requested = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "").strip()
        if requested:
            extra.append(("Access-Control-Allow-Headers", requested))
        return 200, extra, b""

    # -- upload

    def _post(self, environ: Mapping[str, Any]) -> _Response:
        body = _Body(environ.get("wsgi.input"), 0)
        try:
            length = _content_length(environ)
            body = _Body(environ.get("wsgi.input"), length or 0)
            if environ.get("HTTP_ORIGIN") is not None and not self._origin_allowed(environ):
                raise _cors_refused()
            mimetype, options = parse_options_header(environ.get("CONTENT_TYPE", ""))
            boundary = options.get("boundary", "")
            if mimetype != "multipart/form-data" or not boundary:
                raise _malformed()
            if length is None:
                raise UploadRefused(
                    411, "MissingContentLength", "You must provide the Content-Length HTTP header."
                )
            if length > self.max_body_bytes:
                raise UploadRefused(
                    413, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size."
                )
            return self._receive(body, boundary)
        except UploadRefused as refusal:
            logger.info("upload refused: %s", refusal.code)
            return _error(refusal)
        except Exception as error:  # storage failed: say so, never with a traceback or data
            where = traceback.extract_tb(error.__traceback__)[-1]
            logger.error("upload failed: %s at %s:%s", type(error).__name__,
                         os.path.basename(where.filename), where.lineno)
            return _error(UploadRefused(
                500, "InternalError",
                "Berkas belum tersimpan karena penyimpanan sedang bermasalah. Coba unggah lagi "
                "beberapa saat lagi."))
        finally:
            body.drain(DRAIN_LIMIT)

    def _receive(self, body: _Body, boundary: str) -> _Response:
        try:
            decoder = MultipartDecoder(boundary.encode("latin-1"))
        except UnicodeEncodeError:
            raise _malformed() from None
        fields = _read_fields(decoder, body)
        key, content_type, policy = self._authorize(fields)
        max_size = policy.max_size if policy.max_size is not None else self.max_body_bytes
        if body.remaining > max_size + OVERHEAD:
            raise _too_large()
        self._refuse_if_claimed(key)
        with self.storage.open_write(key, content_type=content_type) as writer:
            while True:
                event = _next_event(decoder, body, FILE_CHUNK)
                if not isinstance(event, Data):
                    raise _malformed()
                if writer.size + len(event.data) > max_size:
                    raise _too_large()
                writer.write(event.data)
                if not event.more_data:
                    break
            if writer.size < policy.min_size:
                raise UploadRefused(
                    400,
                    "EntityTooSmall",
                    "Your proposed upload is smaller than the minimum allowed size.",
                )
            self._refuse_if_claimed(key)  # again: complete may have begun while this streamed
        logger.debug("upload stored key=%s bytes=%d", key, writer.size)
        return self._success(fields, key, writer.etag)

    def _refuse_if_claimed(self, key: str) -> None:
        """An upload policy is dead once its submission's ``complete`` has claimed it."""
        if not key.startswith(layout.PENDING_PREFIX):
            return
        submission_id = key[len(layout.PENDING_PREFIX):].split("/", 1)[0]
        if self.storage.head(layout.pending_receipt_key(submission_id)) is not None:
            raise _policy_failed("The submission has already been received.")

    def _authorize(self, fields: Mapping[str, str]) -> tuple[str, str | None, _Policy]:
        """Check signature, expiry and every condition; return key, content type, policy."""
        for required in ("key", "policy", "x-amz-signature"):
            if required not in fields:
                raise UploadRefused(
                    400, "InvalidArgument", f"Bucket POST must contain a field named '{required}'."
                )
        policy_b64 = fields["policy"]
        if not self.storage.verify(policy_b64, fields["x-amz-signature"]):
            raise UploadRefused(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )
        try:
            document = json.loads(base64.b64decode(policy_b64, validate=True))
        except (binascii.Error, ValueError):
            raise _invalid_policy("the policy is not base64-encoded JSON") from None
        policy = _Policy(document)
        if self.storage.now() >= policy.expires:
            raise _policy_failed("Policy expired.")
        policy.check(fields)
        if "success_action_redirect" in fields or "redirect" in fields:
            raise UploadRefused(
                400, "NotImplemented", "success_action_redirect is not supported here."
            )
        key = fields["key"]
        try:
            validate_key(key)
        except ValueError:
            raise UploadRefused(
                400, "InvalidArgument", "The key is not a valid object key."
            ) from None
        return key, fields.get("content-type"), policy

    def _success(self, fields: Mapping[str, str], key: str, etag: str) -> _Response:
        location = f"{self.storage.upload_url.rstrip('/')}/{quote(key)}"
        headers = [("ETag", etag), ("Location", location)]
        status = fields.get("success_action_status", "")
        if status == "201":
            xml = (
                '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>'
                f"<Location>{escape(location)}</Location><Bucket>local</Bucket>"
                f"<Key>{escape(key)}</Key><ETag>{escape(etag)}</ETag></PostResponse>"
            ).encode()
            return 201, [*headers, ("Content-Type", "application/xml")], xml
        return (200 if status == "200" else 204), headers, b""


# --------------------------------------------------------------------------- helpers


def _content_length(environ: Mapping[str, Any]) -> int | None:
    raw = str(environ.get("CONTENT_LENGTH", "") or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise UploadRefused(400, "InvalidArgument", "Content-Length is not a number.")
    return int(raw)


def _next_event(decoder: MultipartDecoder, body: _Body, chunk: int) -> Event:
    """Return the next multipart event, reading from ``body`` as needed."""
    while True:
        try:
            event = decoder.next_event()
        except Exception:  # the parser raises assorted errors on hostile input
            raise _malformed() from None
        if event is not NEED_DATA:
            return event
        data = body.read(chunk)
        decoder.receive_data(data or None)


def _read_fields(decoder: MultipartDecoder, body: _Body) -> dict[str, str]:
    """Read the form fields up to the ``file`` part; names lower-cased, as S3 matches them."""
    fields: dict[str, str] = {}
    name: str | None = None
    value = bytearray()
    while True:
        event = _next_event(decoder, body, PRE_CHUNK)
        if body.consumed > MAX_PRE_DATA + PRE_CHUNK:
            raise UploadRefused(
                400,
                "MaxPostPreDataLengthExceeded",
                "Your POST request fields preceding the upload file were too large.",
            )
        if isinstance(event, Field | File):
            if not event.name:
                raise _malformed()
            if event.name.lower() == "file":
                return fields
            if len(fields) >= MAX_FIELDS:
                raise UploadRefused(400, "InvalidArgument", "Too many form fields.")
            name, value = event.name.lower(), bytearray()
        elif isinstance(event, Data) and name is not None:
            value += event.data
            if not event.more_data:
                if name in fields:
                    raise UploadRefused(400, "InvalidArgument", "A form field was sent twice.")
                try:
                    fields[name] = value.decode("utf-8")
                except UnicodeDecodeError:
                    raise _malformed() from None
                name = None
        elif isinstance(event, Epilogue):
            raise UploadRefused(
                400,
                "IncorrectNumberOfFilesInPostRequest",
                "POST requires exactly one file upload per request.",
            )


def _too_large() -> UploadRefused:
    return UploadRefused(
        400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size."
    )


def _cors_refused() -> UploadRefused:
    return UploadRefused(403, "AccessForbidden", "CORSResponse: This CORS request is not allowed.")


def _error(refusal: UploadRefused) -> _Response:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error>'
        f"<Code>{escape(refusal.code)}</Code><Message>{escape(refusal.message)}</Message>"
        f"<RequestId>{secrets.token_hex(8).upper()}</RequestId></Error>"
    ).encode()
    return refusal.status, [("Content-Type", "application/xml")], xml
