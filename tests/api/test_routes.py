"""Every route and every error path, through ``chalice.test.Client``, on both backends."""

from __future__ import annotations

import json
from typing import Any

import pytest
from api_support import FORM_ID, JPEG, NIK, PDF, PNG, SITE_ORIGIN, VALUES, Api, file_decl
from chalicelib import layout


def body(response: Any) -> Any:
    return json.loads(response.body)


def assert_indonesian_error(response: Any, status: int, code: str | None = None) -> dict:
    """The error shape every refusal shares: a message (and code), no stack trace, no data."""
    assert response.status_code == status, response.body
    data = body(response)
    assert isinstance(data["message"], str) and data["message"]
    assert set(data) <= {"message", "code", "errors"}
    if code is not None:
        assert data["code"] == code
    assert "Traceback" not in response.body.decode()
    return data


def codes(data: dict) -> set[tuple[str, str]]:
    return {(e["field"], e["code"]) for e in data["errors"]}


def created(api: Api, **kwargs: Any) -> dict:
    response = api.create(**kwargs)
    assert response.status_code == 201, response.body
    return body(response)


def received(api: Api, files: list[tuple[str, bytes, str]] | None = None) -> dict:
    """A complete submission: create, upload every file, complete; returns the receipt."""
    files = files or [("kk", PDF, "application/pdf")]
    offer = created(api, files=[file_decl(a, d, t) for a, d, t in files])
    for upload, (_, data, _) in zip(offer["uploads"], files, strict=True):
        assert api.upload(upload, data) in (200, 201, 204)
    response = api.complete(offer["submission_id"])
    assert response.status_code == 200, response.body
    return body(response)


# --------------------------------------------------------------------------- forms


def test_list_forms(api: Api) -> None:
    response = api.get("/forms")
    assert response.status_code == 200
    forms = body(response)["forms"]
    assert [f["id"] for f in forms] == [FORM_ID]
    assert forms[0]["attachments"][0]["accept"] == ["application/pdf", "image/jpeg", "image/png"]
    assert response.headers["Cache-Control"].startswith("public")


def test_get_form(api: Api) -> None:
    response = api.get(f"/forms/{FORM_ID}")
    assert response.status_code == 200
    assert body(response)["title"] == "Uji coba permohonan KTP-el"


def test_get_unknown_form_is_404(api: Api) -> None:
    data = assert_indonesian_error(api.get("/forms/tidak-ada"), 404, "form_not_found")
    assert "Formulir tidak ditemukan" in data["message"]


def test_health_check(api: Api) -> None:
    assert body(api.get("/")) == {"service": "dukcapil-portal", "ok": True}


def test_unknown_route_is_not_a_500(api: Api) -> None:
    assert api.get("/tidak/ada").status_code in (403, 404)


# --------------------------------------------------------------------------- create: envelope


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"{not json", "body_not_json"),
        (b"\xff\xfe", "body_not_json"),
        (b"", "body_empty"),
        (b"   ", "body_empty"),
        (b"[1, 2]", "body_not_object"),
        (b'"teks"', "body_not_object"),
        (b"[" * 5000 + b"]" * 5000, "body_not_json"),
    ],
)
def test_create_refuses_unreadable_bodies(api: Api, raw: bytes, code: str) -> None:
    assert_indonesian_error(api.post("/submissions", raw=raw), 400, code)


