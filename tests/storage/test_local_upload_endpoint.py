"""The local upload endpoint refuses every policy violation, like S3, and stores nothing.

Each test posts over real HTTP (wsgiref on 127.0.0.1) exactly as a browser would, then
checks the status, S3's error code, and that no object and no staging file was left.
"""

from __future__ import annotations

import base64
import json
import socket
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
import requests
from chalicelib.storage import LocalStorage, PresignedPost

SITE_ORIGIN = "http://127.0.0.1:8000"
KEY = "uploads/2020-09-25/akta-kelahiran/AB12CD/surat-lahir.pdf"
PDF = b"%PDF-1.4\n" + b"0123456789" * 100 + b"\n%%EOF\n"


@pytest.fixture
def post(upload_server: LocalStorage) -> PresignedPost:
    return upload_server.presign_post(KEY, content_type="application/pdf", max_bytes=len(PDF))


def error_code(response: requests.Response) -> str:
    return ET.fromstring(response.content).findtext("Code")


def assert_nothing_stored(storage: LocalStorage) -> None:
    assert list(storage.list_keys("")) == []
    assert list((storage.root / ".tmp").iterdir()) == []
    assert not (storage.root.parent / "outside").exists()


def signed_post(storage: LocalStorage, document: dict, fields: dict) -> PresignedPost:
    """A presigned POST for a hand-written policy, signed with the storage's secret."""
    policy, signature = storage.sign_policy(document)
    return PresignedPost(
        url=storage.upload_url,
        fields={**fields, "policy": policy, "x-amz-signature": signature},
        expires_at=storage.now(),
    )


def policy_for(storage: LocalStorage, key: str, *extra: object) -> dict:
    return {
        "expiration": (storage.now().replace(year=storage.now().year + 1)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        ),
        "conditions": [
            {"key": key},
            {"Content-Type": "application/pdf"},
            ["content-length-range", 1, len(PDF)],
            *extra,
        ],
    }


# --------------------------------------------------------------------------- accepted


def test_valid_upload_is_stored_with_204(upload_server, post, browser_post):
    response = browser_post(post, PDF, filename="surat-lahir.pdf")

    assert response.status_code == 204
    assert response.content == b""
    assert upload_server.read_bytes(KEY) == PDF
    assert upload_server.head(KEY).content_type == "application/pdf"
    assert list((upload_server.root / ".tmp").iterdir()) == []


def test_success_action_status_201_answers_s3_post_response(upload_server, browser_post):
    document = policy_for(upload_server, KEY, {"success_action_status": "201"})
    fields = {"key": KEY, "Content-Type": "application/pdf", "success_action_status": "201"}

    response = browser_post(signed_post(upload_server, document, fields), PDF)

    assert response.status_code == 201
    xml = ET.fromstring(response.content)
    assert xml.tag == "PostResponse"
    assert xml.findtext("Key") == KEY
    assert xml.findtext("ETag") == upload_server.head(KEY).etag


def test_success_action_status_200_answers_empty_200(upload_server, browser_post):
    document = policy_for(upload_server, KEY, ["eq", "$success_action_status", "200"])
    fields = {"key": KEY, "Content-Type": "application/pdf", "success_action_status": "200"}

    response = browser_post(signed_post(upload_server, document, fields), PDF)

    assert response.status_code == 200
    assert upload_server.read_bytes(KEY) == PDF


def test_x_ignore_fields_need_no_condition(upload_server, post, browser_post):
    response = browser_post(post, PDF, **{"x-ignore-progress-id": "42"})

    assert response.status_code == 204


# --------------------------------------------------------------------------- refused


def test_expired_policy_is_refused(upload_server, post, clock, browser_post):
    clock.advance(901)

    response = browser_post(post, PDF)

    assert response.status_code == 403
    assert error_code(response) == "AccessDenied"
    assert b"Policy expired" in response.content
    assert_nothing_stored(upload_server)


def test_tampered_policy_is_refused(upload_server, post, browser_post):
    document = json.loads(base64.b64decode(post.fields["policy"]))
    document["conditions"][2] = ["content-length-range", 1, 10**9]
    tampered = base64.b64encode(json.dumps(document).encode()).decode()

    response = browser_post(post, PDF, policy=tampered)

    assert response.status_code == 403
    assert error_code(response) == "SignatureDoesNotMatch"
    assert_nothing_stored(upload_server)


