"""The local server: the built site, the API and the upload endpoint on one origin.

    from portal.devserver import serve
    serve(Path("build/site"))               # http://127.0.0.1:8000/ until Ctrl+C

One multi-threaded WSGI server (waitress) on loopback answers::

    /api/...     the Chalice app of functions/app.py, through Chalice's own local
                 gateway (the same Lambda event conversion as ``chalice local``)
    /upload      chalicelib.local_upload: presigned-POST uploads into the folder
    /download    chalicelib.local_download: presigned-GET downloads of finished documents
    /...         the static files of the built site

All three share one origin, so the browser needs no CORS, and one local folder
of submissions (``var/storage`` by default, with the layout of
``chalicelib.layout``). ``chalice local`` is not used: it served kept-alive
connections slowly and dropped some of them under concurrent clients. waitress
keeps HTTP/1.1 connections alive correctly and every answer here carries a
Content-Length.

A Chalice app is not thread-safe (``app.current_request`` is shared, as it is in
one Lambda container), so API calls go through it one at a time; static files
and uploads are served in parallel.

Each client address has budgets for creates, uploads and status checks
(:mod:`portal.ratelimit`, ``LOCAL_RATE_LIMITS``): over budget, a 429 with
``Retry-After``. ``serve`` logs to stderr (:func:`configure_logging`): one access
line per request (method, path without its query string, status, time; never a
body or a client address), and the warnings and errors of the server and the API.
"""

from __future__ import annotations

import base64
import email.utils
import importlib.util
import logging
import mimetypes
import os
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

if TYPE_CHECKING:
    from .ratelimit import ClientBudgets

__all__ = ["PortalServer", "configure_logging", "create_server", "make_wsgi_app", "serve"]

log = logging.getLogger("portal.devserver")

REPOSITORY = Path(__file__).resolve().parents[2]
FUNCTIONS_DIR = REPOSITORY / "functions"
DEFAULT_STORAGE_DIR = REPOSITORY / "var" / "storage"
API_PREFIX = "/api"
UPLOAD_PREFIX = "/upload"
DOWNLOAD_PREFIX = "/download"
MAX_API_BODY = 1024 * 1024  # the app refuses more than 64 KB itself, with its own message
MAX_REQUEST_BODY = 64 * 1024 * 1024  # uploads (20 MB files at most) plus multipart overhead

StartResponse = Callable[..., Any]
Environ = dict[str, Any]

_NOT_FOUND_JSON = b'{"message":"Alamat tidak ditemukan.","code":"not_found"}'
_TOO_LARGE_JSON = b'{"message":"Permintaan terlalu besar.","code":"payload_too_large"}'


# ---------------------------------------------------------------------- entry points


def serve(
    build_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    storage_dir: Path = DEFAULT_STORAGE_DIR,
    *,
    threads: int = 8,
    content_dir: Path | None = None,
) -> None:
    """Serve the site, the API and uploads until interrupted (Ctrl+C).

    Parameters
    ----------
    build_dir
        The built static site (``index.html`` at its root).
    host, port
        Where to listen; keep ``127.0.0.1`` (residents' data is stored unencrypted).
    storage_dir
        The local submissions folder (created, owner-only).
    threads
        Worker threads for requests.
    content_dir
        The content tree whose forms the API serves (sets ``PORTAL_CONTENT_DIR``);
        by default ``chalicelib.paths.content_dir()`` decides.
    """
    configure_logging()
    server = create_server(build_dir, host=host, port=port, storage_dir=storage_dir,
                           threads=threads, content_dir=content_dir)
    print(f"Portal lokal: {server.url}  (API {server.url}api/, unggahan {server.url}upload)")
    print(f"Berkas pengajuan disimpan di {server.storage_dir}. Tekan Ctrl+C untuk berhenti.")
    print(_scanning_status())
    try:
        server.run()
    except KeyboardInterrupt:  # pragma: no cover - interactive
        pass
    finally:
        server.close()


def _scanning_status() -> str:
    """One line on malware scanning (ClamAV through CLAMD_SOCKET/CLAMD_HOST, or off)."""
    from chalicelib.scanning import scanner_from_env

    try:
        return scanner_from_env().describe()
    except ValueError as error:
        return f"Pemindaian virus: pengaturan salah ({error})."