def test_create_refuses_oversize_body_with_413(api: Api) -> None:
    big = {"form_id": FORM_ID, "idempotency_key": "kunci-pengiriman-uji-0001",
           "values": {"keterangan": "x" * 70_000}}
    data = assert_indonesian_error(api.post("/submissions", big), 413, "body_too_large")
    assert "terlalu besar" in data["message"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"form_id": None}, "form_id"),
        ({"form_id": 7}, "form_id"),
        ({"idempotency_key": "pendek"}, "idempotency_key"),
        ({"idempotency_key": "ada spasi di dalam kunci"}, "idempotency_key"),
        ({"values": ["bukan", "objek"]}, "values"),
        ({"files": {"kk": 1}}, "files"),
        ({"files": ["kk.pdf"]}, "files[0]"),
        ({"files": [{"attachment": "kk", "name": "kk.pdf", "size": "77", "type": "x"}]},
         "files[0].size"),
        ({"files": [{"attachment": "kk", "name": "kk.pdf", "size": True, "type": "x"}]},
         "files[0].size"),
        ({"files": [{"name": "kk.pdf", "size": 77, "type": "application/pdf"}]},
         "files[0].attachment"),
        ({"confirmed_warnings": "nik_tanggal_lahir_berbeda"}, "confirmed_warnings"),
    ],
)
def test_create_refuses_malformed_envelope(api: Api, change: dict, field: str) -> None:
    request = {"form_id": FORM_ID, "idempotency_key": "kunci-pengiriman-uji-0001", "values": VALUES,
               "files": [file_decl("kk", PDF, "application/pdf")], **change}
    data = assert_indonesian_error(api.post("/submissions", request), 400, "bad_shape")
    assert data["errors"][0]["field"] == field


def test_create_unknown_form_is_404(api: Api) -> None:
    assert_indonesian_error(api.create(form_id="formulir-lain"), 404, "form_not_found")


def test_create_refuses_unsupported_media_type_in_indonesian(api: Api) -> None:
    response = api.post("/submissions", {"form_id": FORM_ID},
                        headers={"Content-Type": "application/xml"})
    data = assert_indonesian_error(response, 415, "unsupported_media_type")
    assert "JSON" in data["message"]


def test_wrong_method_is_405_in_indonesian(api: Api) -> None:
    assert_indonesian_error(api.get("/submissions"), 405, "method_not_allowed")


def test_create_accepts_text_plain_json(api: Api) -> None:
    request = {"form_id": FORM_ID, "idempotency_key": "kunci-pengiriman-teks-polos",
               "values": VALUES, "files": [file_decl("kk", PDF, "application/pdf")]}
    response = api.post("/submissions", request, headers={"Content-Type": "text/plain"})
    assert response.status_code == 201


# --------------------------------------------------------------------------- create: answers


def test_create_refuses_unknown_field(api: Api) -> None:
    data = assert_indonesian_error(api.create(values={**VALUES, "agama": "x"}), 422,
                                   "validation_failed")
    assert ("agama", "field_tidak_dikenal") in codes(data)


def test_create_lists_every_error_with_field_code_message_severity(api: Api) -> None:
    values = {**VALUES, "nik": "3322015208900000", "nama": "", "telepon": "12345"}
    data = assert_indonesian_error(api.create(values=values), 422, "validation_failed")
    assert {("nik", "nik_nomor_urut_tidak_valid"), ("nama", "wajib_diisi"),
            ("telepon", "telepon_format")} <= codes(data)
    for error in data["errors"]:
        assert set(error) == {"field", "code", "message", "severity"}
        assert error["severity"] == "error"
        assert error["message"] and error["message"] != error["code"]


def test_create_asks_to_confirm_warnings_then_accepts_them(api: Api) -> None:
    values = {**VALUES, "tanggal_lahir": "1990-08-21"}  # NIK says the 12th
    data = assert_indonesian_error(api.create(values=values), 422, "confirmation_required")
    assert [(e["field"], e["code"], e["severity"]) for e in data["errors"]] == [
        ("nik", "nik_tanggal_lahir_berbeda", "warning")
    ]
    assert "konfirmasi" in data["errors"][0]["message"]
    confirmed = api.create(values=values, confirmed=["nik:nik_tanggal_lahir_berbeda"])
    assert confirmed.status_code == 201