def test_bad_signature_is_refused(upload_server, post, browser_post):
    response = browser_post(post, PDF, **{"x-amz-signature": "0" * 64})

    assert response.status_code == 403
    assert error_code(response) == "SignatureDoesNotMatch"
    assert_nothing_stored(upload_server)


def test_policy_signed_with_another_secret_is_refused(upload_server, tmp_path, browser_post):
    other = LocalStorage(tmp_path / "other", upload_server.upload_url, b"another-secret-16b")
    post = other.presign_post(KEY, content_type="application/pdf", max_bytes=len(PDF))

    response = browser_post(post, PDF)

    assert response.status_code == 403
    assert error_code(response) == "SignatureDoesNotMatch"
    assert_nothing_stored(upload_server)


def test_wrong_key_is_refused(upload_server, post, browser_post):
    response = browser_post(post, PDF, key="uploads/2020-09-25/akta-kelahiran/ZZ99/x.pdf")

    assert response.status_code == 403
    assert error_code(response) == "AccessDenied"
    assert b"Policy Condition failed" in response.content
    assert_nothing_stored(upload_server)


def test_too_large_file_is_refused(upload_server, post, browser_post):
    response = browser_post(post, PDF + b"x")

    assert response.status_code == 400
    assert error_code(response) == "EntityTooLarge"
    assert_nothing_stored(upload_server)


def test_far_too_large_body_is_refused_before_the_file_is_read(upload_server, browser_post):
    post = upload_server.presign_post(KEY, content_type="application/pdf", max_bytes=10)

    response = browser_post(post, PDF * 100)

    assert response.status_code == 400
    assert error_code(response) == "EntityTooLarge"
    assert_nothing_stored(upload_server)


def test_body_over_the_endpoint_cap_is_refused_with_413(
    upload_server, post, serve_endpoint, browser_post
):
    url = serve_endpoint(upload_server, max_body_bytes=len(PDF) // 2)

    response = browser_post(PresignedPost(url, post.fields, post.expires_at), PDF)

    assert response.status_code == 413
    assert error_code(response) == "EntityTooLarge"
    assert_nothing_stored(upload_server)


def test_empty_file_is_refused(upload_server, post, browser_post):
    response = browser_post(post, b"")

    assert response.status_code == 400
    assert error_code(response) == "EntityTooSmall"
    assert_nothing_stored(upload_server)


def test_wrong_content_type_is_refused(upload_server, post, browser_post):
    response = browser_post(post, PDF, **{"Content-Type": "text/html"})

    assert response.status_code == 403
    assert error_code(response) == "AccessDenied"
    assert_nothing_stored(upload_server)


def test_missing_content_type_field_is_refused(upload_server, post, browser_post):
    response = browser_post(post, PDF, **{"Content-Type": None})

    assert response.status_code == 403
    assert error_code(response) == "AccessDenied"
    assert_nothing_stored(upload_server)


def test_missing_file_is_refused(upload_server, post, browser_post):
    response = browser_post(post, None)

    assert response.status_code == 400
    assert error_code(response) == "IncorrectNumberOfFilesInPostRequest"
    assert_nothing_stored(upload_server)


def test_path_traversal_key_field_is_refused(upload_server, post, browser_post):
    response = browser_post(post, PDF, key="../outside")

    assert response.status_code == 403
    assert error_code(response) == "AccessDenied"
    assert_nothing_stored(upload_server)


def test_path_traversal_key_in_a_signed_policy_is_refused(upload_server, browser_post):
    document = policy_for(upload_server, "../outside")
    fields = {"key": "../outside", "Content-Type": "application/pdf"}

    response = browser_post(signed_post(upload_server, document, fields), PDF)

    assert response.status_code == 400
    assert error_code(response) == "InvalidArgument"
    assert_nothing_stored(upload_server)


def test_field_not_in_policy_is_refused(upload_server, post, browser_post):
    response = browser_post(post, PDF, acl="public-read")

    assert response.status_code == 403
    assert b"Extra input fields: acl" in response.content
    assert_nothing_stored(upload_server)


def test_missing_signature_field_is_refused(upload_server, post, browser_post):
    response = browser_post(post, PDF, **{"x-amz-signature": None})

    assert response.status_code == 400
    assert error_code(response) == "InvalidArgument"
    assert_nothing_stored(upload_server)


def test_unsupported_policy_condition_is_refused(upload_server, browser_post):
    document = policy_for(upload_server, KEY, ["matches", "$key", ".*"])
    fields = {"key": KEY, "Content-Type": "application/pdf"}

    response = browser_post(signed_post(upload_server, document, fields), PDF)

    assert response.status_code == 400
    assert error_code(response) == "InvalidPolicyDocument"
    assert_nothing_stored(upload_server)


def test_non_multipart_body_is_refused(upload_server, post):
    response = requests.post(post.url, data={**post.fields, "file": "x"}, timeout=10)

    assert response.status_code == 400
    assert error_code(response) == "MalformedPOSTRequest"
    assert_nothing_stored(upload_server)


def test_interrupted_upload_stores_nothing(upload_server, post):
    boundary = "----portalboundary"
    parts = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in post.fields.items()
    )
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
    body = parts + head.encode() + b"Content-Type: application/pdf\r\n\r\n" + PDF[:100]
    url = urlsplit(post.url)
    request = (
        f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(body) + len(PDF)}\r\n\r\n"
    ).encode()

    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(request + body)
        sock.shutdown(socket.SHUT_WR)  # the phone lost its signal mid-upload
        answer = sock.makefile("rb").read()

    assert answer.startswith(b"HTTP/1.0 400") or answer.startswith(b"HTTP/1.1 400")
    assert b"MalformedPOSTRequest" in answer
    assert_nothing_stored(upload_server)