def create_server(
    build_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    storage_dir: Path = DEFAULT_STORAGE_DIR,
    *,
    threads: int = 8,
    content_dir: Path | None = None,
    rate_limits: ClientBudgets | None = None,
) -> PortalServer:
    """Bind the server (``port=0`` picks a free port) without starting it.

    ``rate_limits``: the per-client budgets; by default ``LOCAL_RATE_LIMITS`` (or the
    defaults of :mod:`portal.ratelimit`); ``ClientBudgets.off()`` for load tests.

    Example
    -------
        >>> server = create_server(Path("build/site"), port=0)
        >>> threading.Thread(target=server.run, daemon=True).start()
        >>> requests.get(server.url + "api/forms")
        >>> server.close()
    """
    from waitress.server import create_server as waitress_server

    if content_dir is not None:
        os.environ["PORTAL_CONTENT_DIR"] = str(Path(content_dir).resolve())
    holder: dict[str, Any] = {}

    def deferred(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        return holder["app"](environ, start_response)

    server = waitress_server(
        deferred,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=MAX_REQUEST_BODY,
        channel_timeout=60,
        connection_limit=200,
        clear_untrusted_proxy_headers=True,
        ident="portal-lokal",
    )
    bound_port = server.effective_port
    origin = f"http://{host}:{bound_port}"
    holder["app"] = make_wsgi_app(build_dir, storage_dir, origin=origin, rate_limits=rate_limits)
    return PortalServer(server, origin, Path(storage_dir).resolve())


class PortalServer:
    """A bound server: ``run()`` blocks, ``close()`` (from another thread) stops it."""

    def __init__(self, server: Any, origin: str, storage_dir: Path) -> None:
        self._server = server
        self.origin = origin
        self.url = origin + "/"
        self.storage_dir = storage_dir
        self._closing = False

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    def run(self) -> None:
        """Serve until closed."""
        try:
            self._server.run()
        except OSError:
            # close() from another thread pulls the sockets out from under select():
            # that is how the loop ends, not an error.
            if not self._closing:
                raise

    def close(self) -> None:
        """Let running requests finish, then close every connection and stop listening."""
        from waitress import wasyncore

        self._closing = True
        self._server.task_dispatcher.shutdown(timeout=5)
        wasyncore.close_all(self._server._map)


def make_wsgi_app(build_dir: Path, storage_dir: Path, *, origin: str,
                  rate_limits: ClientBudgets | None = None) -> Callable[..., Any]:
    """The WSGI application: ``/api`` → Chalice, ``/upload`` → uploads, ``/download`` →
    finished documents, else static files; requests over their client's budget get a 429 first."""
    from chalicelib.local_download import LocalDownloadEndpoint
    from chalicelib.local_upload import LocalUploadEndpoint
    from chalicelib.storage import LocalStorage

    from .ratelimit import ClientBudgets, ClientLimiter

    storage = LocalStorage(Path(storage_dir), f"{origin}{UPLOAD_PREFIX}", secrets.token_bytes(32))
    os.environ.setdefault("SITE_URL", origin)  # status links in residents' messages
    functions = _load_functions_app()
    functions.use_storage(storage)
    _purge_expired(functions)
    api = ChaliceGateway(functions.app)
    origins = {origin, origin.replace("://127.0.0.1:", "://localhost:")}
    upload = LocalUploadEndpoint(storage, site_origin=",".join(sorted(origins)))
    download = LocalDownloadEndpoint(storage)
    static = StaticFiles(Path(build_dir))
    if rate_limits is None:
        rate_limits = ClientBudgets.parse(os.environ.get("LOCAL_RATE_LIMITS"))
    limiter = ClientLimiter(rate_limits)

    def route(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            return api(environ, start_response)
        if path == UPLOAD_PREFIX or path.startswith(UPLOAD_PREFIX + "/"):
            return upload(environ, start_response)
        if path == DOWNLOAD_PREFIX:
            return download(environ, start_response)
        return static(environ, start_response)

    routed = limiter.wrap(route)

    def application(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        path = environ.get("PATH_INFO", "") or "/"
        status_holder: list[str] = []

        def recording_start_response(status: str, headers: list, exc_info: Any = None) -> Any:
            status_holder.append(status)
            return start_response(status, headers, exc_info)

        result = routed(environ, recording_start_response)
        log.info("%s %s %s %.1f ms", environ.get("REQUEST_METHOD"), quote(path),
                 (status_holder or ["-"])[0].split(" ")[0],
                 (time.perf_counter() - started) * 1000)
        return result

    return application


# ------------------------------------------------------------------------- the API


class ChaliceGateway:
    """WSGI adapter for a Chalice app through ``chalice.local.LocalGateway``.

    ``/api/forms?x=1`` reaches the app as ``/forms?x=1``. Calls are serialised with
    a lock (a Chalice app handles one event at a time, like one Lambda container).
    """

    def __init__(self, chalice_app: Any, prefix: str = API_PREFIX) -> None:
        from chalice.config import Config
        from chalice.local import LocalGateway

        config = Config.create(chalice_stage="dev", app_name=chalice_app.app_name,
                               lambda_timeout=30, lambda_memory_size=512)
        self._gateway = LocalGateway(chalice_app, config)
        self._prefix = prefix
        self._lock = threading.Lock()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("PATH_INFO", "")[len(self._prefix):] or "/"
        query = environ.get("QUERY_STRING", "")
        target = quote(path) + (f"?{query}" if query else "")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_API_BODY:
            return _respond(start_response, 413, _json_headers(), _TOO_LARGE_JSON)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        headers = _request_headers(environ)
        from chalice.local import LocalGatewayException

        try:
            with self._lock:
                response = self._gateway.handle_request(method, target, headers, body)
        except LocalGatewayException as error:
            status = 404 if error.CODE == 403 else error.CODE
            return _respond(start_response, status, _json_headers(), _NOT_FOUND_JSON)
        return self._send(response, start_response)

    @staticmethod
    def _send(response: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        raw = response.get("body")
        if raw is None:
            payload = b""
        elif response.get("isBase64Encoded"):
            payload = base64.b64decode(raw)
        else:
            payload = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
        headers: list[tuple[str, str]] = []
        for name, value in (response.get("headers") or {}).items():
            if name.lower() != "content-length":
                headers.append((name, str(value)))
        for name, values in (response.get("multiValueHeaders") or {}).items():
            headers.extend((name, str(v)) for v in values)
        return _respond(start_response, int(response.get("statusCode", 200)), headers, payload)


def _request_headers(environ: Environ) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    if environ.get("CONTENT_LENGTH"):
        headers["content-length"] = environ["CONTENT_LENGTH"]
    return headers


def _load_functions_app(functions_dir: Path = FUNCTIONS_DIR) -> ModuleType:
    """Import ``functions/app.py`` (as ``app``, like Lambda does) once per process."""
    path = (functions_dir / "app.py").resolve()
    existing = sys.modules.get("app")
    if existing is not None and Path(getattr(existing, "__file__", "") or "").resolve() == path:
        return existing
    if str(functions_dir) not in sys.path:
        sys.path.insert(0, str(functions_dir))
    name = "app" if existing is None else "portal_functions_app"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:  # pragma: no cover
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def configure_logging(level: str | None = None) -> None:
    """Send log lines to stderr for the run command (``LOG_LEVEL``, default ``INFO``).

    Lines are ``time LEVEL logger: message``: the access lines of ``portal.devserver``,
    warnings such as 429s (``portal.ratelimit``), the API's own lines (``dukcapil.*``:
    ids and error codes only) and waitress's errors. Does nothing when logging is
    already configured (a test's capture, an embedding program).
    """
    wanted = (level or os.environ.get("LOG_LEVEL") or "INFO").strip().upper()
    if wanted not in logging.getLevelNamesMapping():
        wanted = "INFO"
    logging.basicConfig(level=wanted, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _purge_expired(functions: ModuleType) -> None:
    try:
        removed = functions.get_service().purge_expired()
    except Exception as error:  # the server must still start
        log.warning("could not purge expired submissions: %s", type(error).__name__)
        return
    if removed:
        log.info("purged %d expired pending submissions and keys", removed)
    try:
        from chalicelib.quota import QuotaSettings, SubmissionQuota

        SubmissionQuota(functions.get_storage(), QuotaSettings()).purge()
    except Exception as error:  # the server must still start
        log.warning("could not purge old quota counters: %s", type(error).__name__)


# -------------------------------------------------------------------- static files


class StaticFiles:
    """Serve a built site folder: ``index.html`` for folders, ``404.html`` when missing.

    Paths cannot leave the folder; files are revalidated on every load
    (``Cache-Control: no-cache`` with ``Last-Modified``/``304``), so a rebuilt
    site shows at once. Every answer carries the security headers the build wrote
    (``portal.security``, the same set CloudFront sends), and text is gzip-compressed
    for clients that accept it, as CloudFront does: what a browser test or a
    measurement sees here is what production serves.
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._headers: tuple[float, Any] | None = None
        self._gzip = GzipCache()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        if method not in ("GET", "HEAD"):
            return _respond(start_response, 405, [("Allow", "GET, HEAD"),
                                                  ("Content-Type", "text/plain; charset=utf-8")],
                            b"Metode tidak didukung.\n")
        raw_path = environ.get("PATH_INFO", "/")
        # PEP 3333: PATH_INFO is latin-1 decoded bytes; get the UTF-8 text back.
        path = unquote(raw_path.encode("latin-1").decode("utf-8", "replace"))
        target = self._resolve(path)
        if target is not None and target.is_dir():
            if not path.endswith("/"):
                location = quote(path + "/")
                query = environ.get("QUERY_STRING")
                return _respond(start_response, 301,
                                [("Location", location + (f"?{query}" if query else "")),
                                 ("Content-Type", "text/plain; charset=utf-8"), *self.security_headers(path)],
                                b"")
            target = target / "index.html"
        if target is None or not target.is_file():
            return self._not_found(environ, start_response, method, path)
        return self._file(environ, start_response, target, 200, method, path)

    def security_headers(self, path: str) -> list[tuple[str, str]]:
        """The build's security headers for a URL path (none for a folder built without them)."""
        from .security import HEADERS_FILE, load_headers

        marker = self.root / HEADERS_FILE
        mtime = marker.stat().st_mtime if marker.is_file() else -1.0
        if self._headers is None or self._headers[0] != mtime:
            self._headers = (mtime, load_headers(self.root))
        header_set = self._headers[1]
        return list(header_set.for_path(path).items()) if header_set is not None else []

    def _resolve(self, path: str) -> Path | None:
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if any(p == ".." or "\\" in p or "\x00" in p or p.startswith(".") for p in parts):
            return None  # dot files (the headers file) are never served, as publish never uploads them
        candidate = self.root.joinpath(*parts)
        try:
            candidate.resolve().relative_to(self.root)
        except (ValueError, OSError):
            return None
        return candidate

    def _not_found(self, environ: Environ, start_response: StartResponse, method: str,
                   path: str) -> Iterable[bytes]:
        page = self.root / "404.html"
        if page.is_file():
            return self._file(environ, start_response, page, 404, method, path)
        return _respond(start_response, 404, [("Content-Type", "text/plain; charset=utf-8"),
                                              *self.security_headers(path)],
                        b"Halaman tidak ditemukan.\n")

    def _file(self, environ: Environ, start_response: StartResponse, path: Path, status: int,
              method: str, url_path: str) -> Iterable[bytes]:
        stat = path.stat()
        modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
        security = self.security_headers(url_path)
        if status == 200 and environ.get("HTTP_IF_MODIFIED_SINCE") == modified:
            return _respond(start_response, 304, [("Last-Modified", modified),
                                                  ("Cache-Control", "no-cache"), *security], b"")
        kind, encoding = mimetypes.guess_type(path.name)
        kind = kind or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json",
                                                "image/svg+xml", "application/xml"):
            kind += "; charset=utf-8"
        headers = [("Content-Type", kind), ("Last-Modified", modified), ("Cache-Control", "no-cache"),
                   ("X-Content-Type-Options", "nosniff"), *[h for h in security if h[0] != "X-Content-Type-Options"]]
        data = path.read_bytes()
        if encoding:
            headers.append(("Content-Encoding", encoding))
        elif GzipCache.compressible(kind):
            headers.append(("Vary", "Accept-Encoding"))
            if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "").lower() and len(data) >= GZIP_MIN_BYTES:
                data = self._gzip.compress(path, stat, data)
                headers.append(("Content-Encoding", "gzip"))
        headers.append(("Content-Length", str(len(data))))
        start_response(_status_line(status), headers)
        return [b"" if method == "HEAD" else data]


GZIP_MIN_BYTES = 1000  # CloudFront compresses from 1,000 bytes
_COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/xml",
                 "application/atom+xml", "image/svg+xml", "application/manifest+json")


class GzipCache:
    """Gzip (level 6) of static files, kept per file until it changes."""

    def __init__(self) -> None:
        self._cache: dict[Path, tuple[float, int, bytes]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def compressible(content_type: str) -> bool:
        return content_type.startswith(_COMPRESSIBLE)

    def compress(self, path: Path, stat: os.stat_result, data: bytes) -> bytes:
        import gzip

        with self._lock:
            cached = self._cache.get(path)
        if cached is not None and cached[:2] == (stat.st_mtime, stat.st_size):
            return cached[2]
        packed = gzip.compress(data, 6, mtime=0)
        with self._lock:
            self._cache[path] = (stat.st_mtime, stat.st_size, packed)
        return packed


# ------------------------------------------------------------------------- helpers


def _json_headers() -> list[tuple[str, str]]:
    from chalicelib.security_headers import API_HEADERS

    return [("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store"),
            *API_HEADERS.items()]


def _status_line(status: int) -> str:
    from http import HTTPStatus

    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def _respond(start_response: StartResponse, status: int, headers: list[tuple[str, str]],
             payload: bytes) -> Iterable[bytes]:
    start_response(_status_line(status), [*headers, ("Content-Length", str(len(payload)))])
    return [payload]


def main(argv: list[str] | None = None) -> int:
    """``python -m portal.devserver BUILD_DIR [--port 8000] [--storage DIR] [--content DIR]``."""
    import argparse

    parser = argparse.ArgumentParser(description="Serve the built site, API and uploads.")
    parser.add_argument("build_dir", type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--storage", type=Path, default=DEFAULT_STORAGE_DIR)
    parser.add_argument("--content", type=Path, default=None)
    args = parser.parse_args(argv)
    serve(args.build_dir, host=args.host, port=args.port, storage_dir=args.storage,
          content_dir=args.content)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