def test_errors_and_warnings_come_together(api: Api) -> None:
    values = {**VALUES, "tanggal_lahir": "1990-08-21", "nama": ""}
    data = assert_indonesian_error(api.create(values=values), 422, "validation_failed")
    assert {e["severity"] for e in data["errors"]} == {"error", "warning"}


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ([], ("files.kk", "berkas_kurang")),
        ([file_decl("kk", b"x" * 100_001, "application/pdf")],
         ("files.kk", "berkas_terlalu_besar")),
        ([file_decl("kk", PDF, "image/gif")], ("files.kk", "berkas_jenis_tidak_diterima")),
        ([file_decl("kk", b"", "application/pdf")], ("files.kk", "berkas_kosong")),
        ([file_decl("kk", PDF, "application/pdf"), file_decl("kk", PDF, "application/pdf")],
         ("files.kk", "berkas_terlalu_banyak")),
        ([file_decl("kk", PDF, "application/pdf")] + [file_decl("foto", JPEG, "image/jpeg")] * 3,
         ("files.foto", "berkas_terlalu_banyak")),
        ([file_decl("kk", PDF, "application/pdf"), file_decl("ktp", PDF, "application/pdf")],
         ("files.ktp", "berkas_lampiran_tidak_dikenal")),
        ([file_decl("kk", PDF, "application/pdf", name="../../etc/passwd")],
         ("files.kk", "berkas_nama_tidak_valid")),
    ],
)
def test_create_checks_declared_files(api: Api, files: list, expected: tuple) -> None:
    data = assert_indonesian_error(api.create(files=files), 422, "validation_failed")
    assert expected in codes(data)


# --------------------------------------------------------------------------- create: offer


def test_create_offers_one_presigned_post_per_file(api: Api) -> None:
    files = [file_decl("kk", PDF, "application/pdf"), file_decl("foto", JPEG, "image/jpeg"),
             file_decl("foto", PNG, "image/png")]
    offer = created(api, files=files)
    assert offer["status"] == "pending" and offer["replayed"] is False
    assert len(offer["submission_id"]) == 32
    assert [u["index"] for u in offer["uploads"]] == [0, 1, 2]
    keys = [u["fields"]["key"] for u in offer["uploads"]]
    sid = offer["submission_id"]
    assert [k.rsplit("/", 1)[-1] for k in keys] == ["00-kk.pdf", "01-foto.jpg", "02-foto.png"]
    assert all(f"pending/{sid}/uploads/" in k for k in keys)
    for upload, declared in zip(offer["uploads"], files, strict=True):
        assert upload["fields"]["Content-Type"] == declared["type"]
        assert upload["expires_at"].endswith("+07:00")
    assert offer["expires_at"].endswith("+07:00")


