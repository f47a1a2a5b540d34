"""Presigned POSTs: the policy every backend signs, the URL, and real browser-style uploads.

moto stores whatever a presigned POST sends (it checks no condition, expiry or
signature), so the S3 policy is decoded and checked condition by condition here; the
local endpoint enforces the same conditions (see test_local_upload_endpoint.py).
"""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from chalicelib.storage import (
    LocalStorage,
    PresignedPost,
    S3Storage,
    get_s3_client,
    make_s3_client,
    storage_from_env,
)

SITE_ORIGIN = "http://127.0.0.1:8000"

KEY = "uploads/2020-09-25/ktp-el-baru/AB12CD/ktp.jpg"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40 + b"\xff\xd9"


def decode_policy(post: PresignedPost) -> dict:
    return json.loads(base64.b64decode(post.fields["policy"]))


def conditions_on(policy: dict, field: str) -> list:
    """Every condition naming ``field`` (either ``{field: v}`` or ``[op, "$field", v]``)."""
    found = []
    for condition in policy["conditions"]:
        if isinstance(condition, dict) and field in condition:
            found.append(["eq", f"${field}", condition[field]])
        elif isinstance(condition, list) and condition[1] == f"${field}":
            found.append(condition)
    return found


def full_key(storage, key: str) -> str:
    return getattr(storage, "prefix", "") + key


class TestPresignedPolicy:
    def test_policy_pins_exact_key(self, storage):
        post = storage.presign_post(KEY, content_type="image/jpeg", max_bytes=2_000_000)
        policy = decode_policy(post)

        assert conditions_on(policy, "key") == [["eq", "$key", full_key(storage, KEY)]]
        assert post.fields["key"] == full_key(storage, KEY)
        assert not [
            c for c in policy["conditions"] if isinstance(c, list) and c[0] == "starts-with"
        ]

    def test_policy_limits_size_from_one_byte(self, storage):
        post = storage.presign_post(KEY, content_type="image/jpeg", max_bytes=2_000_000)

        conditions = decode_policy(post)["conditions"]
        ranges = [c for c in conditions if isinstance(c, list) and c[0] == "content-length-range"]

        assert ranges == [["content-length-range", 1, 2_000_000]]

    def test_policy_pins_content_type(self, storage):
        post = storage.presign_post(KEY, content_type="application/pdf", max_bytes=10)

        conditions = conditions_on(decode_policy(post), "Content-Type")

        assert conditions == [["eq", "$Content-Type", "application/pdf"]]
        assert post.fields["Content-Type"] == "application/pdf"

    def test_policy_expires_within_expires_in(self, storage):
        before = datetime.now(UTC).replace(microsecond=0)
        if isinstance(storage, LocalStorage):
            before = storage.now().replace(microsecond=0)

        post = storage.presign_post(KEY, content_type="image/jpeg", max_bytes=10, expires_in=300)
        expiration = datetime.fromisoformat(
            decode_policy(post)["expiration"].replace("Z", "+00:00")
        )

        assert expiration == post.expires_at
        assert before + timedelta(seconds=299) <= expiration <= before + timedelta(seconds=301)
        assert post.to_dict()["expires_at"] == expiration.isoformat()

    def test_every_field_is_covered_by_a_condition(self, storage):
        post = storage.presign_post(KEY, content_type="image/jpeg", max_bytes=10)
        policy = decode_policy(post)

        for name in post.fields:
            if name not in {"policy", "x-amz-signature"}:
                assert conditions_on(policy, name), name

    def test_encryption_is_required_where_the_backend_encrypts(self, storage):
        post = storage.presign_post(KEY, content_type="image/jpeg", max_bytes=10)
        policy = decode_policy(post)

        if isinstance(storage, S3Storage):
            assert conditions_on(policy, "x-amz-server-side-encryption") == [
                ["eq", "$x-amz-server-side-encryption", "AES256"]
            ]
            assert post.fields["x-amz-server-side-encryption"] == "AES256"
        else:  # local files are not encrypted at rest: the policy does not pretend
            assert conditions_on(policy, "x-amz-server-side-encryption") == []
            assert "x-amz-server-side-encryption" not in post.fields

    def test_to_dict_is_the_browser_shape(self, storage):
        post = storage.presign_post(KEY, content_type="image/jpeg", max_bytes=10)

        shape = post.to_dict()

        assert set(shape) == {"url", "fields", "expires_at"}
        assert {"key", "Content-Type", "policy"} <= set(shape["fields"])
        assert json.loads(json.dumps(shape)) == shape

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"content_type": "", "max_bytes": 10},
            {"content_type": "image/jpeg\r\nX-Evil: 1", "max_bytes": 10},
            {"content_type": "image/jpeg", "max_bytes": 0},
            {"content_type": "image/jpeg", "max_bytes": 10, "expires_in": 0},
            {"content_type": "image/jpeg", "max_bytes": 10, "expires_in": 8 * 24 * 3600},
        ],
    )
    def test_bad_arguments_are_refused(self, storage, kwargs):
        with pytest.raises(ValueError):
            storage.presign_post(KEY, **kwargs)

    def test_traversal_key_cannot_be_presigned(self, storage):
        with pytest.raises(ValueError):
            storage.presign_post("../../etc/cron.d/x", content_type="image/jpeg", max_bytes=10)


