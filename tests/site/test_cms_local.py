"""The editor's local backend (decap-server, started by `portal serve` and `portal preview`)."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from portal.cms_local import ENV_VAR, LocalBackend, local_editor, repo_root_for

ROOT = Path(__file__).resolve().parents[2]


def call(url: str, body: dict, origin: str | None = None) -> tuple[int, dict, dict]:
    headers = {"Content-Type": "application/json", **({"Origin": origin} if origin else {})}
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, json.loads(answer.read()), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)


def listening_addresses(port: int) -> set[str]:
    """Local addresses listening on `port`, from /proc/net/tcp and tcp6 (state 0A = LISTEN)."""
    found = set()
    for name in ("tcp", "tcp6"):
        path = Path("/proc/net") / name
        for line in path.read_text().splitlines()[1:] if path.exists() else []:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


@pytest.fixture
def backend(shipped):
    server = LocalBackend(shipped.root.parent).start()
    yield server
    server.stop()


def test_it_listens_on_loopback_only_and_answers_local_pages_only(backend):
    assert listening_addresses(backend.port) == {"0100007F"}  # 127.0.0.1, nothing else
    status, info, headers = call(backend.url, {"action": "info"}, origin="http://127.0.0.1:8000")
    assert status == 200 and info["type"] == "local_fs"
    assert headers.get("Access-Control-Allow-Origin") == "http://127.0.0.1:8000"
    _, _, headers = call(backend.url, {"action": "info"}, origin="https://example.org")
    assert "Access-Control-Allow-Origin" not in headers


def test_it_reads_the_content_tree_and_refuses_paths_outside_it(backend, shipped):
    params = {"branch": "main", "folder": "content/announcements", "extension": "md", "depth": 1}
    status, entries, _ = call(backend.url, {"action": "entriesByFolder", "params": params})
    assert status == 200
    assert [e["file"]["path"] for e in entries] == [
        "content/announcements/2020-09-25-layanan-tatap-muka-ditutup-14-hari.md"]
    outside = shipped.root.parent.parent / "bocor.md"
    entry = {"slug": "x", "path": "../bocor.md", "raw": "x"}
    status, _, _ = call(backend.url, {"action": "persistEntry", "params": {
        "branch": "main", "entry": entry, "assets": [],
        "options": {"commitMessage": "x", "useWorkflow": False, "status": "draft"}}})
    assert status == 422 and not outside.exists()


def test_the_run_commands_set_the_backend_for_the_build_and_stop_it(shipped, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    with local_editor(shipped.root, ROOT, echo=lambda _: None) as url:
        assert url and os.environ[ENV_VAR] == url
        assert call(url, {"action": "info"})[0] == 200
    assert ENV_VAR not in os.environ
    with pytest.raises(OSError):
        call(url, {"action": "info"})


def test_the_backend_root_is_the_repository_or_the_tree_s_parent(tmp_path):
    assert repo_root_for(ROOT / "content", ROOT) == ROOT
    assert repo_root_for(tmp_path / "content", ROOT) == tmp_path
