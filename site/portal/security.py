"""The site's security headers, written by the build and read by every server of it.

The build (``mkdocs_hooks``) collects the SHA-256 of every inline script Material
puts in the pages and writes the whole header set into the built site as
:data:`HEADERS_FILE` (a dot file: ``portal publish`` never uploads it)::

    {"headers": {"Content-Security-Policy": "...", "Strict-Transport-Security": ..., ...},
     "paths": {"/admin/": {...the headers for pages under /admin/...}}}

Readers of that one file:

* the local server (``portal serve``, :mod:`portal.devserver`) sends it with every file;
* CloudFront: ``deploy/site.json`` takes the policies as parameters, printed by
  ``portal headers`` from the same file (the fixed headers are written in the
  template and a test checks they equal :data:`chalicelib.security_headers.COMMON_HEADERS`).

The policy: scripts only from the site itself plus the hashed inline scripts (never
``'unsafe-inline'``), no framing, no plugins, connections to the site itself (the API
is under ``/api/`` on the same origin) and to ``upload_origin``, where the browser
posts the scans (the submissions bucket: the functions stack's ``UploadOrigin``).

**Per-path policies.** :data:`PATH_POLICIES` maps a path prefix to the directives
that replace the site's there. A part of the site that needs a looser policy (the
CMS at ``/admin/`` loads its editor's scripts and talks to its backend) gets an entry
here, and ``deploy/site.json`` gives that prefix its own cache behaviour whose
response headers policy takes ``portal headers --path /admin/``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from chalicelib.security_headers import COMMON_HEADERS

__all__ = [
    "HEADERS_FILE",
    "PATH_POLICIES",
    "SITE_POLICY",
    "HeaderSet",
    "InlineScripts",
    "format_policy",
    "header_set",
    "load_headers",
    "write_headers",
]

HEADERS_FILE = ".portal-headers.json"

SITE_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),  # + the inline scripts' hashes
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),  # Material's icons are data: URLs in its CSS
    "font-src": ("'self'",),
    "connect-src": ("'self'",),  # + the upload origin
    "worker-src": ("'self'",),  # Material's search worker
    "manifest-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}
"""The Content-Security-Policy of every page, before the build adds hashes and origins."""

PATH_POLICIES: dict[str, dict[str, tuple[str, ...]]] = {
    # The staff editor (Decap CMS): it compiles its config schema with `new Function`
    # (ajv: 'unsafe-eval'), styles itself inline, shows GitHub avatars and talks to the
    # GitHub API (production) or its local backend (added by the build when it runs).
    "/admin/": {
        "script-src": ("'self'", "'unsafe-eval'"),
        "style-src": ("'self'", "'unsafe-inline'"),
        "img-src": ("'self'", "data:", "blob:", "https://avatars.githubusercontent.com"),
        "connect-src": ("'self'", "https://api.github.com"),
        "frame-src": ("'self'",),
    },
}
"""Path prefix -> directives replacing the site's there; ``deploy/site.json`` gives each
prefix its own behaviour, whose policy is ``portal headers csp --path <prefix>``."""


def with_local_backend(policies: Mapping[str, Mapping[str, tuple[str, ...]]],
                       backend_url: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """``policies`` with the staff editor's local backend allowed to ``/admin/`` (local runs)."""
    changed = {prefix: dict(directives) for prefix, directives in policies.items()}
    if backend_url and "/admin/" in changed:
        scheme, _, rest = backend_url.partition("://")
        origin = check_origin(f"{scheme}://{rest.split('/')[0]}")
        admin = changed["/admin/"]
        admin["connect-src"] = (*admin.get("connect-src", ("'self'",)), origin)
    return changed


_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?$")
_SCRIPT_OPEN = re.compile(r"<script(\s[^>]*)?>")  # lower case: what MkDocs and Material write
_SRC = re.compile(r"(?:^|\s)src\s*=", re.I)  # not data-src
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.I)
_EXECUTABLE_TYPES = {"", "text/javascript", "application/javascript", "module"}