def test_presign_policy_pins_key_size_type_and_expiry(api: Api) -> None:
    import base64
    from datetime import UTC, datetime, timedelta

    offer = created(api)
    upload = offer["uploads"][0]
    policy = json.loads(base64.b64decode(upload["fields"]["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 1, len(PDF)] in conditions
    assert {"Content-Type": "application/pdf"} in conditions
    assert {"key": upload["fields"]["key"]} in conditions
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert timedelta(minutes=10) < expires - datetime.now(UTC) <= timedelta(minutes=15)
    if api.backend == "s3":
        assert {"x-amz-server-side-encryption": "AES256"} in conditions
        assert {"bucket": "uji-dukcapil-submissions"} in conditions


def test_same_idempotency_key_returns_the_same_submission(api: Api) -> None:
    first = created(api)
    again = api.create()
    assert again.status_code == 200
    replay = body(again)
    assert replay["replayed"] is True
    assert replay["submission_id"] == first["submission_id"]
    assert [u["fields"]["key"] for u in replay["uploads"]] == [
        u["fields"]["key"] for u in first["uploads"]
    ]


def test_same_answers_typed_differently_are_the_same_payload(api: Api) -> None:
    first = created(api)
    retyped = {**VALUES, "nik": NIK, "telepon": "+62 812 3456 7890"}
    again = body(api.create(values=retyped))
    assert again["submission_id"] == first["submission_id"]


def test_reused_idempotency_key_with_other_answers_is_409(api: Api) -> None:
    created(api)
    other = {**VALUES, "keterangan": "Isian lain"}
    data = assert_indonesian_error(api.create(values=other), 409, "idempotency_key_reused")
    assert "sudah dipakai" in data["message"]


def test_replayed_create_after_complete_returns_the_receipt(api: Api) -> None:
    receipt = received(api)
    replay = body(api.create())
    assert replay["status"] == "received"
    assert replay["uploads"] == []
    assert replay["receipt"] == receipt


def test_cors_is_limited_to_the_site_origin(api: Api) -> None:
    response = api.create(key="kunci-pengiriman-cors-0001")
    assert response.headers["Access-Control-Allow-Origin"] == SITE_ORIGIN
    # chalice.test.Client cannot read a body-less answer: ask the local gateway directly.
    from chalice.config import Config
    from chalice.local import LocalGateway

    preflight = LocalGateway(api.module.app, Config.create()).handle_request(
        "OPTIONS", "/submissions",
        {"Origin": "https://situs-lain.example", "Access-Control-Request-Method": "POST"}, b"",
    )
    assert preflight["headers"]["Access-Control-Allow-Origin"] == SITE_ORIGIN
    assert "POST" in preflight["headers"]["Access-Control-Allow-Methods"]


def test_api_responses_are_not_cached(api: Api) -> None:
    response = api.create(key="kunci-pengiriman-cache-0001")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --------------------------------------------------------------------------- complete


def test_complete_returns_a_receipt(api: Api) -> None:
    receipt = received(api, [("kk", PDF, "application/pdf"), ("foto", JPEG, "image/jpeg")])
    code = receipt["tracking_code"]
    assert len(code) == 12 and code[4] == code[9] == "-"
    assert not set(code) & set("01OIL")
    assert receipt["received_at"].endswith("+07:00")
    assert receipt["received_at_text"].endswith(" WIB") and " pukul " in receipt["received_at_text"]
    assert receipt["status"] == "diterima"
    token = receipt["status_token"]
    assert len(token) == 14 and token[4] == token[9] == "-" and not set(token) & set("01OIL")
    assert receipt["summary"]["form_title"] == "Uji coba permohonan KTP-el"
    assert {"attachment": "foto", "label": "Pas foto", "count": 1} in receipt["summary"]["files"]
    shown = {f["id"]: f["value"] for f in receipt["summary"]["fields"]}
    assert shown["kecamatan"] == "Kecamatan Getasan"
    assert shown["nik"] is None and shown["nama"] is None and shown["telepon"] is None
    assert NIK not in json.dumps(receipt)


def test_complete_moves_files_into_the_browsable_layout(api: Api) -> None:
    receipt = received(api, [("kk", PDF, "application/pdf"), ("foto", PNG, "image/png")])
    code = receipt["tracking_code"]
    day = receipt["received_at"][:10]
    folder = f"applications/{day}/{FORM_ID}/{code}/"
    storage = api.storage
    assert sorted(storage.list_keys(folder)) == [
        folder + "files/00-kk.pdf", folder + "files/01-foto.png", folder + "record.json"
    ]
    assert storage.read_bytes(folder + "files/00-kk.pdf") == PDF
    assert storage.read_bytes(folder + "files/01-foto.png") == PNG
    record, _ = storage.get_json(folder + "record.json")
    assert record["values"]["nik"] == NIK
    assert record["values"]["telepon"] == "+6281234567890"
    assert record["status"] == "diterima"
    assert record["history"][0]["to"] == "diterima" and record["history"][0]["from"] is None
    assert record["status_token"]["sha256"] != receipt["status_token"]
    assert receipt["status_token"] not in json.dumps(record)
    assert [f["key"] for f in record["files"]] == [folder + "files/00-kk.pdf",
                                                   folder + "files/01-foto.png"]
    assert storage.get_json(layout.tracking_index_key(code))[0]["record"] == folder + "record.json"
    assert not [k for k in storage.list_keys(f"pending/{receipt['submission_id']}/uploads/")]


def test_complete_twice_returns_the_same_receipt(api: Api) -> None:
    receipt = received(api)
    again = api.complete(receipt["submission_id"])
    assert again.status_code == 200
    assert body(again) == receipt
    assert len(list(api.storage.list_keys("index/tracking/"))) == 1


def test_complete_with_a_missing_file(api: Api) -> None:
    files = [file_decl("kk", PDF, "application/pdf"), file_decl("foto", JPEG, "image/jpeg")]
    offer = created(api, files=files)
    api.upload(offer["uploads"][0], PDF)
    data = assert_indonesian_error(api.complete(offer["submission_id"]), 422, "files_invalid")
    assert [(e["field"], e["code"], e["index"]) for e in data["errors"]] == [
        ("files.foto", "file_missing", 1)
    ]
    assert "foto.jpg" in data["errors"][0]["message"]
    assert not list(api.storage.list_keys("applications/"))
    # Upload it and try again: now it completes.
    api.upload(offer["uploads"][1], JPEG)
    assert api.complete(offer["submission_id"]).status_code == 200


def test_complete_refuses_wrong_type_by_magic_bytes(api: Api) -> None:
    fake = b"MZ\x90\x00" + b"\x00" * (len(PDF) - 4)  # a Windows program named kk.pdf
    offer = created(api)
    assert api.upload(offer["uploads"][0], fake) in (200, 201, 204)  # the policy cannot tell
    data = assert_indonesian_error(api.complete(offer["submission_id"]), 422, "files_invalid")
    assert codes(data) == {("files.kk", "file_type_invalid")}


def test_complete_refuses_accepted_type_other_than_declared(api: Api) -> None:
    png_as_pdf = PNG + b"\x00" * (len(PDF) - len(PNG)) if len(PNG) < len(PDF) else PNG
    offer = created(api, files=[file_decl("kk", png_as_pdf, "application/pdf")])
    api.upload(offer["uploads"][0], png_as_pdf)
    data = assert_indonesian_error(api.complete(offer["submission_id"]), 422, "files_invalid")
    assert codes(data) == {("files.kk", "file_type_mismatch")}


def test_complete_refuses_a_file_of_another_size(api: Api) -> None:
    offer = created(api)
    api.upload(offer["uploads"][0], PDF[:-10])  # within the policy's range, not as declared
    data = assert_indonesian_error(api.complete(offer["submission_id"]), 422, "files_invalid")
    assert codes(data) == {("files.kk", "file_size_mismatch")}


def test_complete_refuses_too_big_even_if_the_policy_was_bypassed(api: Api) -> None:
    offer = created(api)
    key = layout.pending_upload_key(offer["submission_id"], 0, "kk", "application/pdf")
    api.put_object(key, PDF + b"\x00" * 200_000, "application/pdf")
    data = assert_indonesian_error(api.complete(offer["submission_id"]), 422, "files_invalid")
    assert codes(data) == {("files.kk", "file_too_large")}


def test_upload_over_the_declared_size_is_refused_by_the_local_policy(api: Api) -> None:
    if api.backend == "s3":
        pytest.skip("moto does not enforce presigned POST policies")
    offer = created(api)
    assert api.upload(offer["uploads"][0], PDF + b"extra") == 400
    data = assert_indonesian_error(api.complete(offer["submission_id"]), 422, "files_invalid")
    assert codes(data) == {("files.kk", "file_missing")}


def test_complete_unknown_submission_is_404(api: Api) -> None:
    assert_indonesian_error(api.complete("0" * 32), 404, "submission_not_found")


@pytest.mark.parametrize("sid", ["..%2F..%2Fetc", "ABCDEF", "z" * 32, "0" * 33])
def test_complete_malformed_id_is_404(api: Api, sid: str) -> None:
    assert api.complete(sid).status_code == 404


def test_complete_after_the_pending_submission_expired_is_404(api: Api) -> None:
    offer = created(api)
    key = layout.pending_record_key(offer["submission_id"])
    record, _ = api.storage.get_json(key)
    record["created_at"] = "2020-09-25T08:00:00+07:00"
    api.storage.put_json(key, record)
    api.upload(offer["uploads"][0], PDF)
    assert_indonesian_error(api.complete(offer["submission_id"]), 404, "submission_not_found")


def test_complete_refuses_oversize_body(api: Api) -> None:
    offer = created(api)
    response = api.post(f"/submissions/{offer['submission_id']}/complete", raw=b" " * 70_000)
    assert_indonesian_error(response, 413)


# --------------------------------------------------------------------------- status


def test_status_with_code_and_token(api: Api) -> None:
    receipt = received(api)
    response = api.status(receipt["tracking_code"], receipt["status_token"])
    assert response.status_code == 200
    data = body(response)
    assert data["tracking_code"] == receipt["tracking_code"]
    assert data["status"] == "diterima" and data["status_label"] == "Diterima"
    assert [h["status"] for h in data["history"]] == ["diterima"]
    assert data["history"][0]["note"]
    assert NIK not in response.body.decode() and "Siti" not in response.body.decode()


def test_status_forgives_case_spaces_and_hyphens_in_the_code(api: Api) -> None:
    receipt = received(api)
    typed = receipt["tracking_code"].replace("-", " ").lower()
    assert api.status(typed, receipt["status_token"]).status_code == 200


@pytest.mark.parametrize(
    "request_body",
    [
        {"tracking_code": "{code}", "token": "salah"},
        {"tracking_code": "{code}", "token": ""},
        {"tracking_code": "{code}"},
        {"tracking_code": "{code}", "token": None},
        {"tracking_code": "{code}", "token": ["{token}"]},
        {"token": "{token}"},
        {"tracking_code": "ABCD-EFGH-JK", "token": "{token}"},
        {"tracking_code": "0000-0000-00", "token": "{token}"},
        {"tracking_code": 12345, "token": "{token}"},
    ],
)
def test_status_without_valid_token_is_404_with_no_data(api: Api, request_body: dict) -> None:
    receipt = received(api)
    filled = json.loads(
        json.dumps(request_body)
        .replace("{code}", receipt["tracking_code"])
        .replace("{token}", receipt["status_token"])
    )
    response = api.post("/status", filled)
    data = assert_indonesian_error(response, 404, "status_not_found")
    assert set(data) == {"message", "code"}


def test_status_with_another_applications_token_is_404(api: Api) -> None:
    first = received(api)
    second_offer = created(api, key="kunci-pengiriman-uji-0002")
    api.upload(second_offer["uploads"][0], PDF)
    second = body(api.complete(second_offer["submission_id"]))
    assert api.status(first["tracking_code"], second["status_token"]).status_code == 404


def test_status_with_an_expired_token_is_404(api: Api) -> None:
    receipt = received(api)
    key = layout.tracking_index_key(receipt["tracking_code"])
    entry, _ = api.storage.get_json(key)
    entry["token_expires_at"] = "2020-10-08T23:59:59+07:00"
    api.storage.put_json(key, entry)
    assert_indonesian_error(api.status(receipt["tracking_code"], receipt["status_token"]), 404,
                            "status_not_found")


def test_status_refuses_unreadable_body(api: Api) -> None:
    assert_indonesian_error(api.post("/status", raw=b"kode=ABCD"), 400, "body_not_json")


def test_status_is_not_available_by_get(api: Api) -> None:
    assert api.get("/status").status_code == 405


def test_storage_failure_is_a_500_in_indonesian_without_details(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = api.storage

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError(f"disk full while writing {NIK}")

    monkeypatch.setattr(storage, "put_json", broken)
    data = assert_indonesian_error(api.create(), 500, "internal_error")
    assert NIK not in json.dumps(data)
