"""Publish the built site: sync ``build/site/`` to an S3 bucket or to a folder.

    from portal.publish import S3Destination, FolderDestination, publish
    plan = publish(Path("build/site"), S3Destination(client, "my-site-bucket"), dry_run=True)
    plan.counts()            # {"upload": 3, "update": 1, "delete": 2, "unchanged": 140}

Every file gets its Content-Type and Cache-Control from its path:

* HTML pages, feeds, calendars, ``status.json`` and other data (JSON, XML, ICS, text):
  ``SHORT_CACHE``, so a rebuilt status reaches readers within a minute;
* Material's fingerprinted assets (``assets/…/*.<hash>.min.js|css`` and their source
  maps): ``IMMUTABLE_CACHE``, a year, never revalidated;
* everything else (images, fonts, the portal's own unhashed CSS and JS): ``MEDIUM_CACHE``.

Only files whose bytes changed are sent (MD5 against the S3 ETag, or the ``md5``
metadata every upload carries when the ETag is not a plain MD5, e.g. SSE-KMS); files
no longer in the build are deleted. Assets go first, pages second, deletions last, so a
reader never gets a page whose CSS is not there yet. Paths with a segment starting
with a dot (``.well-known/``, ``.git/``) are never touched at the destination.

``--force`` (``force=True``) re-sends every file: use it after changing the header rules
here, because headers alone do not make a file "changed".
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import mimetypes
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

__all__ = [
    "IMMUTABLE_CACHE",
    "MEDIUM_CACHE",
    "SHORT_CACHE",
    "Destination",
    "FolderDestination",
    "Plan",
    "PublishError",
    "RemoteFile",
    "S3Destination",
    "SiteFile",
    "apply_plan",
    "cache_control_for",
    "content_type_for",
    "make_plan",
    "publish",
    "scan_site",
]

SHORT_CACHE = "public, max-age=60, must-revalidate"
MEDIUM_CACHE = "public, max-age=3600"
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"

ATOM_TYPE = "application/atom+xml; charset=utf-8"

CONTENT_TYPES: Mapping[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml; charset=utf-8",
    ".atom": ATOM_TYPE,
    ".rss": "application/rss+xml; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    ".pdf": "application/pdf",
    ".gz": "application/gzip",
    ".zip": "application/zip",
    ".wasm": "application/wasm",
    ".yml": "text/yaml; charset=utf-8",  # the staff editor's admin/config.yml
}
"""Content-Type by file extension (lower case); unknown ones fall back to ``mimetypes``."""

SHORT_CACHE_EXTENSIONS = frozenset(
    {".html", ".htm", ".json", ".xml", ".atom", ".rss", ".ics", ".txt", ".webmanifest", ".gz"}
)
"""Pages and data that change with every closure: HTML, feeds, calendars, status.json,
the search index, the sitemap (``sitemap.xml.gz`` too)."""

HASHED_ASSET = re.compile(r"(?:^|/)assets/(?:.+/)?[^/]+\.[0-9a-f]{8,}\.min\.(?:js|css)(?:\.map)?$")
"""Material's fingerprinted bundles, e.g. ``assets/javascripts/bundle.a5f9d56c.min.js``."""

UPLOAD_WORKERS = 8
DELETE_BATCH = 1000  # S3 DeleteObjects' limit


class PublishError(Exception):
    """Publishing cannot go ahead; the message (Indonesian) says why and what to do."""


# --------------------------------------------------------------------------- files


@dataclass(frozen=True)
class SiteFile:
    """One file of the built site and the headers it is served with."""

    key: str  # path relative to the site folder, '/'-separated
    path: Path
    size: int
    md5: str  # hex digest
    content_type: str
    cache_control: str


@dataclass(frozen=True)
class RemoteFile:
    """What the destination holds at a key (``md5`` ``None``: not known from the listing)."""

    key: str
    size: int
    md5: str | None


