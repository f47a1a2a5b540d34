"""Storage on Amazon S3 (or an S3-compatible store) through an injected boto3 client."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from .base import (
    MAX_KEY_BYTES,
    POLICY_TIME_FORMAT,
    AlreadyExists,
    NotFound,
    ObjectInfo,
    PreconditionFailed,
    PresignedPost,
    _check_presign_args,
    _decode_policy_expiration,
    _encode_tags,
    _utcnow,
    _validate_prefix,
    _Writes,
    content_disposition,
    validate_key,
)

logger = logging.getLogger("chalicelib.storage")

S3_CONNECT_TIMEOUT = 2  # seconds per attempt to open a connection
S3_READ_TIMEOUT = 6  # seconds per attempt waiting for S3 to answer
S3_MAX_ATTEMPTS = 3  # the first try included; worst case ~3 x (2 + 6) s plus back-off < 30 s

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


class S3Storage(_Writes):
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


