"""The local server's per-client budgets and its log lines, over real HTTP."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from api_support import FORM_ID, PDF, REPOSITORY, VALUES, file_decl

sys.path.insert(0, str(REPOSITORY / "site"))
from portal.ratelimit import ClientBudgets, ClientLimiter, classify  # noqa: E402

TOKEN = "token-rahasia-yang-tidak-boleh-tercatat"
CODE = "K7QM-2XRD-9F"


def small_site(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><h1>Beranda</h1>", encoding="utf-8")
    return root


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content_dir: Path,
           app_module: Any) -> Iterator[Any]:
    from portal.devserver import create_server

    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(content_dir))
    budgets = ClientBudgets.parse("create=2/minute upload=2/minute status=3/minute")
    running = create_server(small_site(tmp_path / "site"), port=0,
                            storage_dir=tmp_path / "storage", threads=4, rate_limits=budgets)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    yield running
    running.close()
    thread.join(5)
    app_module.reset()


def create(http: requests.Session, url: str, key: str) -> requests.Response:
    body = {"form_id": FORM_ID, "idempotency_key": key, "values": VALUES,
            "files": [file_decl("kk", PDF, "application/pdf")]}
    return http.post(url + "api/submissions", json=body, timeout=10)


def test_each_kind_has_its_own_budget_and_a_429_says_when_to_retry(server: Any) -> None:
    with requests.Session() as http:
        first = create(http, server.url, "kunci-batas-0001")
        assert first.status_code == 201
        assert create(http, server.url, "kunci-batas-0002").status_code == 201
        refused = create(http, server.url, "kunci-batas-0003")
        assert refused.status_code == 429
        assert refused.json() == {
            "message": refused.json()["message"], "code": "too_many_requests"}
        assert refused.json()["message"].startswith(
            "Terlalu banyak pengiriman formulir dari perangkat atau jaringan Anda.")
        assert "coba lagi dalam" in refused.json()["message"]
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.headers["Cache-Control"] == "no-store"

        # Status checks and uploads are counted apart; pages and forms not at all.
        for _ in range(3):
            assert http.post(server.url + "api/status", timeout=10,
                             json={"tracking_code": CODE, "token": TOKEN}).status_code == 404
        assert http.post(server.url + "api/status", timeout=10,
                         json={"tracking_code": CODE, "token": TOKEN}).status_code == 429
        for _ in range(5):
            assert http.get(server.url, timeout=10).status_code == 200
            assert http.get(server.url + "api/forms", timeout=10).status_code == 200

        upload = first.json()["uploads"][0]
        files = {"file": ("kk.pdf", PDF, "application/pdf")}
        statuses = [http.post(upload["url"], data=upload["fields"], files=files,
                              headers={"Origin": server.origin}, timeout=10).status_code
                    for _ in range(2)]
        assert statuses == [204, 204]
        slow = http.post(upload["url"], data=upload["fields"], files=files,
                         headers={"Origin": server.origin}, timeout=10)
        assert slow.status_code == 429
        assert slow.headers["Content-Type"] == "application/xml"
        assert ET.fromstring(slow.content).findtext("Code") == "SlowDown"
        assert ET.fromstring(slow.content).findtext("Message").startswith(
            "Terlalu banyak unggahan dari perangkat atau jaringan Anda.")
        assert int(slow.headers["Retry-After"]) >= 1


def environ(path: str, address: str, method: str = "POST") -> dict[str, Any]:
    return {"REQUEST_METHOD": method, "PATH_INFO": path, "REMOTE_ADDR": address,
            "CONTENT_LENGTH": "0", "wsgi.input": io.BytesIO()}


def test_budgets_are_per_client_address() -> None:
    limiter = ClientLimiter(ClientBudgets.parse("create=1/minute"))
    answered: list[str] = []

    def app(env, start_response):
        start_response("201 Created", [])
        return [b"{}"]

    wrapped = limiter.wrap(app)
    for address in ("10.0.0.1", "10.0.0.1", "10.0.0.2"):
        wrapped(environ("/api/submissions", address), lambda status, headers: answered.append(status))
    assert answered == ["201 Created", "429 Too Many Requests", "201 Created"]


def test_what_counts_where() -> None:
    assert classify(environ("/api/submissions", "a")) == "create"
    assert classify(environ("/api/status", "a")) == "status"
    assert classify(environ("/upload", "a")) == "upload"
    assert classify(environ("/api/submissions/abc/complete", "a")) is None
    assert classify(environ("/api/submissions", "a", method="GET")) is None
    assert classify(environ("/formulir/", "a", method="GET")) is None


def test_budget_settings() -> None:
    assert all(ClientBudgets.parse("off").limits[kind] == () for kind in ("create", "upload", "status"))
    partial = ClientBudgets.parse("status=5/minute|50/hour")
    assert [str(item) for item in partial.limits["status"]] == ["5 per 1 minute", "50 per 1 hour"]
    assert [str(item) for item in partial.limits["create"]] == ["20 per 1 minute", "200 per 1 hour"]
    for bad in ("unduh=1/minute", "create", "create=banyak"):
        with pytest.raises(ValueError):
            ClientBudgets.parse(bad)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_run_command_logs_access_lines_without_queries_or_bodies(
        tmp_path: Path, content_dir: Path) -> None:
    """``serve`` (what ``portal serve`` runs after building) writes its lines to stderr."""
    site = small_site(tmp_path / "site")
    port = _free_port()
    script = ("import sys; from pathlib import Path; from portal.devserver import serve; "
              f"serve(Path({str(site)!r}), port={port}, storage_dir=Path({str(tmp_path / 'st')!r}))")
    env = {**os.environ, "PORTAL_CONTENT_DIR": str(content_dir), "LOG_LEVEL": "INFO",
           "LOCAL_RATE_LIMITS": "status=1/minute", "PYTHONPATH": str(REPOSITORY / "site")}
    env.pop("SITE_ORIGIN", None)
    log_path = tmp_path / "server.log"
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen([sys.executable, "-c", script], cwd=REPOSITORY, env=env,
                                   stdout=subprocess.DEVNULL, stderr=log_file)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(url + "api/", timeout=2)
                break
            except requests.RequestException:
                assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
        requests.get(url + f"?kode={CODE}", timeout=5)
        for _ in range(2):
            requests.post(url + "api/status", json={"tracking_code": CODE, "token": TOKEN},
                          timeout=5)
    finally:
        process.terminate()
        process.wait(10)
    text = log_path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert any(line.endswith(" ms") and " INFO portal.devserver: GET / 200 " in line for line in lines), text
    assert any(" INFO portal.devserver: POST /api/status 404 " in line for line in lines), text
    assert any(" INFO portal.devserver: POST /api/status 429 " in line for line in lines), text
    assert any(" WARNING portal.ratelimit: rate limited kind=status " in line for line in lines), text
    for secret in (CODE, TOKEN, "kode=", "127.0.0.1 -"):
        assert secret not in text
