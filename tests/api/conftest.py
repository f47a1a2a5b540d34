"""Fixtures for the API tests: a small content tree, both storage backends, the app.

Every test that takes ``api`` runs twice: on the local folder backend and on S3
through moto (in-process). The form used is ``uji-ktp``, written below into a
temporary content tree next to the repository's real offices and province list,
so that these tests do not depend on the shipped forms changing.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
FUNCTIONS = REPOSITORY / "functions"
SITE_ORIGIN = "https://layanan.example.go.id"
REGION = "ap-southeast-3"
BUCKET = "uji-dukcapil-submissions"
UPLOAD_SECRET = "rahasia-uji-yang-cukup-panjang-1234"

# The app reads SITE_ORIGIN once, at import (Chalice's CORS configuration).
os.environ.setdefault("SITE_ORIGIN", SITE_ORIGIN)
if str(FUNCTIONS) not in sys.path:
    sys.path.insert(0, str(FUNCTIONS))

FORM_ID = "uji-ktp"
FORM_FILE = Path(__file__).resolve().parent / "data" / f"{FORM_ID}.yml"
FORM_YAML = FORM_FILE.read_text(encoding="utf-8")

# One resident's answers. Every personal value here must never reach a log.
NIK = "3322015208900001"  # a woman (day 52 = 12) born 12 August 1990, Kab. Semarang
NAME = "Siti Aminah Rahayu"
PHONE_TYPED = "0812-3456-7890"
PHONE_E164 = "+6281234567890"
EMAIL = "siti.aminah@contoh.id"
VALUES: dict[str, Any] = {
    "nik": "3322 0152 0890 0001",
    "nama": NAME,
    "tanggal_lahir": "1990-08-12",
    "jenis_kelamin": "P",
    "kecamatan": "getasan",
    "telepon": PHONE_TYPED,
    "email": EMAIL,
    "keterangan": "Rumah di Dusun Krajan RT 02",
}

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200 + (
    b"\xff\xd9"
)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def file_decl(attachment: str, data: bytes, mime: str, name: str | None = None) -> dict:
    """A ``files`` entry for ``data`` as a browser would declare it."""
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(mime, "bin")
    return {"attachment": attachment, "name": name or f"{attachment}.{ext}",
            "size": len(data), "type": mime}


@pytest.fixture(scope="session")
def content_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A content tree with the repository's offices and provinces and the test form."""
    root = tmp_path_factory.mktemp("content")
    (root / "forms").mkdir()
    (root / "data").mkdir()
    shutil.copy(REPOSITORY / "content" / "offices.yml", root / "offices.yml")
    shutil.copy(REPOSITORY / "content" / "data" / "provinces.csv", root / "data" / "provinces.csv")
    (root / "forms" / f"{FORM_ID}.yml").write_text(FORM_YAML, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def app_module() -> Any:
    """The Chalice application module (``functions/app.py``)."""
    import app as module

    return module


@dataclass
class Api:
    """One backend under test: the HTTP test client and helpers around it."""

    backend: str
    client: Any
    module: Any

    @property
    def storage(self) -> Any:
        return self.module.get_storage()

    # -- requests

    def post(self, path: str, body: Any = None, *, raw: bytes | None = None,
             headers: dict[str, str] | None = None) -> Any:
        data = raw if raw is not None else json.dumps(body).encode("utf-8")
        return self.client.http.post(
            path, headers={"Content-Type": "application/json", **(headers or {})}, body=data
        )

    def get(self, path: str, headers: dict[str, str] | None = None) -> Any:
        return self.client.http.get(path, headers=headers or {})

    def create(self, *, values: dict | None = None, files: list[dict] | None = None,
               key: str = "kunci-uji-0001", confirmed: list[str] | None = None,
               form_id: str = FORM_ID) -> Any:
        body: dict[str, Any] = {
            "form_id": form_id,
            "idempotency_key": key,
            "values": VALUES if values is None else values,
            "files": [file_decl("kk", PDF, "application/pdf")] if files is None else files,
        }
        if confirmed is not None:
            body["confirmed_warnings"] = confirmed
        return self.post("/submissions", body)

    def complete(self, submission_id: str) -> Any:
        return self.post(f"/submissions/{submission_id}/complete", raw=b"")

    def status(self, code: Any, token: Any) -> Any:
        return self.post("/status", {"tracking_code": code, "token": token})

    # -- uploads

    def upload(self, offer: dict, data: bytes, *, content_type: str | None = None) -> int:
        """Send ``data`` through one presigned POST exactly as a browser form would."""
        fields = dict(offer["fields"])
        mime = content_type or offer["type"]
        if self.backend == "s3":
            import requests

            response = requests.post(
                offer["url"], data=fields, files={"file": (offer["name"], data, mime)}, timeout=10
            )
            return response.status_code
        from chalicelib.local_upload import LocalUploadEndpoint
        from werkzeug.test import Client

        endpoint = Client(LocalUploadEndpoint(self.storage, site_origin=SITE_ORIGIN))
        form: dict[str, Any] = dict(fields)
        form["file"] = (io.BytesIO(data), offer["name"], mime)
        return endpoint.post("/upload", data=form).status_code

    def put_object(self, key: str, data: bytes, content_type: str) -> None:
        """Place bytes at a key directly, bypassing every policy (an attacker's view)."""
        storage = self.storage
        if self.backend == "s3":
            storage.client.put_object(Bucket=storage.bucket, Key=storage.prefix + key,
                                      Body=data, ContentType=content_type)
        else:
            with storage.open_write(key, content_type=content_type) as staged:
                staged.write(data)


def _reset(module: Any) -> None:
    module.reset()


@pytest.fixture
def base_env(monkeypatch: pytest.MonkeyPatch, content_dir: Path) -> None:
    for name in ("STORAGE_BACKEND", "SUBMISSIONS_BUCKET", "SUBMISSIONS_PREFIX", "S3_ENDPOINT_URL",
                 "LOCAL_STORAGE_DIR", "LOCAL_UPLOAD_URL", "S3_SSE", "S3_KMS_KEY_ID",
                 "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(content_dir))
    monkeypatch.setenv("LOCAL_UPLOAD_SECRET", UPLOAD_SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


@pytest.fixture(scope="package")
def moto_server() -> Iterator[MotoS3]:
    """One moto S3 server on loopback for the package's tests (each test has its own prefix).

    A real HTTP server rather than moto's in-process patching: presigned POSTs then
    travel as real multipart requests, as a browser sends them.
    """
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client("s3", region_name=REGION, endpoint_url=endpoint,
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    try:
        yield MotoS3(endpoint, itertools.count(1))
    finally:
        server.stop()


@dataclass
class MotoS3:
    """Where the moto server listens, and a counter for unique key prefixes."""

    endpoint: str
    counter: itertools.count

    def next_prefix(self) -> str:
        return f"uji-{next(self.counter)}"


def local_env(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    """Environment for the local folder backend under ``root``."""
    monkeypatch.setenv("STORAGE_BACKEND", "local")
    monkeypatch.setenv("LOCAL_STORAGE_DIR", str(root))
    monkeypatch.setenv("LOCAL_UPLOAD_URL", "http://127.0.0.1:8000/upload")


def s3_env(monkeypatch: pytest.MonkeyPatch, moto: MotoS3) -> None:
    """Environment for the S3 backend: moto's bucket, under a fresh prefix."""
    monkeypatch.setenv("STORAGE_BACKEND", "s3")
    monkeypatch.setenv("SUBMISSIONS_BUCKET", BUCKET)
    monkeypatch.setenv("SUBMISSIONS_PREFIX", moto.next_prefix())
    monkeypatch.setenv("S3_ENDPOINT_URL", moto.endpoint)


@pytest.fixture(params=["local", "s3"])
def api(request: pytest.FixtureRequest, base_env: None, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path, app_module: Any) -> Iterator[Api]:
    """The app on one backend (parametrised: local folder, then S3 through moto)."""
    from chalice.test import Client

    _reset(app_module)
    project = tmp_path / "project"  # no .chalice/: the environment above is the configuration
    project.mkdir()
    if request.param == "local":
        local_env(monkeypatch, tmp_path / "storage")
    else:
        s3_env(monkeypatch, request.getfixturevalue("moto_server"))
    with Client(app_module.app, project_dir=str(project)) as client:
        yield Api(request.param, client, app_module)
    _reset(app_module)
