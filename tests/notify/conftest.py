"""Fixtures for the notification tests: shipped templates and forms, both storage backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from chalicelib.forms import load_forms
from chalicelib.notify import Messages, load_messages
from chalicelib.storage import LocalStorage, S3Storage
from moto import mock_aws
from notify_support import BUCKET, CONTENT, FAKE_AWS_ENV, REGION, SITE_URL, Clock  # noqa: F401


@pytest.fixture(scope="session")
def messages() -> Messages:
    return load_messages(CONTENT)


@pytest.fixture(scope="session")
def forms():
    return load_forms(CONTENT / "forms", CONTENT / "offices.yml",
                      provinces_file=CONTENT / "data" / "provinces.csv")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials and moto for every AWS call: nothing reaches AWS."""
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        yield


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path):
    """Both storage backends: a local folder, and S3 through moto."""
    if request.param == "local":
        yield LocalStorage(tmp_path / "storage", "http://127.0.0.1:8000/upload", b"x" * 32)
        return
    request.getfixturevalue("fake_aws")
    import boto3

    client = boto3.client("s3", region_name=REGION)
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    yield S3Storage(client=client, bucket=BUCKET, prefix="", sse=None)
