"""Build the configured storage backend from environment variables."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from .base import Storage
from .local import LocalStorage
from .s3 import S3Storage, get_s3_client

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

