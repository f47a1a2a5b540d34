"""Fixtures for the staff tests: both storage backends, seeded applications, a CLI runner.

Every test that takes ``backend`` (directly or through ``casework``/``seeded``) runs
twice: on a local folder in tmp_path, and on S3 through moto (in-process ``mock_aws``).
``backend.env`` is the environment the staff CLI reads to reach the same storage.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from chalicelib.casework import Casework
from chalicelib.clock import WIB
from chalicelib.forms import load_forms
from chalicelib.storage import LocalStorage, S3Storage, get_s3_client, make_s3_client
from chalicelib.submissions import SubmissionService
from moto import mock_aws
from staff_support import (
    BUCKET,
    JPEG,
    KK_FORM,
    KK_VALUES,
    KTP_FORM,
    KTP_VALUES,
    PDF,
    PREFIX,
    REGION,
    MovableClock,
    Seeded,
    make_content,
    submit,
)

STORAGE_VARIABLES = (
    "STORAGE_BACKEND", "SUBMISSIONS_BUCKET", "SUBMISSIONS_PREFIX", "S3_ENDPOINT_URL",
    "LOCAL_STORAGE_DIR", "LOCAL_UPLOAD_URL", "S3_SSE", "S3_KMS_KEY_ID", "AWS_PROFILE",
    "AWS_REGION", "AWS_SESSION_TOKEN", "PORTAL_STAFF",
)
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


@dataclass
class Backend:
    """One storage backend under test and the CLI environment that reaches it."""

    name: str
    storage: Any
    env: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="session")
def content_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_content(tmp_path_factory.mktemp("staff") / "content")


@pytest.fixture(scope="session")
def forms(content_dir: Path) -> dict:
    return load_forms(content_dir / "forms", content_dir / "offices.yml",
                      provinces_file=content_dir / "data" / "provinces.csv")


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    for name in STORAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in FAKE_AWS_ENV.items():  # nothing may reach real AWS
        monkeypatch.setenv(name, value)
    if request.param == "local":
        storage = LocalStorage(tmp_path / "storage", "http://127.0.0.1:9/upload",
                               secrets.token_bytes(32))
        yield Backend("local", storage,
                      {"STORAGE_BACKEND": "local", "LOCAL_STORAGE_DIR": str(storage.root)})
        return
    get_s3_client.cache_clear()
    with mock_aws():
        client = make_s3_client(REGION)
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield Backend("s3", S3Storage(client, BUCKET, prefix=PREFIX), {
            "STORAGE_BACKEND": "s3", "SUBMISSIONS_BUCKET": BUCKET,
            "SUBMISSIONS_PREFIX": PREFIX, "AWS_REGION": REGION,
        })
    get_s3_client.cache_clear()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime(2020, 9, 26, 9, 0, tzinfo=WIB))


@pytest.fixture
def service(backend: Backend, forms: dict, clock: MovableClock) -> SubmissionService:
    return SubmissionService(backend.storage, forms, clock=clock)


@pytest.fixture
def casework(backend: Backend, forms: dict) -> Casework:
    return Casework(backend.storage, forms, sleep=lambda seconds: None)


@pytest.fixture
def seeded(service: SubmissionService, clock: MovableClock) -> dict[str, Seeded]:
    """Four applications on three WIB days, two forms, two kecamatan.

    ``ktp_getasan`` and ``kk_bawen`` on Saturday 26 September 2020, ``ktp_bawen`` late on
    the 25th, ``ktp_old`` on the 19th (outside a week ending on the 26th).
    """
    plan = [
        ("ktp_old", datetime(2020, 9, 19, 8, 0), KTP_FORM, dict(KTP_VALUES, kecamatan="tuntang"),
         [("kk", PDF, "application/pdf")]),
        ("ktp_bawen", datetime(2020, 9, 25, 23, 59), KTP_FORM, dict(KTP_VALUES, kecamatan="bawen"),
         [("kk", PDF, "application/pdf")]),
        ("ktp_getasan", datetime(2020, 9, 26, 9, 0), KTP_FORM, KTP_VALUES,
         [("kk", PDF, "application/pdf"), ("foto", JPEG, "image/jpeg")]),
        ("kk_bawen", datetime(2020, 9, 26, 10, 30), KK_FORM, KK_VALUES,
         [("kk", PDF, "application/pdf")]),
    ]
    seeded = {}
    for name, moment, form_id, values, files in plan:
        clock.moment = moment.replace(tzinfo=WIB)
        seeded[name] = submit(service, form_id, values, files, key=f"kunci-pengiriman-{name}")
    return seeded
