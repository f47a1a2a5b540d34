"""storage_from_env picks and configures the backend; the local layout is as documented."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from chalicelib.storage import LocalStorage, S3Storage, get_s3_client, storage_from_env

ROOT = Path(__file__).resolve().parents[2]


def test_default_is_local_under_var_storage(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    storage = storage_from_env({})

    assert isinstance(storage, LocalStorage)
    assert storage.root == tmp_path / "var" / "storage"
    assert storage.upload_url == "http://127.0.0.1:8000/upload"


def test_local_settings_are_read(tmp_path):
    storage = storage_from_env(
        {
            "STORAGE_BACKEND": "local",
            "LOCAL_STORAGE_DIR": str(tmp_path / "data"),
            "LOCAL_UPLOAD_URL": "http://127.0.0.1:9000/upload",
            "LOCAL_UPLOAD_SECRET": "a-secret-of-at-least-16-chars",
        }
    )

    assert isinstance(storage, LocalStorage)
    assert storage.root == tmp_path / "data"
    post = storage.presign_post("a/b.pdf", content_type="application/pdf", max_bytes=10)
    assert post.url == "http://127.0.0.1:9000/upload"
    same_secret = LocalStorage(tmp_path / "x", "u", b"a-secret-of-at-least-16-chars")
    assert same_secret.verify(post.fields["policy"], post.fields["x-amz-signature"])


def test_unset_secret_is_shared_within_the_process(tmp_path):
    env = {"LOCAL_STORAGE_DIR": str(tmp_path)}
    app_side, upload_side = storage_from_env(env), storage_from_env(env)

    post = app_side.presign_post("a/b.pdf", content_type="application/pdf", max_bytes=10)

    assert upload_side.verify(post.fields["policy"], post.fields["x-amz-signature"])


def test_short_secret_is_refused(tmp_path):
    with pytest.raises(ValueError):
        storage_from_env({"LOCAL_STORAGE_DIR": str(tmp_path), "LOCAL_UPLOAD_SECRET": "short"})


def test_s3_settings_are_read(fake_aws):
    storage = storage_from_env(
        {
            "STORAGE_BACKEND": "S3",
            "SUBMISSIONS_BUCKET": "dukcapil-semarang",
            "SUBMISSIONS_PREFIX": "/portal/",
            "AWS_REGION": "ap-southeast-3",
            "S3_SSE": "aws:kms",
            "S3_KMS_KEY_ID": "alias/dukcapil",
        }
    )

    assert isinstance(storage, S3Storage)
    assert (storage.bucket, storage.prefix) == ("dukcapil-semarang", "portal/")
    assert (storage.sse, storage.kms_key_id) == ("aws:kms", "alias/dukcapil")
    assert storage.client.meta.region_name == "ap-southeast-3"


def test_s3_client_is_built_once(fake_aws):
    env = {"STORAGE_BACKEND": "s3", "SUBMISSIONS_BUCKET": "b", "AWS_DEFAULT_REGION": "eu-west-1"}

    assert storage_from_env(env).client is storage_from_env(env).client
    assert get_s3_client.cache_info().misses == 1


def test_s3_endpoint_url_uses_path_style(fake_aws):
    storage = storage_from_env(
        {
            "STORAGE_BACKEND": "s3",
            "SUBMISSIONS_BUCKET": "dukcapil",
            "S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        }
    )

    assert storage.client.meta.endpoint_url == "http://127.0.0.1:9000"
    post = storage.presign_post("a/b.pdf", content_type="application/pdf", max_bytes=10)
    assert post.url == "http://127.0.0.1:9000/dukcapil"


@pytest.mark.parametrize(("setting", "expected"), [("", "AES256"), ("none", None)])
def test_s3_sse_setting(fake_aws, setting, expected):
    env = {"STORAGE_BACKEND": "s3", "SUBMISSIONS_BUCKET": "b", "AWS_REGION": "ap-southeast-3"}

    assert storage_from_env({**env, "S3_SSE": setting}).sse == expected


@pytest.mark.parametrize(
    "env",
    [
        {"STORAGE_BACKEND": "ftp"},
        {"STORAGE_BACKEND": "s3", "AWS_REGION": "ap-southeast-3"},
        {"STORAGE_BACKEND": "s3", "SUBMISSIONS_BUCKET": "b"},
        {"STORAGE_BACKEND": "s3", "SUBMISSIONS_BUCKET": "b", "AWS_REGION": "x", "S3_SSE": "DES"},
    ],
)
def test_bad_settings_are_refused(fake_aws, env, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")

    with pytest.raises(ValueError):
        storage_from_env(env)


def test_local_backend_does_not_import_boto3(tmp_path):
    code = (
        "import sys\n"
        "from chalicelib.storage import storage_from_env\n"
        f"storage_from_env({{'LOCAL_STORAGE_DIR': {str(tmp_path)!r}}}).put_json('a/b.json', {{}})\n"
        "from chalicelib.local_upload import LocalUploadEndpoint\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'boto3', 'botocore'}))\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )

    assert result.stdout.strip() == "[]"


def test_local_layout(local_storage):
    local_storage.put_json("submissions/2020-09-25/ktp-el-baru/AB12CD.json", {"status": "x"})

    root = local_storage.root
    record = root / "submissions" / "2020-09-25" / "ktp-el-baru" / "AB12CD.json"
    sidecar = root / ".meta" / "submissions" / "2020-09-25" / "ktp-el-baru" / "AB12CD.json"
    assert json.loads(record.read_text()) == {"status": "x"}
    assert json.loads(sidecar.read_text()) == {"content_type": "application/json"}
    assert sorted(p.name for p in root.iterdir()) == [".locks", ".meta", ".tmp", "submissions"]


def test_aborted_streamed_write_leaves_nothing(local_storage):
    with pytest.raises(RuntimeError), local_storage.open_write("a/b.pdf", content_type=None) as w:
        w.write(b"%PDF-partial")
        raise RuntimeError("client went away")

    assert local_storage.head("a/b.pdf") is None
    assert list((local_storage.root / ".tmp").iterdir()) == []
