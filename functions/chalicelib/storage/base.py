"""The storage interface both backends implement, its errors, values and shared checks."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote, urlencode

logger = logging.getLogger("chalicelib.storage")

JSON_CONTENT_TYPE = "application/json"
MAX_KEY_BYTES = 1024  # S3's limit, prefix included
MAX_SEGMENT_BYTES = 255  # a file name on common file systems
MAX_EXPIRES_IN = 7 * 24 * 3600  # SigV4's ceiling
POLICY_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # what S3 writes in a POST policy
_MISSING = (FileNotFoundError, NotADirectoryError, IsADirectoryError)


# --------------------------------------------------------------------------- errors


class StorageError(Exception):
    """Base class of storage errors; ``key`` names the object concerned."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{message}: {key}")
        self.key = key


class AlreadyExists(StorageError):
    """``put_json(..., if_none_match=True)`` found the key already present."""

    def __init__(self, key: str) -> None:
        super().__init__(key, "object already exists")


class PreconditionFailed(StorageError):
    """``put_json(..., if_match=etag)`` found another version (or no object)."""

    def __init__(self, key: str) -> None:
        super().__init__(key, "object changed since it was read")


class NotFound(StorageError, LookupError):
    """The object to read or copy does not exist."""

    def __init__(self, key: str) -> None:
        super().__init__(key, "no such object")


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class ObjectInfo:
    """What ``head`` knows about an object (``etag`` is quoted, as S3 sends it)."""

    key: str
    size: int
    content_type: str | None
    etag: str | None


@dataclass(frozen=True)
class PresignedPost:
    """A form the browser posts a file to: ``fields`` first, then ``file`` last."""

    url: str
    fields: dict[str, str]
    expires_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape sent to the browser.

        Example
        -------
            >>> post.to_dict()
            {'url': 'https://b.s3.ap-southeast-3.amazonaws.com/', 'fields': {...},
             'expires_at': '2020-09-25T01:15:00+00:00'}
        """
        return {
            "url": self.url,
            "fields": dict(self.fields),
            "expires_at": self.expires_at.isoformat(),
        }


class Storage(Protocol):
    """The storage interface both backends implement (keys are relative, '/'-separated)."""

    def put_json(
        self, key: str, data: dict, *, if_none_match: bool = False, if_match: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> str: ...

    def put_bytes(
        self, key: str, data: bytes, *, content_type: str, if_none_match: bool = False,
        tags: Mapping[str, str] | None = None,
    ) -> str: ...

    def tags(self, key: str) -> dict[str, str] | None: ...

    def rewrite_tags(self, key: str, tags: Mapping[str, str]) -> None: ...

    def get_json(self, key: str) -> tuple[dict, str] | None: ...

    def head(self, key: str) -> ObjectInfo | None: ...

    def read_range(self, key: str, length: int) -> bytes: ...

    def read_bytes(self, key: str) -> bytes: ...

    def list_keys(self, prefix: str) -> Iterator[str]: ...

    def copy(self, src: str, dst: str, *, if_match: str | None = None) -> None: ...

    def delete(self, key: str) -> None: ...

    def presign_post(
        self, key: str, *, content_type: str, max_bytes: int, expires_in: int = 900
    ) -> PresignedPost: ...

    def presign_get(self, key: str, *, filename: str, expires_in: int = 300) -> str: ...

    def get_tags(self, key: str) -> dict[str, str]: ...

    def put_tags(self, key: str, tags: Mapping[str, str]) -> None: ...


# --------------------------------------------------------------------------- shared checks


def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe relative object key, else raise ``ValueError``.

    Both backends apply the same rule, so a key valid on one is valid on the other:
    '/'-separated non-empty segments, none of them ``.``/``..`` or starting with a dot,
    no backslash, NUL or other control character, at most 1024 UTF-8 bytes.

    Example
    -------
        >>> validate_key("submissions/2020-09-25/ktp-el-baru/AB12/record.json")
        'submissions/2020-09-25/ktp-el-baru/AB12/record.json'

    Raises
    ------
    ValueError
        If the key could escape a directory root or is not a plain key.
    """
    if not isinstance(key, str) or not key:
        raise ValueError("key must be a non-empty string")
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise ValueError("key is longer than 1024 bytes")
    _check_characters(key)
    for segment in key.split("/"):
        _check_segment(segment)
    return key


