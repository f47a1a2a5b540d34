"""Fixtures for the storage suite: both backends, a movable clock, real HTTP servers.

The ``storage`` fixture runs each contract test against ``LocalStorage`` (in tmp_path) and
``S3Storage`` (moto, in-process). Set ``STORAGE_TEST_S3_BUCKET`` (and ``AWS_REGION``) to
also run it against a real bucket: keys go under a random prefix and are deleted after.
"""

from __future__ import annotations

import os
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import requests
from chalicelib.local_upload import LocalUploadEndpoint
from chalicelib.storage import (
    LocalStorage,
    PresignedPost,
    S3Storage,
    get_s3_client,
    make_s3_client,
)
from moto import mock_aws  # imported before any client is built, so moto can mock it

REGION = "ap-southeast-3"
SITE_ORIGIN = "http://127.0.0.1:8000"
REAL_BUCKET = os.environ.get("STORAGE_TEST_S3_BUCKET", "")


class Clock:
    """A clock the test moves by hand (``LocalStorage(clock=...)``)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


def _use_fake_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials, no shared config, no instance metadata: nothing reaches AWS."""
    _use_fake_aws(monkeypatch)
    get_s3_client.cache_clear()
    yield
    get_s3_client.cache_clear()


@pytest.fixture(scope="session")
def mocked_client():
    """One S3 client for the session (building one costs ~70 ms); moto mocks it per test."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        _use_fake_aws(monkeypatch)
        return make_s3_client(REGION)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def local_storage(tmp_path: Path, clock: Clock) -> LocalStorage:
    return LocalStorage(
        tmp_path / "storage",
        upload_url="http://127.0.0.1:9/upload",
        secret=secrets.token_bytes(32),
        clock=clock,
    )


@pytest.fixture
def s3_storage(fake_aws: None, mocked_client) -> Iterator[S3Storage]:
    with mock_aws():
        client = mocked_client
        client.create_bucket(
            Bucket="dukcapil-test", CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield S3Storage(client, "dukcapil-test", prefix="portal/")


@pytest.fixture
def real_s3_storage() -> Iterator[S3Storage]:
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or REGION
    storage = S3Storage(make_s3_client(region), REAL_BUCKET, prefix=f"test-{uuid.uuid4().hex}")
    yield storage
    for key in list(storage.list_keys("")):
        storage.delete(key)


BACKENDS = ["local", "s3", *(["s3-real"] if REAL_BUCKET else [])]


@pytest.fixture(params=BACKENDS)
def storage(request: pytest.FixtureRequest):
    """Each backend in turn, behind the same interface."""
    name = {"local": "local_storage", "s3": "s3_storage", "s3-real": "real_s3_storage"}
    return request.getfixturevalue(name[request.param])


# --------------------------------------------------------------------------- HTTP servers


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def serve_in_thread(app) -> tuple[WSGIServer, str]:
    """Serve a WSGI app on 127.0.0.1 (free port) in a daemon thread; return server, URL."""
    server = make_server("127.0.0.1", 0, app, handler_class=_QuietHandler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    host, port = server.server_address[:2]
    return server, f"http://{host}:{port}/upload"


@pytest.fixture
def serve_endpoint() -> Iterator[Callable[..., str]]:
    """Start ``LocalUploadEndpoint(storage, **options)`` on loopback; returns its URL."""
    servers: list[WSGIServer] = []

    def start(storage: LocalStorage, **options) -> str:
        options.setdefault("site_origin", SITE_ORIGIN)
        server, url = serve_in_thread(LocalUploadEndpoint(storage, **options))
        servers.append(server)
        return url

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def upload_server(tmp_path: Path, clock: Clock, serve_endpoint) -> LocalStorage:
    """A LocalStorage whose upload_url is a real LocalUploadEndpoint on loopback."""
    storage = LocalStorage(
        tmp_path / "storage", upload_url="", secret=secrets.token_bytes(32), clock=clock
    )
    storage.upload_url = serve_endpoint(storage)
    return storage


def _browser_post(
    post: PresignedPost,
    body: bytes | None,
    filename: str = "ktp.jpg",
    origin: str = SITE_ORIGIN,
    **overrides: str | None,
) -> requests.Response:
    """POST like a browser's FormData: the presigned fields in order, then ``file`` last.

    ``overrides`` replace fields (``None`` drops one); ``body=None`` sends no file part.
    """
    fields = {**post.fields, **overrides}
    parts: list = [(name, (None, value)) for name, value in fields.items() if value is not None]
    if body is not None:
        parts.append(("file", (filename, body, fields.get("Content-Type") or "image/jpeg")))
    return requests.post(post.url, files=parts, headers={"Origin": origin}, timeout=10)


@pytest.fixture
def browser_post():
    """The browser-style multipart POST helper (see ``_browser_post``)."""
    return _browser_post