class InlineScripts:
    """The SHA-256 sources of the inline scripts seen in built pages."""

    def __init__(self) -> None:
        self.hashes: set[str] = set()
        self._seen: set[str] = set()

    def add_page(self, html: str) -> None:
        """Record every inline script of one page (JSON data blocks are not scripts)."""
        position = 0
        while (match := _SCRIPT_OPEN.search(html, position)) is not None:
            end = html.find("</script>", match.end())
            if end < 0:
                break
            position = end + len("</script>")
            attrs = match.group(1) or ""
            if _SRC.search(attrs):
                continue
            kind = _TYPE.search(attrs)
            if (kind.group(1).lower() if kind else "") not in _EXECUTABLE_TYPES:
                continue
            body = html[match.end():end]
            if body not in self._seen:
                self._seen.add(body)
                digest = hashlib.sha256(body.encode("utf-8")).digest()
                self.hashes.add(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")


def check_origin(origin: str) -> str:
    """``origin`` without a trailing slash; ``ValueError`` unless it is scheme://host[:port]."""
    origin = origin.strip().rstrip("/")
    if origin and not _ORIGIN.match(origin):
        raise ValueError(f"upload_origin {origin!r} is not an origin such as https://bucket.s3.example.com")
    return origin


def format_policy(directives: Mapping[str, tuple[str, ...]]) -> str:
    """``{"default-src": ("'self'",)}`` -> ``"default-src 'self'"`` (directives in order)."""
    return "; ".join(f"{name} {' '.join(sources)}".strip() for name, sources in directives.items())


def site_directives(hashes: set[str], upload_origin: str = "",
                    override: Mapping[str, tuple[str, ...]] | None = None) -> dict[str, tuple[str, ...]]:
    """The site's CSP directives with the build's script hashes and the upload origin."""
    directives = dict(SITE_POLICY)
    directives["script-src"] = (*SITE_POLICY["script-src"], *sorted(hashes))
    origin = check_origin(upload_origin)
    if origin:
        directives["connect-src"] = (*SITE_POLICY["connect-src"], origin)
    directives.update(override or {})
    return directives


@dataclass(frozen=True)
class HeaderSet:
    """The headers of the site's answers: the default set and one set per path prefix."""

    headers: dict[str, str]
    paths: dict[str, dict[str, str]] = field(default_factory=dict)

    def for_path(self, path: str) -> dict[str, str]:
        """The headers for a URL path (the longest matching prefix wins)."""
        for prefix in sorted(self.paths, key=len, reverse=True):
            if path == prefix.rstrip("/") or path.startswith(prefix):
                return self.paths[prefix]
        return self.headers

    def to_json(self) -> str:
        return json.dumps({"headers": self.headers, "paths": self.paths}, indent=2, ensure_ascii=False) + "\n"


PATH_HEADERS: dict[str, dict[str, str]] = {"/admin/": {"X-Robots-Tag": "noindex, nofollow"}}
"""Headers added under a prefix (deploy/site.json's behaviour for it sends the same)."""


def header_set(hashes: set[str], upload_origin: str = "",
               path_policies: Mapping[str, Mapping[str, tuple[str, ...]]] = PATH_POLICIES) -> HeaderSet:
    """Every header of the site, for the build that produced ``hashes``."""

    def headers(override: Mapping[str, tuple[str, ...]] | None) -> dict[str, str]:
        policy = format_policy(site_directives(hashes, upload_origin, override))
        return {"Content-Security-Policy": policy, **COMMON_HEADERS}

    return HeaderSet(headers(None), {prefix: {**headers(o), **PATH_HEADERS.get(prefix, {})}
                                     for prefix, o in path_policies.items()})


def write_headers(site_dir: Path, headers: HeaderSet) -> Path:
    path = Path(site_dir) / HEADERS_FILE
    path.write_text(headers.to_json(), encoding="utf-8")
    return path


def load_headers(site_dir: Path) -> HeaderSet | None:
    """The header set a build wrote, or ``None`` for a folder built without it."""
    path = Path(site_dir) / HEADERS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return HeaderSet(dict(data["headers"]), {k: dict(v) for k, v in data.get("paths", {}).items()})
