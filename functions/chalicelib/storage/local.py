"""Storage in a local directory, with presigned POSTs and GETs the local endpoints verify."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlencode

from .base import (
    _MISSING,
    POLICY_TIME_FORMAT,
    AlreadyExists,
    NotFound,
    ObjectInfo,
    PreconditionFailed,
    PresignedPost,
    _check_presign_args,
    _quoted_md5,
    _utcnow,
    _validate_prefix,
    _Writes,
    validate_key,
)

logger = logging.getLogger("chalicelib.storage")

# --------------------------------------------------------------------------- local




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


class LocalStorage(_Writes):
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

    def _put(self, key: str, body: bytes, content_type: str, *, if_none_match: bool,
             if_match: str | None, tags: Mapping[str, str] | None = None) -> str:
        """Conditional writes hold a per-key ``flock``; ``if_none_match`` publishes with
        ``os.link``, which fails atomically if the key exists."""
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


def _make_private_dir(path: Path) -> None:
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, 0o700)