def content_type_for(key: str, head: bytes = b"") -> str:
    """Return the Content-Type for a site path; ``head`` (first bytes) tells Atom from XML.

    Example
    -------
        >>> content_type_for("kantor/bawen/penutupan.ics")
        'text/calendar; charset=utf-8'
        >>> content_type_for("feed.xml", b'<?xml ...?><feed xmlns="http://www.w3.org/2005/Atom">')
        'application/atom+xml; charset=utf-8'
    """
    suffix = Path(key).suffix.lower()
    if suffix == ".xml" and (_is_atom(head) or key.rsplit("/", 1)[-1] == "feed.xml"):
        return ATOM_TYPE
    known = CONTENT_TYPES.get(suffix)
    if known:
        return known
    guessed, _ = mimetypes.guess_type(key, strict=False)
    if guessed and guessed.startswith("text/"):
        return f"{guessed}; charset=utf-8"
    return guessed or "application/octet-stream"


def _is_atom(head: bytes) -> bool:
    return b"<feed" in head and b"http://www.w3.org/2005/Atom" in head


def cache_control_for(key: str) -> str:
    """Return the Cache-Control for a site path (see the module docstring).

    Example
    -------
        >>> cache_control_for("status.json")
        'public, max-age=60, must-revalidate'
        >>> cache_control_for("assets/stylesheets/main.57a0d79d.min.css")
        'public, max-age=31536000, immutable'
    """
    if HASHED_ASSET.search(key):
        return IMMUTABLE_CACHE
    if Path(key).suffix.lower() in SHORT_CACHE_EXTENSIONS:
        return SHORT_CACHE
    return MEDIUM_CACHE


def _hidden(key: str) -> bool:
    return any(part.startswith(".") for part in key.split("/"))


def _md5_file(path: Path) -> tuple[str, bytes]:
    """MD5 hex digest and first 512 bytes of a file."""
    with path.open("rb") as handle:
        head = handle.read(512)
        handle.seek(0)
        digest = hashlib.file_digest(handle, lambda: hashlib.md5(usedforsecurity=False))
    return digest.hexdigest(), head


def scan_site(root: Path) -> list[SiteFile]:
    """List every file of a built site with its size, MD5 and headers, sorted by key.

    Raises
    ------
    PublishError
        The folder does not exist or has no ``index.html`` (an empty or broken build
        would otherwise delete the whole published site).
    """
    root = Path(root)
    if not (root / "index.html").is_file():
        raise PublishError(
            f"{root}/index.html tidak ada: situs belum dibangun. Jalankan `portal build` dulu."
        )
    files: list[SiteFile] = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(name for name in dirnames if not name.startswith("."))
        for name in filenames:
            if name.startswith("."):
                continue
            path = Path(directory) / name
            key = path.relative_to(root).as_posix()
            md5, head = _md5_file(path)
            files.append(
                SiteFile(
                    key=key,
                    path=path,
                    size=path.stat().st_size,
                    md5=md5,
                    content_type=content_type_for(key, head),
                    cache_control=cache_control_for(key),
                )
            )
    return sorted(files, key=lambda f: f.key)


# --------------------------------------------------------------------------- plan


