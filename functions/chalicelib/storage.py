"""Object storage for submissions: one interface, two backends.

``S3Storage`` talks to Amazon S3 (or an S3-compatible store) through an injected boto3
client; ``LocalStorage`` keeps objects in a directory and signs presigned POSTs that
``chalicelib.local_upload.LocalUploadEndpoint`` verifies. Both give the browser the same
presigned-POST shape, so upload code does not care which one it talks to.

Example
-------
    >>> storage = storage_from_env()            # STORAGE_BACKEND=local|s3
    >>> etag = storage.put_json("records/a.json", {"status": "pending"}, if_none_match=True)
    >>> data, etag = storage.get_json("records/a.json")
    >>> post = storage.presign_post("uploads/a/ktp.jpg", content_type="image/jpeg",
    ...                             max_bytes=2_000_000)
    >>> post.to_dict()                          # {"url": ..., "fields": {...}, "expires_at": ...}

boto3 is imported only when the S3 backend is used: the local path stays cheap to import.
Nothing here logs object contents; keys and sizes are logged at debug level at most.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import logging
import os
import secrets
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import quote, urlencode

logger = logging.getLogger(__name__)

__all__ = [
    "AlreadyExists",
    "LocalStorage",
    "NotFound",
    "ObjectInfo",
    "PreconditionFailed",
    "PresignedPost",
    "S3Storage",
    "Storage",
    "StorageError",
    "get_s3_client",
    "make_s3_client",
    "storage_from_env",
    "validate_key",
]

JSON_CONTENT_TYPE = "application/json"
MAX_KEY_BYTES = 1024  # S3's limit, prefix included
MAX_SEGMENT_BYTES = 255  # a file name on common file systems
MAX_EXPIRES_IN = 7 * 24 * 3600  # SigV4's ceiling
POLICY_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # what S3 writes in a POST policy
S3_CONNECT_TIMEOUT = 2  # seconds per attempt to open a connection
S3_READ_TIMEOUT = 6  # seconds per attempt waiting for S3 to answer
S3_MAX_ATTEMPTS = 3  # the first try included; worst case ~3 x (2 + 6) s plus back-off < 30 s
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
    from urllib.parse import urlencode

    return urlencode(sorted(tags.items()))


def _quoted_md5(data: bytes) -> str:
    return f'"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"'


def _decode_policy_expiration(policy_b64: str) -> datetime:
    document = json.loads(base64.b64decode(policy_b64))
    return _parse_policy_time(document["expiration"])


def _parse_policy_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --------------------------------------------------------------------------- S3


def _client_error() -> type[Exception]:
    from botocore.exceptions import ClientError

    return ClientError


def _error_code(exc: Exception) -> tuple[str, int]:
    response = getattr(exc, "response", {}) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    return code, status


def _is_missing(exc: Exception) -> bool:
    code, status = _error_code(exc)
    return status == 404 or code in {"NoSuchKey", "404", "NotFound"}


def _is_condition_failure(exc: Exception) -> bool:
    code, status = _error_code(exc)
    # 412 PreconditionFailed; 409 ConditionalRequestConflict when two writes race.
    return status in {409, 412} or code in {"PreconditionFailed", "ConditionalRequestConflict"}


class S3Storage:
    """Storage on an S3 bucket through an injected boto3 client.

    Parameters
    ----------
    client
        A boto3 S3 client; build it with ``get_s3_client`` so presigned POST URLs are the
        bucket's regional virtual-hosted URL (needed for regions such as ap-southeast-3).
    bucket
        Bucket name.
    prefix
        Key prefix inside the bucket (``"submissions"`` and ``"submissions/"`` are the same).
    sse
        Server-side encryption for every write and upload: ``"AES256"``, ``"aws:kms"``, or
        ``None`` for stores that refuse the header (some self-hosted ones).
    kms_key_id
        KMS key id or ARN when ``sse="aws:kms"``; ``None`` uses the account's S3 KMS key.

    Example
    -------
        >>> storage = S3Storage(get_s3_client("ap-southeast-3"), "dukcapil-submissions")
        >>> storage.put_json("records/a.json", {"status": "pending"}, if_none_match=True)
        '"9b2cf535f27731c974343645a3985328"'
    """

    def __init__(
        self,
        client: Any,
        bucket: str,
        prefix: str = "",
        sse: str | None = "AES256",
        kms_key_id: str | None = None,
    ) -> None:
        if not bucket:
            raise ValueError("bucket must be set")
        if sse not in {"AES256", "aws:kms", None}:
            raise ValueError("sse must be 'AES256', 'aws:kms' or None")
        if kms_key_id and sse != "aws:kms":
            raise ValueError("kms_key_id needs sse='aws:kms'")
        stripped = prefix.strip("/")
        if stripped:
            validate_key(stripped)
        self.client = client
        self.bucket = bucket
        self.prefix = f"{stripped}/" if stripped else ""
        self.sse = sse
        self.kms_key_id = kms_key_id

    # -- helpers

    def _full(self, key: str) -> str:
        full = self.prefix + validate_key(key)
        if len(full.encode("utf-8")) > MAX_KEY_BYTES:
            raise ValueError("key with prefix is longer than 1024 bytes")
        return full

    def _sse_args(self) -> dict[str, str]:
        args: dict[str, str] = {}
        if self.sse:
            args["ServerSideEncryption"] = self.sse
        if self.kms_key_id:
            args["SSEKMSKeyId"] = self.kms_key_id
        return args

    # -- interface

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
        if if_none_match and if_match is not None:
            raise ValueError("use if_none_match or if_match, not both")
        args: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": self._full(key),
            "Body": body,
            "ContentType": content_type,
            **self._sse_args(),
        }
        if if_none_match:
            args["IfNoneMatch"] = "*"
        if if_match is not None:
            args["IfMatch"] = if_match
        if tags:
            args["Tagging"] = _encode_tags(tags)
        try:
            response = self.client.put_object(**args)
        except _client_error() as exc:
            if if_none_match and _is_condition_failure(exc):
                raise AlreadyExists(key) from None
            if if_match is not None and (_is_condition_failure(exc) or _is_missing(exc)):
                raise PreconditionFailed(key) from None
            raise
        logger.debug("put key=%s bytes=%d", key, len(body))
        return str(response["ETag"])

    def get_json(self, key: str) -> tuple[dict, str] | None:
        """Return ``(data, etag)`` or ``None`` when the key does not exist."""
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._full(key))
        except _client_error() as exc:
            if _is_missing(exc):
                return None
            raise
        with contextlib.closing(response["Body"]) as body:
            return json.loads(body.read()), str(response["ETag"])

    def head(self, key: str) -> ObjectInfo | None:
        """Return size, content type and etag, or ``None`` when the key does not exist."""
        try:
            response = self.client.head_object(Bucket=self.bucket, Key=self._full(key))
        except _client_error() as exc:
            if _is_missing(exc):
                return None
            raise
        return ObjectInfo(
            key=key,
            size=int(response["ContentLength"]),
            content_type=response.get("ContentType"),
            etag=response.get("ETag"),
        )

    def read_range(self, key: str, length: int) -> bytes:
        """Return the first ``length`` bytes (fewer if the object is shorter).

        Raises
        ------
        NotFound
            When the key does not exist.
        """
        full = self._full(key)
        if length <= 0:
            if self.head(key) is None:
                raise NotFound(key)
            return b""
        try:
            response = self.client.get_object(
                Bucket=self.bucket, Key=full, Range=f"bytes=0-{length - 1}"
            )
        except _client_error() as exc:
            if _is_missing(exc):
                raise NotFound(key) from None
            if _error_code(exc)[0] == "InvalidRange":  # an empty object
                return b""
            raise
        with contextlib.closing(response["Body"]) as body:
            return body.read()[:length]

    def read_bytes(self, key: str) -> bytes:
        """Return the whole object. Raises ``NotFound`` when the key does not exist."""
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._full(key))
        except _client_error() as exc:
            if _is_missing(exc):
                raise NotFound(key) from None
            raise
        with contextlib.closing(response["Body"]) as body:
            return body.read()

    def list_keys(self, prefix: str) -> Iterator[str]:
        """Yield the keys starting with ``prefix``, in S3's (UTF-8 byte) order."""
        full_prefix = self.prefix + _validate_prefix(prefix)
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=full_prefix):
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix) :]

    def copy(self, src: str, dst: str, *, if_match: str | None = None) -> None:
        """Copy ``src`` to ``dst``, keeping its content type.

        ``if_match``: copy only the version of ``src`` with this etag
        (``CopySourceIfMatch``), else ``PreconditionFailed``. Raises ``NotFound``.
        """
        src_full, dst_full = self._full(src), self._full(dst)
        if src_full == dst_full:
            info = self.head(src)
            if info is None:
                raise NotFound(src)
            if if_match is not None and info.etag != if_match:
                raise PreconditionFailed(src)
            return
        condition = {"CopySourceIfMatch": if_match} if if_match is not None else {}
        try:
            self.client.copy_object(
                Bucket=self.bucket,
                Key=dst_full,
                CopySource={"Bucket": self.bucket, "Key": src_full},
                **condition,
                **self._sse_args(),
            )
        except _client_error() as exc:
            if _is_missing(exc):
                raise NotFound(src) from None
            if if_match is not None and _is_condition_failure(exc):
                raise PreconditionFailed(src) from None
            raise
        logger.debug("copy src=%s dst=%s", src, dst)

    def delete(self, key: str) -> None:
        """Delete ``key``; deleting a missing key is not an error."""
        self.client.delete_object(Bucket=self.bucket, Key=self._full(key))
        logger.debug("delete key=%s", key)

    def tags(self, key: str) -> dict[str, str] | None:
        """The object's tags, or ``None`` when the key does not exist."""
        try:
            return self.get_tags(key)
        except NotFound:
            return None

    def get_tags(self, key: str) -> dict[str, str]:
        """The object's tags (S3 object tagging; GuardDuty writes its verdict there).

        Raises ``NotFound``."""
        try:
            response = self.client.get_object_tagging(Bucket=self.bucket, Key=self._full(key))
        except _client_error() as exc:
            if _is_missing(exc):
                raise NotFound(key) from None
            raise
        return {tag["Key"]: tag["Value"] for tag in response.get("TagSet", [])}

    def put_tags(self, key: str, tags: Mapping[str, str]) -> None:
        """Set ``tags`` on the object, keeping its other tags. Raises ``NotFound``.

        S3 replaces the whole tag set, so this reads, merges and writes (a writer in
        between, such as GuardDuty, could be overwritten: call it right after storing)."""
        merged = {**self.get_tags(key), **tags}
        self.client.put_object_tagging(
            Bucket=self.bucket, Key=self._full(key),
            Tagging={"TagSet": [{"Key": name, "Value": value} for name, value in merged.items()]},
        )

    def rewrite_tags(self, key: str, tags: Mapping[str, str]) -> None:
        """Rewrite the object in place with exactly ``tags`` (a new version, same bytes).

        Unlike ``PutObjectTagging`` this restarts the object's age, from which lifecycle
        expiration counts (a copy onto itself, with replaced metadata and tags).

        Raises
        ------
        NotFound
            When the key does not exist.
        """
        info = self.head(key)
        if info is None:
            raise NotFound(key)
        full = self._full(key)
        try:
            self.client.copy_object(
                Bucket=self.bucket,
                Key=full,
                CopySource={"Bucket": self.bucket, "Key": full},
                CopySourceIfMatch=info.etag,
                MetadataDirective="REPLACE",
                ContentType=info.content_type or "application/octet-stream",
                Metadata={"tags-rewritten-at": _utcnow().strftime(POLICY_TIME_FORMAT)},
                TaggingDirective="REPLACE",
                Tagging=_encode_tags(tags),
                **self._sse_args(),
            )
        except _client_error() as exc:
            if _is_missing(exc):
                raise NotFound(key) from None
            if _is_condition_failure(exc):
                raise PreconditionFailed(key) from None
            raise
        logger.debug("rewrite_tags key=%s tags=%d", key, len(tags))

    def presign_post(
        self, key: str, *, content_type: str, max_bytes: int, expires_in: int = 900
    ) -> PresignedPost:
        """Return a presigned POST for exactly ``key``, 1..``max_bytes`` bytes, one type.

        The policy pins the key (no ``starts-with``), ``content-length-range``, the
        ``Content-Type`` field, server-side encryption (and KMS key) and the expiry.

        Example
        -------
            >>> post = storage.presign_post("uploads/AB12/ktp.jpg", content_type="image/jpeg",
            ...                             max_bytes=2_000_000, expires_in=900)
            >>> post.url
            'https://dukcapil-submissions.s3.ap-southeast-3.amazonaws.com/'
        """
        _check_presign_args(content_type, max_bytes, expires_in)
        fields: dict[str, str] = {"Content-Type": content_type}
        conditions: list[Any] = [
            {"Content-Type": content_type},
            ["content-length-range", 1, max_bytes],
        ]
        if self.sse:
            fields["x-amz-server-side-encryption"] = self.sse
            conditions.append({"x-amz-server-side-encryption": self.sse})
        if self.kms_key_id:
            fields["x-amz-server-side-encryption-aws-kms-key-id"] = self.kms_key_id
            conditions.append({"x-amz-server-side-encryption-aws-kms-key-id": self.kms_key_id})
        response = self.client.generate_presigned_post(
            Bucket=self.bucket,
            Key=self._full(key),
            Fields=fields,
            Conditions=conditions,
            ExpiresIn=expires_in,
        )
        post_fields = {name: str(value) for name, value in response["fields"].items()}
        expires_at = _decode_policy_expiration(post_fields["policy"])
        logger.debug("presign_post key=%s max_bytes=%d", key, max_bytes)
        return PresignedPost(url=response["url"], fields=post_fields, expires_at=expires_at)

    def presign_get(self, key: str, *, filename: str, expires_in: int = 300) -> str:
        """A short-lived download URL for ``key``, saved by the browser as ``filename``."""
        _check_presign_args("application/octet-stream", 1, expires_in)
        return str(self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": self._full(key),
                    "ResponseContentDisposition": content_disposition(filename),
                    "ResponseCacheControl": "no-store"},
            ExpiresIn=expires_in,
        ))


