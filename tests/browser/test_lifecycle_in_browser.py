"""After the receipt, in Chromium: staff ask for a fix, the resident fixes it from the
status page, staff finish with a PDF (downloaded byte for byte) or a card to collect;
a rejection, a closed correction window, an expired document and a locked code each
read clearly. axe-core checks every new page state (no serious or critical violation).

Staff act through the real `portal set-status` command on the test server's storage
(journey.staff); `journey.outbox_step` is where the notifications' outbox is checked.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from journey import (
    apply_by_api,
    apply_in_browser,
    open_status,
    outbox_step,
    record,
    staff,
    stored_bytes,
    update_record,
)
from playwright.sync_api import expect
from samples import make_pdf
from test_accessibility import serious

pytestmark = pytest.mark.browser

NOTE = "Foto KK buram; unggah ulang. Tulis juga nama anak yang ditambahkan."
PAST = "2020-10-08T23:59:59+07:00"


def state(page, name: str):
    return page.locator(f'[data-status-state~="{name}"]')


def status_label(page) -> str:
    return page.locator('#portal-status-result [data-status-field="status_label"]').inner_text()


# --------------------------------------------------------------------------- the journey


def test_fix_on_the_status_page_then_download_the_finished_document(context, portal, tmp_path):
    page = context.new_page()
    receipt = apply_in_browser(page, portal, "kk-perubahan", "jalan")
    code = receipt["code"]
    first = record(portal, code)
    outbox_step(portal, code, "diterima")

    # Staff ask for a better KK scan and a clearer explanation.
    staff(portal, code, "perlu-perbaikan", "--note", NOTE, "--field", "keterangan", "--attachment", "kartu_keluarga")
    outbox_step(portal, code, "perlu_perbaikan")
    open_status(page, receipt)
    asked = state(page, "perlu_perbaikan")
    expect(asked).to_be_visible()
    assert status_label(page) == "Perlu perbaikan"
    assert asked.locator(".portal-note__text").inner_text() == NOTE
    assert asked.locator("[data-correction-list] li").all_inner_texts() == [
        "Pertanyaan: Penjelasan perubahan", "Dokumen: Kartu Keluarga"]
    assert asked.locator("[data-correction-open] [data-correction-field=deadline_text]").inner_text().endswith("WIB")
    assert serious(page) == [], "status: perlu perbaikan"

    # The form page in correction mode: only what was asked, nothing else.
    asked.get_by_role("link", name="Perbaiki permohonan").click()
    page.wait_for_url("**/formulir/kk-perubahan/#perbaikan")
    page.locator("[data-correction-ready]").wait_for()
    assert page.get_by_role("heading", level=1).inner_text() == "Perbaiki permohonan"
    assert page.locator("[data-correction-ready] .portal-note__text").inner_text() == NOTE
    shown = page.locator("#portal-form [data-field]:visible")
    assert [shown.nth(i).get_attribute("data-field") for i in range(shown.count())] == [
        "keterangan", "files.kartu_keluarga"]
    assert page.locator('[data-field="files.kartu_keluarga"] .portal-label').inner_text() == "Kartu Keluarga"
    assert page.locator("#portal-draft").is_hidden()  # a correction keeps no draft
    assert serious(page) == [], "correction: fresh"

    page.get_by_role("button", name="Lanjutkan").click()
    summary = page.locator(".portal-error-summary")
    expect(summary).to_be_visible()
    assert summary.locator("li").all_inner_texts() == ["Masukkan penjelasan perubahan", "Unggah Kartu Keluarga"]
    assert page.title().startswith("Galat: Perbaiki permohonan")
    assert serious(page) == [], "correction: errors"

    explanation = "Menambah anak kedua, Aisyah Putri, lahir 3 Maret 2020."
    new_scan = make_pdf("kk-perubahan-jelas")
    page.fill("#f-keterangan", explanation)
    page.set_input_files("#f-files-kartu_keluarga",
                         files=[{"name": "kk-jelas.pdf", "mimeType": "application/pdf", "buffer": new_scan}])
    page.get_by_role("button", name="Lanjutkan").click()
    check = page.locator("#portal-step-check")
    page.get_by_role("heading", name="Periksa kembali perbaikan Anda").wait_for()
    assert check.locator("dt").all_inner_texts() == ["Penjelasan perubahan", "Kartu Keluarga"]
    assert serious(page) == [], "correction: check"
    page.get_by_role("button", name="Kirim perbaikan").click()

    # Back on the status page: the correction is in the staff queue.
    page.wait_for_url("**/formulir/status/", timeout=30_000)
    notice = page.locator("[data-status-notice]")
    expect(notice).to_be_visible()
    assert notice.get_by_role("heading").inner_text() == "Perbaikan terkirim"
    assert status_label(page) == "Sudah diperbaiki"
    expect(state(page, "diperbaiki")).to_be_visible()
    assert serious(page) == [], "status: diperbaiki"
    stored = record(portal, code)
    assert stored["tracking_code"] == code and stored["status"] == "diperbaiki"
    assert [r["revision"] for r in stored["revisions"]] == [1, 2]
    assert stored["values"]["keterangan"] == explanation
    assert stored["revisions"][0]["values"] == first["values"]  # nothing overwritten
    kk = [f for f in stored["files"] if f["attachment"] == "kartu_keluarga"]
    assert [stored_bytes(portal, f["key"]) for f in kk] == [new_scan]
    old = [f for f in first["files"] if f["attachment"] == "kartu_keluarga"]
    assert all(stored_bytes(portal, f["key"]) for f in old)  # the first scans are kept
    outbox_step(portal, code, "diperbaiki")

    # Staff finish with the signed PDF; the resident downloads exactly those bytes.
    signed = make_pdf("KK baru bertanda tangan elektronik")
    (tmp_path / "KK Baru.pdf").write_bytes(signed)
    staff(portal, code, "selesai", "--note", "KK baru sudah terbit.", "--document", str(tmp_path / "KK Baru.pdf"))
    outbox_step(portal, code, "dokumen_siap")
    page.reload()
    ready = state(page, "selesai-document")
    expect(ready).to_be_visible()
    assert "kertas HVS ukuran A4" in ready.inner_text() and "kode QR" in ready.inner_text()
    assert ready.locator("[data-documents-available] [data-result-field]").inner_text().endswith("WIB")
    assert page.locator("[data-status-notice]").is_hidden()
    assert serious(page) == [], "status: selesai, document"
    with page.expect_download() as download:
        ready.get_by_role("button", name="Unduh kk-baru.pdf").click()
    assert download.value.suggested_filename == "kk-baru.pdf"
    assert Path(download.value.path()).read_bytes() == signed
    assert record(portal, code)["history"][-1]["event"] == "unduh"


def test_a_card_says_where_and_from_when_to_collect_it(context, portal):
    receipt = apply_by_api(portal, "ktp-el-baru", "kartu-uji-000000001")
    code = receipt["code"]
    staff(portal, code, "selesai", "--note", "KTP-el sudah dicetak.", "--collect-at", "dinas",
          "--collect-from", "2099-01-05", "--bring", "Kartu Keluarga asli")
    outbox_step(portal, code, "selesai")
    page = context.new_page()
    open_status(page, receipt)
    card = state(page, "selesai-card")
    expect(card).to_be_visible()
    assert card.get_by_role("link", name="Kantor Dispendukcapil Kabupaten Semarang (Ungaran)").get_attribute(
        "href").endswith("/kantor/dinas/")
    assert card.locator("[data-collection-field=from_text]").inner_text() == "Senin, 5 Januari 2099"
    text = card.inner_text()
    assert "Alamat kantor ini belum diumumkan" in text and "Jam layanan kantor ini belum diumumkan" in text
    assert card.locator("[data-collection-bring] li").all_inner_texts()[-1] == "Kartu Keluarga asli"
    assert serious(page) == [], "status: selesai, card"

    def published(data):
        data["result"]["collection"].update(address="Jalan Diponegoro 1, Ungaran",
                                            hours={"sabtu": "tutup", "senin": "08.00-15.00"})

    update_record(portal, code, published)
    page.reload()
    expect(card).to_be_visible()
    assert card.locator("[data-collection-field=address]").inner_text() == "Jalan Diponegoro 1, Ungaran"
    assert card.locator("[data-collection-hours] li").all_inner_texts() == ["Senin: 08.00-15.00", "Sabtu: tutup"]
    assert card.locator('[data-collection-missing="hours"]').is_hidden()


def test_a_corrected_nik_is_checked_against_the_answers_already_sent(context, portal):
    """Only the NIK is asked; the server compares it with the date of birth sent before,
    and its warning is confirmed with the same tick box as on a new application."""
    receipt = apply_by_api(portal, "ktp-el-baru", "nik-uji-0000000001")
    staff(portal, receipt["code"], "perlu-perbaikan", "--note", "NIK salah ketik.", "--field", "nik")
    page = context.new_page()
    open_status(page, receipt)
    page.get_by_role("link", name="Perbaiki permohonan").click()
    page.locator("[data-correction-ready]").wait_for()
    page.fill("#f-nik", "3322 0118 0890 0001")  # valid, but says born 18 August; the answer says the 17th
    page.get_by_role("button", name="Lanjutkan").click()
    page.get_by_role("button", name="Kirim perbaikan").click()
    warning = page.locator('[data-field="nik"] .portal-confirm')
    expect(warning).to_be_visible()
    assert "tanggal lahir" in warning.inner_text().lower()
    assert page.locator(".portal-error-summary--warning").is_visible()
    assert serious(page) == [], "correction: a warning to confirm"
    warning.get_by_role("checkbox").check()
    page.get_by_role("button", name="Lanjutkan").click()
    page.get_by_role("button", name="Kirim perbaikan").click()
    page.wait_for_url("**/formulir/status/", timeout=30_000)
    expect(state(page, "diperbaiki")).to_be_visible()
    stored = record(portal, receipt["code"])
    assert stored["values"]["nik"] == "3322011808900001"
    assert stored["values"]["tanggal_lahir"] == "1990-08-17"  # not asked, not changed


# --------------------------------------------------------------------------- dead ends, said plainly


def test_after_the_deadline_the_resident_is_told_to_apply_again(context, portal):
    receipt = apply_by_api(portal, "kk-perubahan", "tenggat-uji-0000001")
    code = receipt["code"]
    staff(portal, code, "perlu-perbaikan", "--note", "KK buram.", "--attachment", "kartu_keluarga")
    update_record(portal, code, lambda data: data["correction"].update(deadline=PAST))
    page = context.new_page()
    open_status(page, receipt)
    closed = state(page, "perlu_perbaikan").locator("[data-correction-closed]")
    expect(closed).to_be_visible()
    assert state(page, "perlu_perbaikan").locator("[data-correction-open]").is_hidden()
    assert "Batas waktu perbaikan sudah lewat" in closed.inner_text()
    assert closed.get_by_role("link", name="formulir Permohonan perubahan Kartu Keluarga").get_attribute(
        "href").endswith("/formulir/kk-perubahan/")
    assert serious(page) == [], "status: correction window closed"

    page.goto(f"{portal.url}formulir/kk-perubahan/#perbaikan")  # e.g. a bookmark of the correction page
    problem = page.locator("[data-correction-problem]")
    expect(problem).to_be_visible()
    assert "sudah lewat" in problem.inner_text()
    assert problem.get_by_role("link", name="ajukan permohonan baru").is_visible()
    assert page.locator("#portal-step-form").is_hidden()
    assert serious(page) == [], "correction page: window closed"


def test_a_fix_asked_before_online_corrections_shows_the_note_only(context, portal):
    receipt = apply_by_api(portal, "kk-baru", "lama-uji-000000001")
    staff(portal, receipt["code"], "perlu-perbaikan", "--note", "Datang ke kantor membawa KK asli.",
          "--attachment", "kartu_keluarga_lama")
    update_record(portal, receipt["code"], lambda data: data.pop("correction"))  # as records from before
    page = context.new_page()
    open_status(page, receipt)
    asked = state(page, "perlu_perbaikan")
    expect(asked).to_be_visible()
    assert asked.locator(".portal-note__text").inner_text() == "Datang ke kantor membawa KK asli."
    assert asked.locator("[data-correction-open]").is_hidden()
    assert asked.locator("[data-correction-closed]").is_hidden()


def test_the_correction_page_needs_the_status_credential(context, portal):
    page = context.new_page()
    page.goto(f"{portal.url}formulir/kk-perubahan/#perbaikan")
    problem = page.locator("[data-correction-problem]")
    expect(problem).to_be_visible()
    assert "kode pelacakan dan token status" in problem.inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "Perbaiki permohonan"
    assert page.locator("#portal-step-form").is_hidden()
    assert serious(page) == [], "correction page: no credential"


def test_a_new_application_shows_nothing_of_the_correction_mode(context, portal):
    page = context.new_page()
    page.goto(f"{portal.url}formulir/kk-perubahan/")
    page.locator("#portal-draft").wait_for()
    assert page.get_by_role("heading", level=1).inner_text() == "Permohonan perubahan Kartu Keluarga"
    for hidden in ("#portal-correction", ".portal-caption"):
        assert page.locator(hidden).is_hidden(), hidden
    assert page.locator("#portal-form [data-field]:visible").count() == 13  # 8 questions, 5 attachments


def test_a_rejection_gives_the_reason(context, portal):
    receipt = apply_by_api(portal, "pindah", "tolak-uji-000000001")
    reason = "Alamat tujuan berada di luar wilayah yang dilayani kantor ini."
    staff(portal, receipt["code"], "ditolak", "--note", reason)
    outbox_step(portal, receipt["code"], "ditolak")
    page = context.new_page()
    open_status(page, receipt)
    rejected = state(page, "ditolak")
    expect(rejected).to_be_visible()
    assert rejected.locator("[data-rejection-reason]").inner_text() == reason
    assert rejected.get_by_role("link", name="formulir Permohonan pindah atau datang").is_visible()
    assert serious(page) == [], "status: ditolak"


def test_an_expired_document_says_to_ask_the_office(context, portal, tmp_path):
    receipt = apply_by_api(portal, "akta-kematian", "habis-uji-000000001")
    (tmp_path / "akta.pdf").write_bytes(make_pdf("akta kematian"))
    staff(portal, receipt["code"], "selesai", "--document", str(tmp_path / "akta.pdf"))
    update_record(portal, receipt["code"], lambda data: data["result"].update(available_until=PAST))
    page = context.new_page()
    open_status(page, receipt)
    gone = state(page, "selesai-document").locator("[data-documents-gone]")
    expect(gone).to_be_visible()
    assert "dikirim ulang" in gone.inner_text()
    assert page.get_by_role("button", name="Unduh").count() == 0
    assert serious(page) == [], "status: document no longer available"


def test_a_code_being_guessed_is_locked_with_a_clear_message(context, portal):
    receipt = apply_by_api(portal, "ktp-el-penggantian", "kunci-uji-000000001")
    page = context.new_page()
    page.goto(f"{portal.url}formulir/status/")
    for attempt in range(5):
        page.fill("#f-tracking_code", receipt["code"])
        page.fill("#f-token", f"AAAA-BBBB-CCC{'DEFGH'[attempt]}")
        page.get_by_role("button", name="Cek status").click()
        expect(page.locator('[data-field="token"] .portal-error-message')).to_be_visible()
    page.fill("#f-token", receipt["token"])  # even the right token, while locked
    page.get_by_role("button", name="Cek status").click()
    summary = page.locator(".portal-error-summary li")
    expect(summary).to_contain_text("Terlalu banyak percobaan")
    message = summary.inner_text()
    assert "dikunci sementara" in message and "WIB" in message
    assert page.locator("#portal-status-result").is_hidden()
    assert serious(page) == [], "status: locked"
