"""The local server: site, API and uploads on one origin, over real kept-alive HTTP."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from api_support import FORM_ID, JPEG, NIK, PDF, REPOSITORY, VALUES, file_decl

sys.path.insert(0, str(REPOSITORY / "site"))
from portal.devserver import create_server  # noqa: E402
from portal.ratelimit import ClientBudgets  # noqa: E402


def connections_opened(session: requests.Session) -> int:
    """How many TCP connections a session has opened so far (all pools)."""
    pools = session.get_adapter("http://").poolmanager.pools
    keys = pools.keys()  # RecentlyUsedContainer refuses plain iteration
    return sum(pools[key].num_connections for key in keys)


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content_dir: Path,
           app_module: Any) -> Iterator[Any]:
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(content_dir))
    site = tmp_path / "site"
    (site / "panduan" / "ktp-el").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><h1>Beranda</h1>", encoding="utf-8")
    (site / "panduan" / "ktp-el" / "index.html").write_text("<h1>KTP-el</h1>", encoding="utf-8")
    (site / "404.html").write_text("<h1>Tidak ada</h1>", encoding="utf-8")
    (site / "gaya.css").write_text("body{}", encoding="utf-8")
    # Per-client budgets are tested in test_devserver_limits.py; these tests are one busy client.
    running = create_server(site, port=0, storage_dir=tmp_path / "storage", threads=4,
                            rate_limits=ClientBudgets.off())
    running._site_root = site
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    yield running
    running.close()
    thread.join(5)
    app_module.reset()


def test_static_site(server: Any) -> None:
    with requests.Session() as http:
        home = http.get(server.url)
        assert home.status_code == 200 and "Beranda" in home.text
        assert home.headers["Content-Type"] == "text/html; charset=utf-8"
        moved = http.get(server.url + "panduan/ktp-el", allow_redirects=False)
        assert moved.status_code == 301 and moved.headers["Location"] == "/panduan/ktp-el/"
        assert "KTP-el" in http.get(server.url + "panduan/ktp-el/").text
        assert http.get(server.url + "gaya.css").headers["Content-Type"].startswith("text/css")
        missing = http.get(server.url + "tidak/ada")
        assert missing.status_code == 404 and "Tidak ada" in missing.text
        assert http.head(server.url).content == b""
        again = http.get(server.url, headers={"If-Modified-Since": home.headers["Last-Modified"]})
        assert again.status_code == 304


def test_static_files_carry_the_builds_security_headers_and_gzip(server: Any) -> None:
    from chalicelib.security_headers import API_HEADERS, COMMON_HEADERS
    from portal.security import header_set, write_headers

    site = Path(server._site_root)
    headers = header_set({"'sha256-abc='"}, "https://unggah.example.org", {"/admin/": {"script-src": ("'self'",)}})
    write_headers(site, headers)
    (site / "besar.js").write_text("var x = 1;\n" * 500, encoding="utf-8")
    with requests.Session() as http:
        home = http.get(server.url)
        for name, value in headers.headers.items():
            assert home.headers[name] == value
        assert "'sha256-abc='" in home.headers["Content-Security-Policy"]
        assert "connect-src 'self' https://unggah.example.org" in home.headers["Content-Security-Policy"]
        missing = http.get(server.url + "tidak/ada")
        assert missing.status_code == 404 and missing.headers["X-Frame-Options"] == "DENY"
        admin = http.get(server.url + "admin/")
        assert admin.headers["Content-Security-Policy"] == headers.paths["/admin/"]["Content-Security-Policy"]
        assert "sha256-abc" not in admin.headers["Content-Security-Policy"]
        assert http.get(server.url + ".portal-headers.json").status_code == 404  # never served, never published

        script = http.get(server.url + "besar.js", stream=True)
        assert script.headers["Content-Encoding"] == "gzip" and script.headers["Vary"] == "Accept-Encoding"
        assert int(script.headers["Content-Length"]) < 200 and script.text == "var x = 1;\n" * 500
        plain = http.get(server.url + "besar.js", headers={"Accept-Encoding": "identity"})
        assert "Content-Encoding" not in plain.headers and len(plain.content) == 5500

        api = http.get(server.url + "api/")
        for name, value in API_HEADERS.items():
            assert api.headers[name] == value
        assert set(COMMON_HEADERS) <= set(api.headers)
        assert api.headers["Content-Security-Policy"].startswith("default-src 'none'")


@pytest.mark.parametrize("path", ["../chalice.json", "%2e%2e/chalice.json", "..%2fchalice.json",
                                  "panduan/../../chalice.json"])
def test_static_files_cannot_leave_the_site_folder(server: Any, path: str) -> None:
    response = requests.get(server.url + path, timeout=5)
    assert response.status_code == 404
    assert "app_name" not in response.text


def test_api_under_api_prefix(server: Any) -> None:
    forms = requests.get(server.url + "api/forms", timeout=5)
    assert forms.status_code == 200 and forms.json()["forms"][0]["id"] == FORM_ID
    missing = requests.get(server.url + "api/tidak-ada", timeout=5)
    assert missing.status_code == 404 and missing.json()["message"] == "Alamat tidak ditemukan."


def test_the_whole_journey_over_http(server: Any) -> None:
    origin = {"Origin": server.origin}
    with requests.Session() as http:
        files = [file_decl("kk", PDF, "application/pdf"), file_decl("foto", JPEG, "image/jpeg")]
        created = http.post(server.url + "api/submissions", headers=origin,
                            json={"form_id": FORM_ID, "idempotency_key": "kunci-pengiriman-http-0001",
                                  "values": VALUES, "files": files})
        assert created.status_code == 201, created.text
        offer = created.json()
        for upload, data in zip(offer["uploads"], [PDF, JPEG], strict=True):
            assert upload["url"] == server.url + "upload"
            sent = http.post(upload["url"], data=upload["fields"], headers=origin,
                             files={"file": (upload["name"], data, upload["type"])})
            assert sent.status_code == 204, sent.text
        done = http.post(f"{server.url}api/submissions/{offer['submission_id']}/complete",
                         headers=origin, json={"idempotency_key": "kunci-pengiriman-http-0001"})
        assert done.status_code == 200, done.text
        late = http.post(offer["uploads"][0]["url"], data=offer["uploads"][0]["fields"],
                         headers=origin, files={"file": ("x.pdf", PDF, "application/pdf")})
        assert late.status_code == 403  # the policy died when the submission was received
        receipt = done.json()
        status = http.post(server.url + "api/status", headers=origin,
                           json={"tracking_code": receipt["tracking_code"],
                                 "token": receipt["status_token"]})
        assert status.status_code == 200 and status.json()["status"] == "diterima"
        assert connections_opened(http) == 1  # every request on one kept-alive connection
    folder = next((server.storage_dir / "applications").glob(f"*/{FORM_ID}/"
                                                                f"{receipt['tracking_code']}"))
    assert (folder / "files" / "00-kk.pdf").read_bytes() == PDF
    assert (folder / "files" / "01-foto.jpg").read_bytes() == JPEG
    assert NIK in (folder / "record.json").read_text(encoding="utf-8")


def test_uploads_from_another_origin_are_refused(server: Any) -> None:
    created = requests.post(server.url + "api/submissions", timeout=5,
                            json={"form_id": FORM_ID, "idempotency_key": "kunci-pengiriman-http-0002",
                                  "values": VALUES,
                                  "files": [file_decl("kk", PDF, "application/pdf")]}).json()
    upload = created["uploads"][0]
    sent = requests.post(upload["url"], data=upload["fields"], timeout=5,
                         headers={"Origin": "https://situs-lain.example"},
                         files={"file": ("kk.pdf", PDF, "application/pdf")})
    assert sent.status_code == 403


def test_concurrent_kept_alive_clients_lose_no_request(server: Any) -> None:
    failures: list[str] = []
    connections: list[int] = []

    def client(number: int) -> None:
        with requests.Session() as http:
            for i in range(25):
                for url in (server.url, server.url + "api/forms/" + FORM_ID):
                    try:
                        response = http.get(url, timeout=10)
                        if response.status_code != 200:
                            failures.append(f"{url} {response.status_code}")
                    except requests.RequestException as error:
                        failures.append(f"{url} {type(error).__name__}")
                body = {"form_id": FORM_ID, "idempotency_key": f"kunci-pengiriman-beban-{number}-{i:03d}",
                        "values": VALUES, "files": [file_decl("kk", PDF, "application/pdf")]}
                try:
                    response = http.post(server.url + "api/submissions", json=body, timeout=10)
                    if response.status_code != 201:
                        failures.append(f"create {response.status_code}")
                except requests.RequestException as error:
                    failures.append(f"create {type(error).__name__}")
            connections.append(connections_opened(http))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert connections == [1, 1, 1, 1]