def make_s3_client(region: str, endpoint_url: str | None = None) -> Any:
    """Build an S3 client whose presigned POST URLs work in every region.

    Without ``endpoint_url`` the client uses SigV4 and virtual-hosted addressing on the
    regional endpoint, so a presigned POST URL is ``https://<bucket>.s3.<region>.amazonaws.com/``
    (boto3's default global ``<bucket>.s3.amazonaws.com`` fails for regions opened after
    2019, e.g. ap-southeast-3 Jakarta: boto3 issues #2187, #3015). With ``endpoint_url``
    (a self-hosted S3-compatible store, a moto server) it uses path-style addressing on it.

    Timeouts and retries are explicit (boto3's default read timeout, 60 s, is longer than
    the function's 30 s): :data:`S3_CONNECT_TIMEOUT` and :data:`S3_READ_TIMEOUT` per
    attempt, :data:`S3_MAX_ATTEMPTS` attempts in botocore's ``standard`` retry mode, so
    one stalled call gives up well before the Lambda function is stopped.

    Example
    -------
        >>> make_s3_client("ap-southeast-3").generate_presigned_post("b", "k")["url"]
        'https://b.s3.ap-southeast-3.amazonaws.com/'
    """
    import boto3
    from botocore.config import Config

    limits = Config(
        connect_timeout=S3_CONNECT_TIMEOUT,
        read_timeout=S3_READ_TIMEOUT,
        retries={"mode": "standard", "total_max_attempts": S3_MAX_ATTEMPTS},
    )
    if endpoint_url:
        config = Config(signature_version="s3v4", s3={"addressing_style": "path"}).merge(limits)
        return boto3.client("s3", region_name=region, endpoint_url=endpoint_url, config=config)
    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "virtual", "us_east_1_regional_endpoint": "regional"},
    ).merge(limits)
    return boto3.client("s3", region_name=region, config=config)


