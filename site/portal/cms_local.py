"""The staff editor's local backend: decap-server on 127.0.0.1, writing into the checkout.

    with local_editor(Path("content")) as url:   # http://127.0.0.1:<free port>/api/v1, or None
        ...build and serve: /admin/ saves into content/ ...

`portal serve` (and so `bin/serve`) and `portal preview` run this. The server is
the npm package `decap-server` (installed by `bin/setup` into
`site/admin/node_modules/`) in its file-system mode: it reads and writes files
under one folder (the repository, or the content tree's parent when the tree
lives elsewhere) and refuses paths outside it. It listens on 127.0.0.1 only
(`BIND_HOST`), on a free port, and answers browsers only from
`http://127.0.0.1:*` and `http://localhost:*` (its CORS rule). The editor finds
it through `local_backend.url` in the generated `admin/config.yml`
(`PORTAL_CMS_LOCAL_BACKEND`, set here for the build).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .cms_build import ADMIN_SOURCE, NODE_MODULES

__all__ = ["ENV_VAR", "LocalBackend", "local_editor", "repo_root_for"]

ENV_VAR = "PORTAL_CMS_LOCAL_BACKEND"
SERVER_SCRIPT = NODE_MODULES / "decap-server" / "dist" / "index.js"
HOST = "127.0.0.1"


def repo_root_for(content_dir: Path, repository: Path) -> Path:
    """The folder the editor's paths are relative to: the repository, or the tree's parent."""
    content_dir = Path(content_dir).resolve()
    repository = Path(repository).resolve()
    return repository if content_dir.is_relative_to(repository) else content_dir.parent


class LocalBackend:
    """One decap-server process on 127.0.0.1.

    Example
    -------
        >>> backend = LocalBackend(Path("/tmp/copy")).start()
        >>> backend.url
        'http://127.0.0.1:40123/api/v1'
        >>> backend.stop()
    """

    def __init__(self, root: Path, port: int = 0) -> None:
        self.root = Path(root).resolve()
        self.port = port or _free_port()
        self.url = f"http://{HOST}:{self.port}/api/v1"
        self._process: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("node") is not None and SERVER_SCRIPT.is_file()

    def start(self, timeout: float = 20) -> LocalBackend:
        env = {k: v for k, v in os.environ.items() if k not in ("ORIGIN", "GIT_REPO_DIRECTORY")}
        env.update(PORT=str(self.port), BIND_HOST=HOST, MODE="fs", GIT_REPO_DIRECTORY=str(self.root),
                   LOG_LEVEL=os.environ.get("PORTAL_CMS_LOG_LEVEL", "warn"))
        # cwd: a folder of ours without a .env file (decap-server reads one from its cwd).
        self._process = subprocess.Popen([shutil.which("node") or "node", str(SERVER_SCRIPT)], cwd=ADMIN_SOURCE,
                                         env=env, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"decap-server did not start on {self.url}")
            time.sleep(0.1)
        return self

    def _answers(self) -> bool:
        body = json.dumps({"action": "info"}).encode()
        headers = {"Content-Type": "application/json"}
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=1) as answer:  # noqa: S310 - our loopback URL
                return answer.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5)
        self._process = None


@contextmanager
def local_editor(content_dir: Path, repository: Path, *, echo=print) -> Iterator[str | None]:
    """Run the local backend while the block runs; set PORTAL_CMS_LOCAL_BACKEND for the build.

    Yields the backend's URL, or None when Node.js or decap-server is missing
    (the site still works; /admin/ then offers only the GitHub login).
    """
    if not LocalBackend.available():
        echo("Penyunting staf (/admin/) tidak bisa menyimpan lokal: Node.js atau decap-server belum "
             "terpasang. Jalankan bin/setup.")
        yield None
        return
    try:
        backend = LocalBackend(repo_root_for(content_dir, repository)).start()
    except RuntimeError:
        echo("Penyunting staf (/admin/) tidak bisa menyimpan lokal: decap-server tidak mau berjalan.")
        yield None
        return
    previous = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = backend.url
    try:
        yield backend.url
    finally:
        backend.stop()
        if previous is None:
            os.environ.pop(ENV_VAR, None)
        else:
            os.environ[ENV_VAR] = previous


def _die_with_parent() -> None:
    """In the child, before node starts: on Linux, end it when its parent dies (even killed)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]
