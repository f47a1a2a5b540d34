"""The local backend's stand-in for S3's presigned GET: ``GET /download?policy=…&signature=…``.

``LocalStorage.presign_get`` signs ``{key, filename, expiration}`` with the storage's
secret; this WSGI app checks the signature and the expiry and sends the object as
an attachment, never cached. Anything else is a 403/404 in S3's XML shape, as S3
answers an expired or tampered link.

    >>> app = LocalDownloadEndpoint(storage)    # mounted at /download by the run command
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from chalicelib.storage import (
    POLICY_TIME_FORMAT,
    LocalStorage,
    NotFound,
    content_disposition,
    validate_key,
)

__all__ = ["LocalDownloadEndpoint"]

logger = logging.getLogger("dukcapil.storage.download")


class LocalDownloadEndpoint:
    """WSGI app serving presigned downloads from a ``LocalStorage``."""

    def __init__(self, storage: LocalStorage) -> None:
        self.storage = storage

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        if method not in ("GET", "HEAD"):
            return _error(start_response, 405, "MethodNotAllowed", "Use GET to download.")
        query = parse_qs(environ.get("QUERY_STRING", ""), max_num_fields=4)
        policy = (query.get("policy") or [""])[0]
        signature = (query.get("signature") or [""])[0]
        if not policy or not self.storage.verify(policy, signature):
            logger.info("download refused: signature")
            return _error(start_response, 403, "SignatureDoesNotMatch",
                          "The request signature does not match.")
        try:
            document = json.loads(base64.b64decode(policy, validate=True))
            expires = datetime.strptime(document["expiration"], POLICY_TIME_FORMAT)
            key = validate_key(str(document["key"]))
            filename = str(document["filename"])
        except (binascii.Error, ValueError, KeyError, TypeError):
            return _error(start_response, 403, "AccessDenied", "Invalid download link.")
        if self.storage.now().replace(tzinfo=None) >= expires:
            logger.info("download refused: expired")
            return _error(start_response, 403, "AccessDenied", "Request has expired")
        try:
            data = self.storage.read_bytes(key)
        except NotFound:
            return _error(start_response, 404, "NoSuchKey", "The specified key does not exist.")
        info = self.storage.head(key)
        start_response("200 OK", [
            ("Content-Type", (info.content_type if info else None) or "application/octet-stream"),
            ("Content-Length", str(len(data))),
            ("Content-Disposition", content_disposition(filename)),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ])
        return [b"" if method == "HEAD" else data]


def _error(start_response: Any, status: int, code: str, message: str) -> Iterable[bytes]:
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{escape(code)}</Code>'
            f"<Message>{escape(message)}</Message></Error>").encode()
    phrase = {403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed"}[status]
    start_response(f"{status} {phrase}", [("Content-Type", "application/xml"),
                                          ("Content-Length", str(len(body))),
                                          ("Cache-Control", "no-store")])
    return [body]
