"""Tell CloudFront what a publish changed: one invalidation per publish.

    paths = invalidation_paths(plan)            # ['/index.html', '/', '/status.json', ...]
    invalidate(cloudfront_client, "E2ABC...", paths)

CloudFront honours the Cache-Control ``portal publish`` sets, so without an
invalidation a changed page or ``status.json`` reaches readers within 60 seconds
(``SHORT_CACHE``) anyway; but an unhashed asset (``MEDIUM_CACHE``: images, icons)
would be served old for up to an hour, and a closure announced in a hurry should
show at once. Fingerprinted bundles never change under one name, so they are never
invalidated. Every changed or deleted path goes into one batch (one
``CreateInvalidation`` call); past :data:`WILDCARD_AFTER` paths the batch becomes
``/*``, which CloudFront counts as one path (the first 1,000 paths a month are free).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from .publish import IMMUTABLE_CACHE, Plan

__all__ = ["WILDCARD_AFTER", "invalidate", "invalidation_paths"]

WILDCARD_AFTER = 100
"""More changed paths than this: invalidate ``/*`` instead (one path, same effect)."""


def invalidation_paths(plan: Plan, prefix: str = "") -> list[str]:
    """The URL paths whose cached copies a plan makes stale, sorted, ``/*`` when many.

    ``x/index.html`` is also invalidated as ``/x/``, the address readers use; new files
    were never cached (a miss is cached at most 60 s, the error-caching minimum).
    """
    stale = [f.key for f in plan.update if f.cache_control != IMMUTABLE_CACHE]
    stale += [key for key in plan.delete if not _fingerprinted(key)]
    base = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    paths: set[str] = set()
    for key in stale:
        paths.add(base + key)
        if key == "index.html" or key.endswith("/index.html"):
            paths.add(base + key[: -len("index.html")])
    if len(paths) > WILDCARD_AFTER:
        return [base + "*"]
    return sorted(quote(path, safe="/*") for path in paths)


def _fingerprinted(key: str) -> bool:
    from .publish import HASHED_ASSET

    return bool(HASHED_ASSET.search(key))


def invalidate(client: Any, distribution_id: str, paths: Iterable[str]) -> str | None:
    """Create one invalidation for ``paths``; return its id (``None`` when nothing is stale)."""
    items = sorted(set(paths))
    if not items:
        return None
    response = client.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": len(items), "Items": items},
            "CallerReference": f"portal-publish-{time.time_ns()}",
        },
    )
    return response["Invalidation"]["Id"]
