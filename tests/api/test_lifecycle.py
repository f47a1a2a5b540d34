"""After the receipt: staff ask for a fix, the resident corrects on the same code, staff
finish with a PDF or a card to collect, the resident downloads. Both backends."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from api_support import JPEG, PDF, VALUES, Api, file_decl
from chalicelib import layout
from chalicelib.casework import Casework, InvalidInput
from chalicelib.policy import Policy, load_policy
from chalicelib.status_changes import ResultFile
from hostile import text_pdf
from test_routes import assert_indonesian_error, body, received

RESULT_PDF = text_pdf("KUTIPAN AKTA KELAHIRAN")


@pytest.fixture
def casework(api: Api, content_dir) -> Casework:
    return Casework(api.storage, api.module.get_service().forms, sleep=lambda s: None,
                    policy=load_policy(content_dir))


def correct(api: Api, receipt: dict, values: dict, files: list[tuple[str, bytes, str]], *,
            key: str = "kunci-perbaikan-uji-0001") -> Any:
    return api.post("/corrections", {
        "tracking_code": receipt["tracking_code"], "token": receipt["status_token"],
        "idempotency_key": key, "values": values,
        "files": [file_decl(a, d, t) for a, d, t in files]})


def status(api: Api, receipt: dict) -> dict:
    response = api.status(receipt["tracking_code"], receipt["status_token"])
    assert response.status_code == 200, response.body
    return body(response)


def record_of(api: Api, code: str) -> dict:
    index, _ = api.storage.get_json(layout.tracking_index_key(code))
    return api.storage.get_json(index["record"])[0]


def fetch(api: Api, url: str) -> tuple[int, bytes, dict]:
    """Follow a download link as the browser would."""
    if api.backend == "s3":
        import requests

        response = requests.get(url, timeout=10)
        return response.status_code, response.content, dict(response.headers)
    from chalicelib.local_download import LocalDownloadEndpoint
    from werkzeug.test import Client

    response = Client(LocalDownloadEndpoint(api.storage)).get(url.split("/download", 1)[1]
                                                              .join(["/download", ""]))
    return response.status_code, response.data, dict(response.headers)


# --------------------------------------------------------------------------- corrections


def test_a_correction_adds_a_revision_to_the_same_application(api: Api, casework) -> None:
    receipt = received(api, [("kk", PDF, "application/pdf"), ("foto", JPEG, "image/jpeg")])
    code = receipt["tracking_code"]
    before = record_of(api, code)
    casework.set_status(code, "perlu-perbaikan", note="Foto KK buram; unggah ulang.", by="Rina",
                        fields=["keterangan"], attachments=["kk"])
    asked = status(api, receipt)
    assert asked["status"] == "perlu_perbaikan"
    assert asked["correction"]["fields"] == [{"id": "keterangan", "label": "Keterangan"}]
    assert asked["correction"]["attachments"] == [{"id": "kk", "label": "Kartu Keluarga"}]
    assert asked["correction"]["open"] and asked["correction"]["deadline_text"].endswith("WIB")
    assert asked["correction"]["note"] == "Foto KK buram; unggah ulang."
    new_kk = text_pdf("KARTU KELUARGA YANG TERBACA")
    offer = correct(api, receipt, {"keterangan": "Rumah di Dusun Krajan RT 03"},
                    [("kk", new_kk, "application/pdf")])
    assert offer.status_code == 201, offer.body
    offer = body(offer)
    assert api.upload(offer["uploads"][0], new_kk) in (200, 204)
    done = api.post(f"/corrections/{offer['submission_id']}/complete",
                    {"idempotency_key": "kunci-perbaikan-uji-0001"})
    assert done.status_code == 200, done.body
    assert body(done)["status"] == "diperbaiki" and "correction" not in body(done)
    record = record_of(api, code)
    assert record["tracking_code"] == code and record["status"] == "diperbaiki"
    assert [r["revision"] for r in record["revisions"]] == [1, 2]
    assert record["revisions"][0]["values"] == before["values"]  # nothing overwritten
    assert record["values"]["keterangan"] == "Rumah di Dusun Krajan RT 03"
    assert record["values"]["nik"] == before["values"]["nik"]
    kept = {f["attachment"]: f for f in record["files"]}
    assert api.storage.read_bytes(kept["kk"]["key"]) == new_kk
    assert kept["kk"]["sha256"] == hashlib.sha256(new_kk).hexdigest()
    assert kept["foto"] == next(f for f in before["files"] if f["attachment"] == "foto")
    old_kk = next(f for f in before["files"] if f["attachment"] == "kk")
    assert api.storage.read_bytes(old_kk["key"]) == PDF  # the first scan is still there
    last = record["history"][-1]
    assert (last["by"], last["from"], last["to"]) == ("pemohon", "perlu_perbaikan", "diperbaiki")
    assert last["fields"] == ["keterangan"] and last["attachments"] == ["kk"]
    again = api.post(f"/corrections/{offer['submission_id']}/complete",
                     {"idempotency_key": "kunci-perbaikan-uji-0001"})
    assert again.status_code == 200 and len(record_of(api, code)["revisions"]) == 2
    late = correct(api, receipt, {"keterangan": "lagi"}, [("kk", PDF, "application/pdf")],
                   key="kunci-perbaikan-uji-0002")
    assert_indonesian_error(late, 409, "correction_closed")


def test_a_correction_of_answers_only_needs_no_files(api: Api, casework) -> None:
    """The form's own attachment counts (a required KK) apply to a new application, not to
    a correction that sends no file again: only the attachments sent again are counted."""
    receipt = received(api)
    casework.set_status(receipt["tracking_code"], "perlu-perbaikan", note="Nama salah ketik.",
                        by="Rina", fields=["nama"])
    offer = correct(api, receipt, {"nama": "Siti Aminah Rahayu"}, [])
    assert offer.status_code == 201, offer.body
    done = api.post(f"/corrections/{body(offer)['submission_id']}/complete",
                    {"idempotency_key": "kunci-perbaikan-uji-0001"})
    assert done.status_code == 200, done.body
    record = record_of(api, receipt["tracking_code"])
    assert record["status"] == "diperbaiki" and record["values"]["nama"] == "Siti Aminah Rahayu"
    assert [f["attachment"] for f in record["files"]] == ["kk"]  # the first KK is kept


def test_a_correction_may_hold_only_what_was_asked(api: Api, casework) -> None:
    receipt = received(api)
    casework.set_status(receipt["tracking_code"], "perlu-perbaikan", note="Perbaiki nama.",
                        by="Rina", fields=["nama"])
    pending_before = list(api.storage.list_keys("pending/"))
    data = assert_indonesian_error(
        correct(api, receipt, {"nama": "", "telepon": "0812"}, [("kk", PDF, "application/pdf")]),
        422, "validation_failed")
    fields = {(e["field"], e["code"]) for e in data["errors"]}
    assert ("telepon", "field_tidak_diminta") in fields
    assert ("files.kk", "berkas_tidak_diminta") in fields
    assert any(f == "nama" for f, _ in fields)
    nothing = assert_indonesian_error(correct(api, receipt, {}, []), 422)
    assert {e["field"] for e in nothing["errors"]} == {"nama"}
    assert list(api.storage.list_keys("pending/")) == pending_before  # nothing stored for a refusal


def test_an_asked_attachment_needs_a_new_file(api: Api, casework) -> None:
    receipt = received(api)
    casework.set_status(receipt["tracking_code"], "perlu-perbaikan", note="KK buram.", by="Rina",
                        attachments=["kk"])
    data = assert_indonesian_error(correct(api, receipt, {}, []), 422)
    assert [(e["field"], e["code"]) for e in data["errors"]] == [("files.kk", "berkas_kurang")]


def test_after_the_window_the_resident_is_told_to_apply_again(api: Api, casework) -> None:
    receipt = received(api)
    casework.set_status(receipt["tracking_code"], "perlu-perbaikan", note="KK buram.", by="Rina",
                        attachments=["kk"])
    index, _ = api.storage.get_json(layout.tracking_index_key(receipt["tracking_code"]))
    record, etag = api.storage.get_json(index["record"])
    record["correction"]["deadline"] = "2020-10-08T23:59:59+07:00"
    api.storage.put_json(index["record"], record, if_match=etag)
    assert status(api, receipt)["correction"]["open"] is False
    data = assert_indonesian_error(correct(api, receipt, {}, [("kk", PDF, "application/pdf")]),
                                   409, "correction_expired")
    assert "Ajukan permohonan baru" in data["message"]


def test_corrections_need_the_status_credential(api: Api, casework) -> None:
    receipt = received(api)
    casework.set_status(receipt["tracking_code"], "perlu-perbaikan", note="x", by="Rina",
                        fields=["nama"])
    wrong = dict(receipt, status_token="AAAA-BBBB-CCCC")
    assert_indonesian_error(correct(api, wrong, {"nama": "Siti"}, []), 404, "status_not_found")
    not_asked = received_other(api)
    assert_indonesian_error(correct(api, not_asked, {"nama": "Siti"}, []), 409, "correction_closed")


def received_other(api: Api) -> dict:
    from test_trust import received_other as other

    return other(api)


# --------------------------------------------------------------------------- results


def test_a_finished_document_is_downloaded_by_its_holder_only(api: Api, content_dir) -> None:
    receipt = received(api)
    code = receipt["tracking_code"]
    documents = Casework(api.storage, api.module.get_service().forms, sleep=lambda s: None,
                         policy=Policy(cards=frozenset()))  # this test's form issues a PDF
    change = documents.set_status(code, "selesai", note="Silakan unduh dan cetak.", by="Adi",
                                  documents=[ResultFile("Akta Kelahiran.pdf", RESULT_PDF)])
    assert change.record["result"]["kind"] == "document"
    shown = status(api, receipt)
    result = shown["result"]
    assert result["available"] and result["documents"] == [
        {"index": 0, "name": "akta-kelahiran.pdf", "size_text": f"{len(RESULT_PDF)} bita"}]
    link = api.post("/documents", {"tracking_code": code, "token": receipt["status_token"],
                                   "index": 0})
    assert link.status_code == 200, link.body
    answer = body(link)
    got, data, headers = fetch(api, answer["url"])
    assert got == 200 and data == RESULT_PDF
    assert "attachment" in headers.get("Content-Disposition", "")
    history = record_of(api, code)["history"]
    assert history[-1]["event"] == "unduh" and history[-1]["by"] == "pemohon"
    assert status(api, receipt)["history"][-1]["note"].startswith("Dokumen")
    wrong = api.post("/documents", {"tracking_code": code, "token": "AAAA-BBBB-CCCC", "index": 0})
    assert_indonesian_error(wrong, 404, "status_not_found")
    missing = api.post("/documents", {"tracking_code": code, "token": receipt["status_token"],
                                      "index": 3})
    assert_indonesian_error(missing, 410, "document_not_found")
    index, _ = api.storage.get_json(layout.tracking_index_key(code))
    record, etag = api.storage.get_json(index["record"])
    record["result"]["available_until"] = "2020-10-08T23:59:59+07:00"
    api.storage.put_json(index["record"], record, if_match=etag)
    assert status(api, receipt)["result"]["documents"] == []
    expired = api.post("/documents", {"tracking_code": code, "token": receipt["status_token"],
                                      "index": 0})
    assert_indonesian_error(expired, 410, "document_expired")


def test_a_download_link_expires_and_cannot_be_altered(api: Api) -> None:
    if api.backend == "s3":
        pytest.skip("moto does not check presigned GET signatures or expiry")
    storage = api.storage
    storage.put_bytes("applications/x/results/00-a.pdf", RESULT_PDF, content_type="application/pdf")
    url = storage.presign_get("applications/x/results/00-a.pdf", filename="a.pdf", expires_in=60)
    assert fetch(api, url)[0] == 200
    assert fetch(api, url.replace("signature=", "signature=0"))[0] == 403
    from datetime import timedelta

    storage._clock = (lambda now: (lambda: now + timedelta(seconds=61)))(storage.now())
    assert fetch(api, url)[0] == 403


def test_a_card_is_collected_at_the_office_named(api: Api, casework) -> None:
    receipt = received(api)  # the test form is for KTP-el: a card
    with pytest.raises(InvalidInput, match="--collect-at"):
        casework.set_status(receipt["tracking_code"], "selesai", note="", by="Adi")
    casework.set_status(receipt["tracking_code"], "selesai", note="Kartu sudah jadi.", by="Adi",
                        collect_at="dinas", collect_from=date(2099, 1, 5), bring=["KK asli"])
    result = status(api, receipt)["result"]
    assert result["kind"] == "card"
    place = result["collection"]
    assert place["office_name"].startswith("Kantor Dispendukcapil")
    assert place["from_text"] == "Senin, 5 Januari 2099"
    assert place["bring"][-1] == "KK asli" and len(place["bring"]) >= 2


def test_staff_cannot_finish_a_document_service_without_a_valid_pdf(api: Api) -> None:
    receipt = received(api)
    documents = Casework(api.storage, api.module.get_service().forms, sleep=lambda s: None,
                         policy=Policy(cards=frozenset()))
    with pytest.raises(InvalidInput, match="wajib melampirkan dokumen"):
        documents.set_status(receipt["tracking_code"], "selesai", note="", by="Adi")
    with pytest.raises(InvalidInput) as refused:
        documents.set_status(receipt["tracking_code"], "selesai", note="", by="Adi",
                             documents=[ResultFile("akta.pdf", JPEG)])
    assert refused.value.code == "file_type_invalid"
    assert record_of(api, receipt["tracking_code"])["status"] == "diterima"
    assert not [k for k in api.storage.list_keys("applications/") if "/results/" in k]



def test_finished_documents_are_removed_after_their_period(api: Api) -> None:
    from chalicelib.purge import execute_purge, plan_purge
    from chalicelib.retention import RetentionPolicy

    receipt = received(api)
    code = receipt["tracking_code"]
    documents = Casework(api.storage, api.module.get_service().forms, sleep=lambda s: None,
                         policy=Policy(cards=frozenset(), result_available_days=30))
    change = documents.set_status(code, "selesai", note="", by="Adi",
                                  documents=[ResultFile("akta.pdf", RESULT_PDF)])
    [document] = change.record["result"]["documents"]
    assert api.storage.get_tags(document["key"])["portal-kind"] == "hasil"  # the S3 lifecycle rule's
    policy = RetentionPolicy(closed_applications_days=365, access_records_days=730)
    issued = datetime.fromisoformat(change.record["result"]["issued_at"])
    assert plan_purge(api.storage, policy, now=issued + timedelta(days=29)).finished_documents == []
    plan = plan_purge(api.storage, policy, now=issued + timedelta(days=31))
    assert plan.finished_documents == [document["key"]] and plan.applications == []
    execute_purge(api.storage, plan)
    assert api.storage.head(document["key"]) is None
    assert record_of(api, code)["result"]["documents"][0]["sha256"]  # the record remembers it


def test_staff_see_the_current_revision_and_can_see_earlier_ones(api: Api, casework, tmp_path) -> None:
    from chalicelib.casework import at_revision

    receipt = received(api, [("kk", PDF, "application/pdf"), ("foto", JPEG, "image/jpeg")])
    code = receipt["tracking_code"]
    casework.set_status(code, "perlu-perbaikan", note="KK buram.", by="Rina",
                        fields=["keterangan"], attachments=["kk"])
    new_kk = text_pdf("KARTU KELUARGA BARU")
    offer = body(correct(api, receipt, {"keterangan": "Revisi kedua"}, [("kk", new_kk, "application/pdf")]))
    api.upload(offer["uploads"][0], new_kk)
    api.post(f"/corrections/{offer['submission_id']}/complete", {"idempotency_key": "kunci-perbaikan-uji-0001"})
    record = record_of(api, code)
    first, second = at_revision(record, 1), at_revision(record, None)
    assert first["values"]["keterangan"] == VALUES["keterangan"] and second["values"]["keterangan"] == "Revisi kedua"
    kk_then = next(f for f in first["files"] if f["attachment"] == "kk")
    assert api.storage.read_bytes(kk_then["key"]) == PDF
    done = casework.download(code, tmp_path, revision=1)
    assert done.folder == tmp_path / code / "revisi-1"
    assert (done.folder / "files" / kk_then["key"].rsplit("/", 1)[-1]).read_bytes() == PDF
    current = casework.download(code, tmp_path)
    assert any(p.read_bytes() == new_kk for p in current.files)
    with pytest.raises(InvalidInput, match="tidak punya revisi 3"):
        at_revision(record, 3)