@dataclass
class Plan:
    """What a sync does: new files, changed files, files to delete, files left alone."""

    upload: list[SiteFile] = field(default_factory=list)
    update: list[SiteFile] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    unchanged: list[SiteFile] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Number of files per action."""
        return {
            "upload": len(self.upload),
            "update": len(self.update),
            "delete": len(self.delete),
            "unchanged": len(self.unchanged),
        }

    @property
    def changes(self) -> bool:
        """Whether applying the plan changes anything."""
        return bool(self.upload or self.update or self.delete)


def make_plan(
    files: Iterable[SiteFile],
    remote: Mapping[str, RemoteFile],
    *,
    same: Callable[[SiteFile, RemoteFile], bool] | None = None,
    force: bool = False,
) -> Plan:
    """Compare the build with the destination's listing.

    Parameters
    ----------
    files
        The built site (``scan_site``).
    remote
        The destination's files by key (hidden paths already left out).
    same
        Decides whether a remote file with the same size holds the same bytes when its
        listing has no usable MD5 (the S3 destination asks for the object's metadata).
    force
        Treat every existing file as changed.
    """
    plan = Plan()
    local_keys = set()
    for file in files:
        local_keys.add(file.key)
        there = remote.get(file.key)
        if there is None:
            plan.upload.append(file)
        elif not force and there.size == file.size and (
            there.md5 == file.md5 or (same is not None and same(file, there))
        ):
            plan.unchanged.append(file)
        else:
            plan.update.append(file)
    plan.delete = sorted(key for key in remote if key not in local_keys)
    return plan


# --------------------------------------------------------------------------- destinations


class Destination(Protocol):
    """Where a site is published."""

    def describe(self) -> str: ...

    def list_files(self) -> dict[str, RemoteFile]: ...

    def same(self, file: SiteFile, remote: RemoteFile) -> bool: ...

    def upload(self, file: SiteFile) -> None: ...

    def delete(self, keys: list[str]) -> None: ...


_PLAIN_MD5 = re.compile(r"^[0-9a-f]{32}$")


class S3Destination:
    """An S3 bucket (optionally under a prefix) serving the site, e.g. behind CloudFront.

    Parameters
    ----------
    client
        A boto3 S3 client; build it with ``chalicelib.storage.make_s3_client`` so the
        regional endpoint is used (ap-southeast-3 needs it).
    bucket
        The site bucket. Everything under ``prefix`` that is not in the build is deleted,
        so the bucket (or prefix) must hold the site only.
    prefix
        Key prefix, e.g. ``"portal"`` publishes ``index.html`` as ``portal/index.html``.
    """

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        if not bucket:
            raise PublishError("Nama bucket kosong: isi --bucket.")
        stripped = prefix.strip("/")
        self.client = client
        self.bucket = bucket
        self.prefix = f"{stripped}/" if stripped else ""

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def list_files(self) -> dict[str, RemoteFile]:
        found: dict[str, RemoteFile] = {}
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", ()):
                key = item["Key"][len(self.prefix):]
                if not key or key.endswith("/") or _hidden(key):
                    continue
                etag = str(item.get("ETag", "")).strip('"').lower()
                found[key] = RemoteFile(
                    key=key,
                    size=int(item["Size"]),
                    md5=etag if _PLAIN_MD5.match(etag) else None,
                )
        return found

    def same(self, file: SiteFile, remote: RemoteFile) -> bool:
        """Ask the object's ``md5`` metadata (the ETag of an SSE-KMS or multipart object
        is not the MD5 of its bytes)."""
        response = self.client.head_object(Bucket=self.bucket, Key=self.prefix + file.key)
        return response.get("Metadata", {}).get("md5") == file.md5

    def upload(self, file: SiteFile) -> None:
        body = file.path.read_bytes()
        self.client.put_object(
            Bucket=self.bucket,
            Key=self.prefix + file.key,
            Body=body,
            ContentType=file.content_type,
            CacheControl=file.cache_control,
            ContentMD5=base64.b64encode(bytes.fromhex(file.md5)).decode("ascii"),
            Metadata={"md5": file.md5},
        )

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), DELETE_BATCH):
            batch = keys[start:start + DELETE_BATCH]
            response = self.client.delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": self.prefix + k} for k in batch], "Quiet": True},
            )
            errors = response.get("Errors") or []
            if errors:
                first = errors[0]
                raise PublishError(
                    f"{len(errors)} berkas tidak bisa dihapus dari {self.describe()}, misalnya "
                    f"{first.get('Key')}: {first.get('Code')} {first.get('Message', '')}".rstrip()
                )


class FolderDestination:
    """A folder another web server serves (nginx, Apache, GitHub Pages checkout, rsync target).

    Files are written atomically (temporary file, then rename) with mode 0644 and folders
    0755; the web server sets Content-Type and Cache-Control itself (see the README for
    the rules to copy). Hidden paths (``.git/``, ``.well-known/``) are left alone.
    """

    def __init__(self, root: Path, *, site_dir: Path | None = None) -> None:
        self.root = Path(root).resolve()
        if site_dir is not None:
            site = Path(site_dir).resolve()
            if self.root == site or site in self.root.parents or self.root in site.parents:
                raise PublishError(
                    f"Folder tujuan {self.root} bertumpang tindih dengan folder hasil build "
                    f"{site}; pilih folder lain."
                )

    def describe(self) -> str:
        return f"{self.root}/"

    def list_files(self) -> dict[str, RemoteFile]:
        found: dict[str, RemoteFile] = {}
        if not self.root.is_dir():
            return found
        for directory, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [name for name in dirnames if not name.startswith(".")]
            for name in filenames:
                if name.startswith("."):
                    continue
                path = Path(directory) / name
                if path.is_symlink() or not path.is_file():
                    continue
                key = path.relative_to(self.root).as_posix()
                found[key] = RemoteFile(key=key, size=path.stat().st_size, md5=_md5_file(path)[0])
        return found

    def same(self, file: SiteFile, remote: RemoteFile) -> bool:
        return False  # the listing already has every file's MD5

    def upload(self, file: SiteFile) -> None:
        target = self.root.joinpath(*file.key.split("/"))
        self.root.mkdir(parents=True, exist_ok=True)
        current = self.root
        for part in target.relative_to(self.root).parts[:-1]:
            current = current / part
            if not current.is_dir():
                with contextlib.suppress(FileExistsError):
                    current.mkdir(mode=0o755)
        fd, staged = tempfile.mkstemp(dir=target.parent, prefix=".publish-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(file.path.read_bytes())
            os.chmod(staged, 0o644)
            os.replace(staged, target)
        except BaseException:
            Path(staged).unlink(missing_ok=True)
            raise

    def delete(self, keys: list[str]) -> None:
        for key in keys:
            path = self.root.joinpath(*key.split("/"))
            path.unlink(missing_ok=True)
            parent = path.parent
            while parent != self.root:
                try:
                    parent.rmdir()  # only when empty
                except OSError:
                    break
                parent = parent.parent


# --------------------------------------------------------------------------- run


def _upload_order(file: SiteFile) -> tuple[int, str]:
    """Assets before pages and data, so a page never arrives before what it loads."""
    return (1 if file.cache_control == SHORT_CACHE else 0, file.key)


def apply_plan(
    plan: Plan,
    destination: Destination,
    *,
    workers: int = UPLOAD_WORKERS,
    progress: Callable[[str, str], None] | None = None,
) -> None:
    """Carry out a plan: uploads (assets, then pages), then deletions.

    ``progress(action, key)`` is called after each file (``action`` is ``upload``,
    ``update`` or ``delete``).
    """
    kinds = {f.key: "upload" for f in plan.upload} | {f.key: "update" for f in plan.update}
    files = sorted([*plan.upload, *plan.update], key=_upload_order)
    for phase in (0, 1):
        batch = [f for f in files if _upload_order(f)[0] == phase]
        if not batch:
            continue
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for file in pool.map(functools.partial(_send, destination), batch):
                if progress is not None:
                    progress(kinds[file.key], file.key)
    if plan.delete:
        destination.delete(list(plan.delete))
        if progress is not None:
            for key in plan.delete:
                progress("delete", key)


def _send(destination: Destination, file: SiteFile) -> SiteFile:
    destination.upload(file)
    return file


def publish(
    site_dir: Path,
    destination: Destination,
    *,
    dry_run: bool = False,
    force: bool = False,
    progress: Callable[[str, str], None] | None = None,
) -> Plan:
    """Plan the sync of ``site_dir`` to ``destination`` and, unless ``dry_run``, carry it out.

    Example
    -------
        >>> plan = publish(Path("build/site"), FolderDestination(Path("/var/www/portal")))
        >>> plan.counts()
        {'upload': 0, 'update': 2, 'delete': 0, 'unchanged': 151}

    Raises
    ------
    PublishError
        The build is missing, or the destination refused a deletion.
    """
    files = scan_site(site_dir)
    plan = make_plan(files, destination.list_files(), same=destination.same, force=force)
    if not dry_run:
        apply_plan(plan, destination, progress=progress)
    return plan
