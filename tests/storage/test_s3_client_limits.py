"""The S3 client gives up before the function does: explicit timeouts and retries."""

from __future__ import annotations

import json
from pathlib import Path

from chalicelib import storage as storage_module
from chalicelib.storage import make_s3_client

CHALICE_JSON = Path(__file__).resolve().parents[2] / "chalice.json"


def test_timeouts_and_retries_are_explicit_on_every_kind_of_client(fake_aws) -> None:
    for client in (make_s3_client("ap-southeast-3"),
                   make_s3_client("ap-southeast-3", "http://127.0.0.1:9")):
        config = client.meta.config
        assert config.connect_timeout == storage_module.S3_CONNECT_TIMEOUT
        assert config.read_timeout == storage_module.S3_READ_TIMEOUT
        assert config.retries == {"mode": "standard",
                                  "total_max_attempts": storage_module.S3_MAX_ATTEMPTS}
        assert config.signature_version == "s3v4"


def test_a_stalled_call_gives_up_before_the_lambda_timeout() -> None:
    settings = json.loads(CHALICE_JSON.read_text(encoding="utf-8"))
    lambda_timeout = settings["lambda_timeout"]
    per_attempt = storage_module.S3_CONNECT_TIMEOUT + storage_module.S3_READ_TIMEOUT
    # botocore's standard mode waits at most 2**attempt seconds (jittered) between attempts.
    backoff = sum(2**n for n in range(storage_module.S3_MAX_ATTEMPTS - 1))
    assert storage_module.S3_MAX_ATTEMPTS * per_attempt + backoff < lambda_timeout
    assert storage_module.S3_READ_TIMEOUT < 60  # boto3's default is longer than the function