def test_post_from_another_origin_is_refused(upload_server, post, browser_post):
    response = browser_post(post, PDF, origin="https://evil.example")

    assert response.status_code == 403
    assert error_code(response) == "AccessForbidden"
    assert "Access-Control-Allow-Origin" not in response.headers
    assert_nothing_stored(upload_server)


def test_get_is_refused(upload_server):
    response = requests.get(upload_server.upload_url, timeout=10)

    assert response.status_code == 405
    assert error_code(response) == "MethodNotAllowed"


# --------------------------------------------------------------------------- CORS


def preflight(url: str, origin: str, method: str = "POST") -> requests.Response:
    headers = {"Origin": origin, "Access-Control-Request-Method": method}
    return requests.options(url, headers=headers, timeout=10)


def test_preflight_from_site_origin_is_allowed(upload_server):
    response = preflight(upload_server.upload_url, SITE_ORIGIN)

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SITE_ORIGIN
    assert response.headers["Access-Control-Allow-Methods"] == "POST"
    assert "Origin" in response.headers["Vary"]


def test_preflight_from_another_origin_is_refused(upload_server):
    response = preflight(upload_server.upload_url, "https://evil.example")

    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response.headers


def test_preflight_for_another_method_is_refused(upload_server):
    response = preflight(upload_server.upload_url, SITE_ORIGIN, method="PUT")

    assert response.status_code == 403


def test_site_origin_comes_from_the_environment(
    upload_server, monkeypatch, serve_endpoint, browser_post
):
    monkeypatch.setenv("SITE_ORIGIN", "https://dukcapil.semarangkab.go.id")
    url = serve_endpoint(upload_server, site_origin=None)

    allowed = preflight(url, "https://dukcapil.semarangkab.go.id")
    default = preflight(url, SITE_ORIGIN)

    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://dukcapil.semarangkab.go.id"
    assert default.status_code == 403


def test_a_storage_failure_is_an_indonesian_xml_500_without_traceback(
    upload_server: LocalStorage, post: PresignedPost, browser_post, monkeypatch, caplog
) -> None:
    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device", str(upload_server.root / KEY))

    monkeypatch.setattr(upload_server, "open_write", disk_full)
    with caplog.at_level("DEBUG", logger="chalicelib.local_upload"):
        response = browser_post(post, PDF)
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/xml"
    assert error_code(response) == "InternalError"
    message = ET.fromstring(response.content).findtext("Message")
    assert message.startswith("Berkas belum tersimpan karena penyimpanan sedang bermasalah.")
    assert "Traceback" not in response.text and "No space" not in response.text
    (line,) = [r for r in caplog.records if r.levelname == "ERROR"]
    assert line.getMessage().startswith("upload failed: OSError at ")
    assert line.exc_info is None and "surat-lahir" not in line.getMessage()
    assert_nothing_stored(upload_server)