def test_kms_encryption_is_pinned_with_its_key(fake_aws, mocked_client):
    storage = S3Storage(mocked_client, "b", sse="aws:kms", kms_key_id="alias/dukcapil")

    post = storage.presign_post(KEY, content_type="image/jpeg", max_bytes=10)
    policy = decode_policy(post)

    assert conditions_on(policy, "x-amz-server-side-encryption") == [
        ["eq", "$x-amz-server-side-encryption", "aws:kms"]
    ]
    assert conditions_on(policy, "x-amz-server-side-encryption-aws-kms-key-id") == [
        ["eq", "$x-amz-server-side-encryption-aws-kms-key-id", "alias/dukcapil"]
    ]
    assert post.fields["x-amz-server-side-encryption-aws-kms-key-id"] == "alias/dukcapil"


@pytest.mark.parametrize("region", ["ap-southeast-3", "eu-south-2", "us-east-1"])
def test_presigned_url_is_the_regional_virtual_hosted_one(fake_aws, region):
    storage = S3Storage(make_s3_client(region), "dukcapil-semarang")

    post = storage.presign_post(KEY, content_type="image/jpeg", max_bytes=10)

    assert post.url == f"https://dukcapil-semarang.s3.{region}.amazonaws.com/"


def test_jakarta_url_from_env_is_not_the_global_endpoint(fake_aws):
    storage = storage_from_env(
        {"STORAGE_BACKEND": "s3", "SUBMISSIONS_BUCKET": "dukcapil", "AWS_REGION": "ap-southeast-3"}
    )

    url = storage.presign_post(KEY, content_type="image/jpeg", max_bytes=10).url

    assert url == "https://dukcapil.s3.ap-southeast-3.amazonaws.com/"
    assert "s3.amazonaws.com" not in url


# --------------------------------------------------------------------------- real uploads


@pytest.fixture
def moto_server(fake_aws):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_browser_post_to_moto_server_round_trips(moto_server, browser_post):
    storage = storage_from_env(
        {
            "STORAGE_BACKEND": "s3",
            "S3_ENDPOINT_URL": moto_server,
            "SUBMISSIONS_BUCKET": "dukcapil-upload",
            "SUBMISSIONS_PREFIX": "portal",
            "AWS_REGION": "ap-southeast-3",
        }
    )
    storage.client.create_bucket(
        Bucket="dukcapil-upload",
        CreateBucketConfiguration={"LocationConstraint": "ap-southeast-3"},
    )
    post = storage.presign_post(KEY, content_type="image/jpeg", max_bytes=len(JPEG))
    assert post.url == f"{moto_server}/dukcapil-upload"

    response = browser_post(post, JPEG)

    assert response.status_code == 204, response.text
    info = storage.head(KEY)
    assert info is not None and info.size == len(JPEG)
    assert info.content_type == "image/jpeg"
    assert storage.read_bytes(KEY) == JPEG
    assert storage.read_range(KEY, 3) == b"\xff\xd8\xff"
    get_s3_client.cache_clear()


def test_browser_post_to_local_endpoint_round_trips(upload_server, browser_post):
    storage = upload_server
    post = storage.presign_post(KEY, content_type="image/jpeg", max_bytes=len(JPEG))

    response = browser_post(post, JPEG)

    assert response.status_code == 204, response.text
    assert response.headers["Access-Control-Allow-Origin"] == SITE_ORIGIN
    info = storage.head(KEY)
    assert info is not None and info.size == len(JPEG)
    assert info.content_type == "image/jpeg"
    assert info.etag == response.headers["ETag"]
    assert storage.read_bytes(KEY) == JPEG
    assert storage.read_range(KEY, 3) == b"\xff\xd8\xff"


def test_local_files_and_folders_are_owner_only(upload_server, browser_post):
    storage = upload_server
    post = storage.presign_post(KEY, content_type="image/jpeg", max_bytes=len(JPEG))
    assert browser_post(post, JPEG).status_code == 204
    storage.put_json("records/2020-09-25/AB12CD.json", {"nik": "3322..."})

    for path in [storage.root, *storage.root.rglob("*")]:
        mode = os.stat(path).st_mode & 0o777
        if path == storage.root or path.is_dir():
            assert mode == 0o700, path
        else:
            assert mode == 0o600, path
