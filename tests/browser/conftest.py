"""Playwright driving Debian's Chromium (bin/test installs it; Playwright cannot download browsers here)."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Debian's chromium is not installed: run bin/test (it installs it) or `apt-get install chromium`")
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def serve_folder() -> Iterator:
    """Serve folders over HTTP on 127.0.0.1 (a random port); returns a function folder -> base URL."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()


# --------------------------------------------------------------------------- the whole portal


@dataclass
class Portal:
    """The built site with the functions and the upload endpoint on one origin."""

    url: str  # "http://127.0.0.1:<port>/"
    site: Path  # the built site folder
    storage: Path  # the local storage folder (chalicelib.layout keys)

    def records(self, form_id: str = "*") -> list[Path]:
        return sorted(self.storage.glob(f"applications/*/{form_id}/*/record.json"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def portal(tmp_path_factory) -> Iterator[Portal]:
    """Build the shipped site once and run `python -m portal.devserver` on it.

    A separate process, not a thread: the server imports functions/app.py as
    the module `app` and sets PORTAL_CONTENT_DIR, which would leak into the API
    tests (they import `app` with their own settings) if both ran in one process.
    """
    from buildutil import ROOT, build_site

    site = tmp_path_factory.mktemp("portal-site")
    build_site(ROOT / "content", site)
    storage = tmp_path_factory.mktemp("portal-storage")
    log = tmp_path_factory.mktemp("portal-log") / "server.log"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_ORIGIN", "PORTAL_TODAY", "LOCAL_UPLOAD_URL")}
    env.update(PORTAL_CONTENT_DIR=str(ROOT / "content"), LOG_LEVEL="WARNING")
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "portal.devserver", str(site), "--port", str(port),
             "--storage", str(storage), "--content", str(ROOT / "content")],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "api/", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the local server did not start:\n{log.read_text(errors='replace')}")
                time.sleep(0.2)
        yield Portal(url, site, storage)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def context(browser):
    """A fresh browser context (own storage), closed after the test."""
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta")
    yield context
    context.close()
