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

from .base import (
    JSON_CONTENT_TYPE,
    MAX_EXPIRES_IN,
    MAX_KEY_BYTES,
    MAX_SEGMENT_BYTES,
    POLICY_TIME_FORMAT,
    AlreadyExists,
    NotFound,
    ObjectInfo,
    PreconditionFailed,
    PresignedPost,
    Storage,
    StorageError,
    content_disposition,
    validate_key,
)
from .config import storage_from_env
from .local import LocalStorage, StagedWrite
from .s3 import S3_CONNECT_TIMEOUT, S3_MAX_ATTEMPTS, S3_READ_TIMEOUT, S3Storage, get_s3_client, make_s3_client

__all__ = [
    "AlreadyExists",
    "JSON_CONTENT_TYPE",
    "LocalStorage",
    "MAX_EXPIRES_IN",
    "MAX_KEY_BYTES",
    "MAX_SEGMENT_BYTES",
    "NotFound",
    "ObjectInfo",
    "POLICY_TIME_FORMAT",
    "PreconditionFailed",
    "PresignedPost",
    "S3_CONNECT_TIMEOUT",
    "S3_MAX_ATTEMPTS",
    "S3_READ_TIMEOUT",
    "S3Storage",
    "StagedWrite",
    "Storage",
    "StorageError",
    "content_disposition",
    "get_s3_client",
    "make_s3_client",
    "storage_from_env",
    "validate_key",
]