def _check_characters(text: str) -> None:
    if "\\" in text:
        raise ValueError("key must not contain a backslash")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        raise ValueError("key must not contain NUL or control characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("key must be valid UTF-8") from exc


def _check_segment(segment: str) -> None:
    if not segment:
        raise ValueError("key must not start or end with '/' nor contain '//'")
    if segment.startswith("."):
        raise ValueError("key segments must not start with '.' (no '.', '..' or hidden names)")
    if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
        raise ValueError("key segment is longer than 255 bytes")


def _validate_prefix(prefix: str) -> str:
    """Check a listing prefix: its directory part must be made of valid segments."""
    if not isinstance(prefix, str):
        raise ValueError("prefix must be a string")
    if not prefix:
        return prefix
    _check_characters(prefix)
    head, slash, tail = prefix.rpartition("/")
    if slash:
        for segment in head.split("/"):
            _check_segment(segment)
    if tail.startswith("."):
        raise ValueError("prefix segments must not start with '.'")
    return prefix


def _check_presign_args(content_type: str, max_bytes: int, expires_in: int) -> None:
    if not content_type or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in content_type):
        raise ValueError("content_type must be a non-empty header value")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ValueError("max_bytes must be a positive integer")
    if isinstance(expires_in, bool) or not isinstance(expires_in, int):
        raise ValueError("expires_in must be an integer number of seconds")
    if not 1 <= expires_in <= MAX_EXPIRES_IN:
        raise ValueError("expires_in must be between 1 second and 7 days")


def _encode_json(data: dict) -> bytes:
    """Serialise a record the same way on both backends (so etags agree)."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _encode_tags(tags: Mapping[str, str]) -> str:
    """Tags as S3's ``x-amz-tagging`` header wants them (URL query encoding)."""

    return urlencode(sorted(tags.items()))


def _quoted_md5(data: bytes) -> str:
    return f'"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"'


def _decode_policy_expiration(policy_b64: str) -> datetime:
    document = json.loads(base64.b64decode(policy_b64))
    return _parse_policy_time(document["expiration"])


def _parse_policy_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class _Writes:
    """``put_json`` and ``put_bytes`` for both backends, over each one's ``_put``."""

    def put_json(
        self, key: str, data: dict, *, if_none_match: bool = False, if_match: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> str:
        """Write ``data`` as JSON and return the new etag.

        Parameters
        ----------
        key
            Object key.
        data
            A JSON-serialisable mapping.
        if_none_match
            Create only: raise ``AlreadyExists`` if the key exists (``If-None-Match: *``).
        if_match
            Replace only the version with this etag: raise ``PreconditionFailed`` otherwise.
        tags
            Object tags of the new version (lifecycle rules filter on them); none by default.

        Raises
        ------
        AlreadyExists, PreconditionFailed
            When the condition does not hold (or a concurrent conditional write won).
        """
        return self._put(key, _encode_json(data), JSON_CONTENT_TYPE,
                         if_none_match=if_none_match, if_match=if_match, tags=tags)

    def put_bytes(
        self, key: str, data: bytes, *, content_type: str, if_none_match: bool = False,
        tags: Mapping[str, str] | None = None,
    ) -> str:
        """Write ``data`` as one object and return its etag (``AlreadyExists`` as put_json)."""
        return self._put(key, data, content_type, if_none_match=if_none_match, if_match=None,
                         tags=tags)

    def _put(self, key: str, body: bytes, content_type: str, *, if_none_match: bool,
             if_match: str | None, tags: Mapping[str, str] | None = None) -> str:
        raise NotImplementedError


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the UTF-8 one (RFC 6266)."""
    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_"
                         for c in filename)[:120] or "dokumen"
    return f'attachment; filename="{ascii_name}"; filename*=UTF-8\'\'{quote(filename, safe="")}'

def _utcnow() -> datetime:
    return datetime.now(UTC)
