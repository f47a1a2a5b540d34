"""What is stored is exactly what was checked, and the status credential never leaks.

Issue 9, points 1 and 4, and issue 8's short credential with a lock against
guessing; on both backends (S3 through a moto server).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from api_support import PDF, Api
from chalicelib import layout, tracking
from test_routes import assert_indonesian_error, body, created, received

EXE = b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" + b"\x00" * 200


def every_object(api: Api) -> dict[str, bytes]:
    storage = api.storage
    return {key: storage.read_bytes(key) for key in storage.list_keys("")}


# --------------------------------------------------------------------------- complete proves the owner


def test_complete_needs_the_key_that_created_the_submission(api: Api) -> None:
    offer = created(api)
    api.upload(offer["uploads"][0], PDF)
    sid = offer["submission_id"]
    for wrong in ("", "kunci-pengiriman-orang-lain", sid):
        assert_indonesian_error(api.complete(sid, key=wrong), 404, "submission_not_found")
    assert not list(api.storage.list_keys("applications/"))  # nothing was received
    receipt = body(api.complete(sid))
    assert receipt["tracking_code"]


def test_a_repeated_complete_with_only_the_logged_id_returns_no_credential(api: Api) -> None:
    receipt = received(api)
    sid = receipt["submission_id"]
    response = api.post(f"/submissions/{sid}/complete", raw=b"")
    assert_indonesian_error(response, 404, "submission_not_found")
    assert receipt["status_token"] not in response.body.decode()
    again = body(api.complete(sid))  # the same browser, with its key
    assert again == receipt


def test_no_credential_is_stored_in_plain_text(api: Api) -> None:
    receipt = received(api)
    token = receipt["status_token"]
    key = api.keys[receipt["submission_id"]]
    for name, data in every_object(api).items():
        if name.startswith("outbox/"):  # the local stand-in for the resident's own mailbox
            continue
        for secret in (token, token.replace("-", ""), key):
            assert secret.encode() not in data, name


def test_a_create_replayed_after_receipt_returns_the_same_receipt(api: Api) -> None:
    receipt = received(api)
    replay = api.create()
    assert replay.status_code == 200
    assert body(replay)["status"] == "received" and body(replay)["receipt"] == receipt


# --------------------------------------------------------------------------- exact bytes


def test_a_file_swapped_while_complete_reads_it_is_not_what_is_kept(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    offer = created(api)
    upload = offer["uploads"][0]
    assert api.upload(upload, PDF) in (200, 204)
    storage = api.storage
    original = storage.read_bytes
    upload_key = upload["fields"]["key"].removeprefix(getattr(storage, "prefix", ""))

    def read_then_swap(key: str) -> bytes:
        data = original(key)
        if key == upload_key:  # the attacker re-posts right after the check read the file
            api.put_object(upload_key, EXE, "application/pdf")
        return data

    monkeypatch.setattr(storage, "read_bytes", read_then_swap)
    receipt = body(api.complete(offer["submission_id"]))
    monkeypatch.undo()
    index, _ = storage.get_json(layout.tracking_index_key(receipt["tracking_code"]))
    record, _ = storage.get_json(index["record"])
    [kept] = record["files"]
    assert storage.read_bytes(kept["key"]) == PDF
    import hashlib

    assert kept["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert not any(EXE in data for data in every_object(api).values())


def test_an_upload_policy_is_dead_once_the_submission_is_received(api: Api) -> None:
    offer = created(api)
    upload = offer["uploads"][0]
    api.upload(upload, PDF)
    receipt = body(api.complete(offer["submission_id"]))
    late = api.upload(upload, EXE, content_type="application/pdf")
    if api.backend == "local":
        assert late == 403  # the local endpoint refuses a claimed submission's policies
    # S3 cannot revoke a presigned POST before it expires; whatever lands in pending/
    # is never read again and the lifecycle rule removes it. What was kept is unchanged:
    index, _ = api.storage.get_json(layout.tracking_index_key(receipt["tracking_code"]))
    record, _ = api.storage.get_json(index["record"])
    assert api.storage.read_bytes(record["files"][0]["key"]) == PDF


# --------------------------------------------------------------------------- the short credential


def test_the_token_can_be_typed_any_way_and_old_long_tokens_keep_working(api: Api) -> None:
    receipt = received(api)
    code, token = receipt["tracking_code"], receipt["status_token"]
    assert api.status(code, token.lower().replace("-", " ")).status_code == 200
    legacy = "Zq0-_long-token-of-the-first-release-43chars"
    key = layout.tracking_index_key(code)
    entry, _ = api.storage.get_json(key)
    entry["token_sha256"] = tracking.hash_token(legacy)
    api.storage.put_json(key, entry)
    assert api.status(code, legacy).status_code == 200
    assert api.status(code, legacy.upper()).status_code == 404


def test_wrong_tokens_lock_the_code_for_a_while(api: Api) -> None:
    receipt = received(api)
    code, token = receipt["tracking_code"], receipt["status_token"]
    for _ in range(4):
        assert api.status(code, "AAAA-BBBB-CCCC").status_code == 404
    assert api.status(code, token).status_code == 200  # the owner resets the count
    for _ in range(5):
        assert api.status(code, "AAAA-BBBB-CCCC").status_code == 404
    locked = api.status(code, token)  # even the right token, so the lock cannot be probed
    data = assert_indonesian_error(locked, 429, "status_locked")
    assert "dikunci sementara" in data["message"] and "WIB" in data["message"]
    assert 60 < int(locked.headers["Retry-After"]) <= 30 * 60 + 1
    other = received_other(api)
    assert api.status(other["tracking_code"], other["status_token"]).status_code == 200
    attempts = layout.attempts_key(code)
    state, _ = api.storage.get_json(attempts)
    assert set(state) == {"wrong", "locked_until"} and token not in json.dumps(state)
    state["locked_until"] = "2020-01-01T00:00:00+07:00"  # the lock ran out
    api.storage.put_json(attempts, state)
    assert api.status(code, token).status_code == 200
    assert api.storage.get_json(attempts) is None


def received_other(api: Api) -> dict[str, Any]:
    offer = created(api, key="kunci-pengiriman-lain-0002")
    api.upload(offer["uploads"][0], PDF)
    return body(api.complete(offer["submission_id"]))


def test_unknown_codes_are_not_counted_or_stored(api: Api) -> None:
    code = tracking.new_tracking_code()
    for _ in range(8):
        assert api.status(code, "AAAA-BBBB-CCCC").status_code == 404
    assert not list(api.storage.list_keys(layout.ATTEMPTS_PREFIX))
