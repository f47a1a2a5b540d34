"""Fixtures for the API tests: a small content tree, both storage backends, the app.

Every test that takes ``api`` runs twice: on the local folder backend and on S3
through a moto server on loopback. Shared data and the ``Api`` helper live in
``api_support.py``.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from api_support import (
    BUCKET,
    FORM_ID,
    FORM_YAML,
    REGION,
    REPOSITORY,
    SITE_ORIGIN,
    UPLOAD_SECRET,
    Api,
)


@pytest.fixture(scope="session")
def content_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A content tree with the repository's offices and provinces and the test form."""
    root = tmp_path_factory.mktemp("content")
    (root / "forms").mkdir()
    (root / "data").mkdir()
    shutil.copy(REPOSITORY / "content" / "offices.yml", root / "offices.yml")
    shutil.copy(REPOSITORY / "content" / "data" / "provinces.csv", root / "data" / "provinces.csv")
    shutil.copy(REPOSITORY / "content" / "retention.yml", root / "retention.yml")
    (root / "forms" / f"{FORM_ID}.yml").write_text(FORM_YAML, encoding="utf-8")
    shutil.copytree(REPOSITORY / "content" / "messages", root / "messages")
    shutil.copy(REPOSITORY / "content" / "site.yml", root / "site.yml")
    return root


@pytest.fixture(scope="session")
def app_module() -> Any:
    """The Chalice application module (``functions/app.py``), imported once.

    It reads ``SITE_ORIGIN`` at import (Chalice's CORS configuration), so the test
    origin is set just for the import.
    """
    saved = os.environ.get("SITE_ORIGIN")
    os.environ["SITE_ORIGIN"] = SITE_ORIGIN
    try:
        import app as module
    finally:
        if saved is None:
            del os.environ["SITE_ORIGIN"]
        else:
            os.environ["SITE_ORIGIN"] = saved
    assert module.SITE_ORIGIN == SITE_ORIGIN, "app.py was imported before this fixture"
    return module


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