@lru_cache(maxsize=4)
def get_s3_client(region: str, endpoint_url: str | None = None) -> Any:
    """Return the process's S3 client for ``(region, endpoint_url)``, built on first use.

    Build it once per container (cold start matters) and pass it to ``S3Storage``;
    ``get_s3_client.cache_clear()`` forgets it (tests).
    """
    return make_s3_client(region, endpoint_url)


# --------------------------------------------------------------------------- local


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class StagedWrite:
    """A file being written by ``LocalStorage.open_write``: counts bytes, hashes them."""

    fileobj: BinaryIO
    size: int = 0
    _md5: Any = field(
        init=False, repr=False, default_factory=lambda: hashlib.md5(usedforsecurity=False)
    )

    def write(self, data: bytes) -> None:
        """Append ``data`` to the staged file."""
        self.fileobj.write(data)
        self._md5.update(data)
        self.size += len(data)

    @property
    def etag(self) -> str:
        """The quoted MD5 of what was written so far (S3's etag for a simple upload)."""
        return f'"{self._md5.hexdigest()}"'


class LocalStorage:
    """Storage in a local directory, with presigned POSTs for ``LocalUploadEndpoint``.

    Layout under ``root`` (owner-only: directories 0700, files 0600)::

        <key>            the object's bytes, at its key's path
        .meta/<key>      JSON sidecar: {"content_type": ...}
        .tmp/            staging files, renamed into place (atomic writes)
        .locks/00..ff    lock files (fcntl.flock) serialising writers per key

    Etags are the quoted MD5 of the bytes, as S3 gives for simple uploads.

    Parameters
    ----------
    root
        Directory holding the objects; created (0700) if missing.
    upload_url
        Where browsers post files (the URL serving ``LocalUploadEndpoint``).
    secret
        HMAC-SHA256 key signing the POST policies (at least 16 bytes).
    clock
        Returns the current aware UTC time (tests move it to expire policies).

    Example
    -------
        >>> storage = LocalStorage(Path("var/storage"), "http://127.0.0.1:8000/upload",
        ...                        secrets.token_bytes(32))
        >>> storage.presign_post("uploads/AB12/ktp.jpg", content_type="image/jpeg",
        ...                      max_bytes=2_000_000).fields["policy"]
        'eyJleHBpcmF0aW9uIjogIjIwMjAtMDktMjVUMDE6MTU6MDBaIiwgLi4ufQ=='
    """

    def __init__(
        self,
        root: Path,
        upload_url: str,
        secret: bytes,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        if len(secret) < 16:
            raise ValueError("secret must be at least 16 bytes")
        self.root = Path(root).resolve()
        self.upload_url = upload_url
        self._secret = bytes(secret)
        self._clock = clock
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        for name in (".meta", ".tmp", ".locks"):
            _make_private_dir(self.root / name)

    # -- paths and locks

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*validate_key(key).split("/"))

    def _meta_path(self, key: str) -> Path:
        return self.root.joinpath(".meta", *validate_key(key).split("/"))

    def _ensure_parents(self, path: Path) -> None:
        current = self.root
        for part in path.relative_to(self.root).parts[:-1]:
            current = current / part
            _make_private_dir(current)

    @contextlib.contextmanager
    def _locked(self, key: str) -> Iterator[None]:
        import fcntl

        bucket = hashlib.sha256(key.encode("utf-8")).hexdigest()[:2]
        fd = os.open(self.root / ".locks" / bucket, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the flock

    def _stage(self) -> tuple[int, Path]:
        fd, name = tempfile.mkstemp(dir=self.root / ".tmp", prefix="stage-")  # mode 0600
        return fd, Path(name)

    def _stage_bytes(self, data: bytes) -> Path:
        fd, path = self._stage()
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path

    def _write_meta(self, key: str, content_type: str | None,
                    tags: Mapping[str, str] | None = None) -> None:
        meta_path = self._meta_path(key)
        self._ensure_parents(meta_path)
        meta: dict[str, Any] = {"content_type": content_type}
        if tags:
            meta["tags"] = dict(tags)
        staged = self._stage_bytes(json.dumps(meta).encode())
        os.replace(staged, meta_path)

    def _read_meta(self, key: str) -> dict[str, Any]:
        try:
            return json.loads(self._meta_path(key).read_bytes())
        except (*_MISSING, ValueError):
            return {}

    def _publish(
        self, staged: Path, key: str, content_type: str | None, *, exclusive: bool = False,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """Move a staged file to ``key`` (consuming it); the caller holds the key's lock."""
        path = self._path(key)
        self._ensure_parents(path)
        if exclusive and path.exists():
            raise AlreadyExists(key)
        self._write_meta(key, content_type, tags)
        if exclusive:
            try:
                os.link(staged, path)  # atomic create-if-absent with complete content
            except FileExistsError:
                raise AlreadyExists(key) from None
            staged.unlink()
        else:
            os.replace(staged, path)

    def _current_etag(self, key: str) -> str | None:
        try:
            return _quoted_md5(self._path(key).read_bytes())
        except _MISSING:
            return None

    # -- local extras (used by LocalUploadEndpoint)

    def now(self) -> datetime:
        """Return the storage clock's current time (aware, UTC)."""
        return self._clock()

    def sign(self, policy_b64: str) -> str:
        """Return the hex HMAC-SHA256 of a base64 policy document."""
        return hmac.new(self._secret, policy_b64.encode("ascii"), hashlib.sha256).hexdigest()

    def verify(self, policy_b64: str, signature: str) -> bool:
        """Tell whether ``signature`` is this storage's signature of ``policy_b64``."""
        try:
            expected = self.sign(policy_b64)
        except UnicodeEncodeError:
            return False
        return hmac.compare_digest(expected, signature)

    @contextlib.contextmanager
    def open_write(self, key: str, *, content_type: str | None) -> Iterator[StagedWrite]:
        """Stage a streamed write; it is published atomically when the block exits cleanly.

        An exception inside the block discards the staged bytes: nothing is stored.

        Example
        -------
            >>> with storage.open_write("uploads/AB12/ktp.jpg", content_type="image/jpeg") as w:
            ...     w.write(chunk)
            >>> w.etag
        """
        validate_key(key)
        fd, staged = self._stage()
        try:
            with os.fdopen(fd, "wb") as handle:
                writer = StagedWrite(handle)
                yield writer
                handle.flush()
                os.fsync(handle.fileno())
            with self._locked(key):
                self._publish(staged, key, content_type)
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        logger.debug("open_write key=%s bytes=%d", key, writer.size)

    # -- interface

    def put_json(
        self, key: str, data: dict, *, if_none_match: bool = False, if_match: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> str:
        """Write ``data`` as JSON and return the new etag (see ``S3Storage.put_json``).

        Conditional writes hold a per-key ``flock``; ``if_none_match`` publishes with
        ``os.link``, which fails atomically if the key exists.

        Raises
        ------
        AlreadyExists, PreconditionFailed
            When the condition does not hold.
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
        if if_none_match and if_match is not None:
            raise ValueError("use if_none_match or if_match, not both")
        validate_key(key)
        staged = self._stage_bytes(body)
        try:
            with self._locked(key):
                if if_match is not None and self._current_etag(key) != if_match:
                    raise PreconditionFailed(key)
                self._publish(staged, key, content_type, exclusive=if_none_match, tags=tags)
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        logger.debug("put key=%s bytes=%d", key, len(body))
        return _quoted_md5(body)

    def get_json(self, key: str) -> tuple[dict, str] | None:
        """Return ``(data, etag)`` or ``None`` when the key does not exist."""
        try:
            raw = self._path(key).read_bytes()
        except _MISSING:
            return None
        return json.loads(raw), _quoted_md5(raw)

    def head(self, key: str) -> ObjectInfo | None:
        """Return size, content type and etag, or ``None`` when the key does not exist."""
        try:
            with self._path(key).open("rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                digest = hashlib.file_digest(handle, lambda: hashlib.md5(usedforsecurity=False))
        except _MISSING:
            return None
        return ObjectInfo(
            key=key,
            size=size,
            content_type=self._read_meta(key).get("content_type"),
            etag=f'"{digest.hexdigest()}"',
        )

    def read_range(self, key: str, length: int) -> bytes:
        """Return the first ``length`` bytes. Raises ``NotFound`` when the key does not exist."""
        try:
            with self._path(key).open("rb") as handle:
                return handle.read(max(length, 0))
        except _MISSING:
            raise NotFound(key) from None

    def read_bytes(self, key: str) -> bytes:
        """Return the whole object. Raises ``NotFound`` when the key does not exist."""
        try:
            return self._path(key).read_bytes()
        except _MISSING:
            raise NotFound(key) from None

    def list_keys(self, prefix: str) -> Iterator[str]:
        """Yield the keys starting with ``prefix``, in UTF-8 byte order (as S3 does)."""
        head = _validate_prefix(prefix).rpartition("/")[0]
        base = self.root.joinpath(*head.split("/")) if head else self.root
        found: list[str] = []
        for directory, dirnames, filenames in os.walk(base):
            dirnames[:] = [name for name in dirnames if not name.startswith(".")]
            relative = Path(directory).relative_to(self.root).as_posix()
            for name in filenames:
                if name.startswith("."):
                    continue
                key = name if relative == "." else f"{relative}/{name}"
                if key.startswith(prefix):
                    found.append(key)
        yield from sorted(found, key=lambda item: item.encode("utf-8"))

    def copy(self, src: str, dst: str, *, if_match: str | None = None) -> None:
        """Copy ``src`` to ``dst``, keeping its content type (``if_match`` as on S3)."""
        with self._locked(src):
            data = self.read_bytes(src)
            content_type = self._read_meta(src).get("content_type")
        if if_match is not None and _quoted_md5(data) != if_match:
            raise PreconditionFailed(src)
        if src == dst:
            return
        staged = self._stage_bytes(data)
        try:
            with self._locked(dst):
                self._publish(staged, dst, content_type)
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        logger.debug("copy src=%s dst=%s", src, dst)

    def delete(self, key: str) -> None:
        """Delete ``key``; deleting a missing key is not an error."""
        path, meta_path = self._path(key), self._meta_path(key)
        with self._locked(key):
            for target in (path, meta_path):
                with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                    target.unlink()
        logger.debug("delete key=%s", key)

    def get_tags(self, key: str) -> dict[str, str]:
        """The object's tags, from its metadata sidecar. Raises ``NotFound``."""
        if not self._path(key).is_file():
            raise NotFound(key)
        return dict(self._read_meta(key).get("tags") or {})

    def put_tags(self, key: str, tags: Mapping[str, str]) -> None:
        """Set ``tags`` on the object, keeping its other tags. Raises ``NotFound``.

        As on S3, writing the object again (``open_write``, ``put_json``, ``copy``) starts
        it with no tags."""
        with self._locked(key):
            if not self._path(key).is_file():
                raise NotFound(key)
            meta = self._read_meta(key)
            meta["tags"] = {**(meta.get("tags") or {}), **{str(k): str(v) for k, v in tags.items()}}
            self._ensure_parents(self._meta_path(key))
            os.replace(self._stage_bytes(json.dumps(meta).encode()), self._meta_path(key))

    def tags(self, key: str) -> dict[str, str] | None:
        """The object's tags (kept in its sidecar), or ``None`` when the key does not exist."""
        try:
            return self.get_tags(key)
        except NotFound:
            return None

    def rewrite_tags(self, key: str, tags: Mapping[str, str]) -> None:
        """Give the object exactly ``tags``. Raises ``NotFound`` when the key does not exist."""
        with self._locked(key):
            if not self._path(key).is_file():
                raise NotFound(key)
            self._write_meta(key, self._read_meta(key).get("content_type"), tags)
        logger.debug("rewrite_tags key=%s tags=%d", key, len(tags))

    def presign_post(
        self, key: str, *, content_type: str, max_bytes: int, expires_in: int = 900
    ) -> PresignedPost:
        """Return a presigned POST in S3's shape, signed with this storage's secret.

        ``fields`` holds ``key``, ``Content-Type``, ``policy`` (base64 JSON with
        ``expiration`` and ``conditions`` as in S3's policy document) and
        ``x-amz-signature`` (hex HMAC-SHA256 of ``policy``). No encryption field: local
        files are not encrypted at rest, so the policy does not claim it.
        """
        validate_key(key)
        _check_presign_args(content_type, max_bytes, expires_in)
        expires_at = (self.now() + timedelta(seconds=expires_in)).replace(microsecond=0)
        document = {
            "expiration": expires_at.astimezone(UTC).strftime(POLICY_TIME_FORMAT),
            "conditions": [
                {"key": key},
                {"Content-Type": content_type},
                ["content-length-range", 1, max_bytes],
            ],
        }
        policy_b64, signature = self.sign_policy(document)
        fields = {
            "key": key,
            "Content-Type": content_type,
            "policy": policy_b64,
            "x-amz-signature": signature,
        }
        logger.debug("presign_post key=%s max_bytes=%d", key, max_bytes)
        return PresignedPost(url=self.upload_url, fields=fields, expires_at=expires_at)

    def presign_get(self, key: str, *, filename: str, expires_in: int = 300) -> str:
        """A signed, expiring URL of ``LocalDownloadEndpoint`` (``/download`` beside ``/upload``)."""
        validate_key(key)
        _check_presign_args("application/octet-stream", 1, expires_in)
        expires_at = self.now() + timedelta(seconds=expires_in)
        document = {"key": key, "filename": filename,
                    "expiration": expires_at.astimezone(UTC).strftime(POLICY_TIME_FORMAT)}
        policy_b64, signature = self.sign_policy(document)
        base = self.upload_url.rstrip("/").rsplit("/", 1)[0]
        return f"{base}/download?" + urlencode({"policy": policy_b64, "signature": signature})

    def sign_policy(self, document: Mapping[str, Any]) -> tuple[str, str]:
        """Encode a policy document and sign it: returns ``(policy_b64, signature)``."""
        policy_b64 = base64.b64encode(json.dumps(document).encode("utf-8")).decode("ascii")
        return policy_b64, self.sign(policy_b64)


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the UTF-8 one (RFC 6266)."""
    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_"
                         for c in filename)[:120] or "dokumen"
    return f'attachment; filename="{ascii_name}"; filename*=UTF-8\'\'{quote(filename, safe="")}'


def _make_private_dir(path: Path) -> None:
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, 0o700)


# --------------------------------------------------------------------------- configuration


# The upload-signing secret when LOCAL_UPLOAD_SECRET is unset: random, one per process.
_PROCESS_SECRET = secrets.token_bytes(32)


def storage_from_env(environ: Mapping[str, str] | None = None) -> Storage:
    """Build the configured storage backend from environment variables.

    ``STORAGE_BACKEND=local`` (default): ``LOCAL_STORAGE_DIR`` (default ``./var/storage``,
    relative to the working directory), ``LOCAL_UPLOAD_URL`` (default
    ``http://127.0.0.1:8000/upload``), ``LOCAL_UPLOAD_SECRET`` (at least 16 characters;
    unset means a random secret per process, so the app signing policies and the upload
    endpoint checking them must then run in the same process).

    ``STORAGE_BACKEND=s3``: ``SUBMISSIONS_BUCKET`` (required), ``SUBMISSIONS_PREFIX``,
    ``S3_ENDPOINT_URL`` (self-hosted S3-compatible store; path-style), ``AWS_REGION`` or
    ``AWS_DEFAULT_REGION`` (required without an endpoint URL), ``S3_SSE`` (``AES256``
    default, ``aws:kms``, or ``none``), ``S3_KMS_KEY_ID``. The boto3 client is built once
    per process, on first call.

    Example
    -------
        >>> storage_from_env({"STORAGE_BACKEND": "s3", "SUBMISSIONS_BUCKET": "b",
        ...                   "AWS_REGION": "ap-southeast-3"})
        <chalicelib.storage.S3Storage object at ...>

    Raises
    ------
    ValueError
        For an unknown backend or a missing or invalid setting.
    """
    environ = os.environ if environ is None else environ  # read at call time: Chalice's test client replaces os.environ
    backend = environ.get("STORAGE_BACKEND", "local").strip().lower() or "local"
    if backend == "local":
        raw_secret = environ.get("LOCAL_UPLOAD_SECRET", "")
        return LocalStorage(
            root=Path(environ.get("LOCAL_STORAGE_DIR", "") or "./var/storage"),
            upload_url=environ.get("LOCAL_UPLOAD_URL", "") or "http://127.0.0.1:8000/upload",
            secret=raw_secret.encode("utf-8") if raw_secret else _PROCESS_SECRET,
        )
    if backend != "s3":
        raise ValueError(f"STORAGE_BACKEND must be 'local' or 's3', not {backend!r}")
    bucket = environ.get("SUBMISSIONS_BUCKET", "").strip()
    if not bucket:
        raise ValueError("SUBMISSIONS_BUCKET must be set when STORAGE_BACKEND=s3")
    endpoint_url = environ.get("S3_ENDPOINT_URL", "").strip() or None
    region = (environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "").strip()
    if not region:
        if not endpoint_url:
            raise ValueError("AWS_REGION or AWS_DEFAULT_REGION must be set when STORAGE_BACKEND=s3")
        region = "us-east-1"
    sse_setting = environ.get("S3_SSE", "").strip() or "AES256"
    sse = None if sse_setting.lower() == "none" else sse_setting
    return S3Storage(
        client=get_s3_client(region, endpoint_url),
        bucket=bucket,
        prefix=environ.get("SUBMISSIONS_PREFIX", ""),
        sse=sse,
        kms_key_id=environ.get("S3_KMS_KEY_ID", "").strip() or None,
    )
