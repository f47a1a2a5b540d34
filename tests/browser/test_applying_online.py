"""A resident applies online: every shipped form, filled, checked, sent, stored.

Runs against the real local server (site + API + upload endpoint on one origin,
see conftest.portal) in Debian's Chromium.
"""

from __future__ import annotations

import base64
import json
import re

import pytest
import requests
from buildutil import ROOT
from formfill import KK, NIK, api_values, choose_files, definition, fill_answers, submit_by_api
from playwright.sync_api import expect
from samples import sample

pytestmark = pytest.mark.browser

FORM_IDS = sorted(p.stem for p in (ROOT / "content" / "forms").glob("*.yml"))
TRACKING_CODE = re.compile(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}")


def open_form(context, portal, form_id: str):
    page = context.new_page()
    page.goto(f"{portal.url}formulir/{form_id}/")
    return page


def go_to_check(page) -> None:
    page.get_by_role("button", name="Lanjutkan").click()
    page.get_by_role("heading", name="Periksa kembali jawaban Anda").wait_for()


def send(page) -> None:
    page.get_by_role("button", name="Kirim permohonan").click()
    page.wait_for_url("**/formulir/terkirim/", timeout=30_000)


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_every_form_is_sent_and_stored_byte_for_byte(context, portal, form_id):
    page = open_form(context, portal, form_id)
    spec = definition(page)
    fill_answers(page, spec)
    files = choose_files(page, spec, form_id)
    go_to_check(page)

    check = page.locator("#portal-step-check")
    questions = check.locator("dt").all_inner_texts()
    assert questions == [f["label"] for f in spec["fields"]] + [a["label"] for a in spec["attachments"]]
    for name in files:
        assert check.get_by_text(re.compile(re.escape(name))).count() == 1, name
    assert check.get_by_role("link", name=re.compile("^Ubah")).count() == len(spec["fields"]) + len(spec["attachments"])

    send(page)
    code = page.locator(".portal-code").inner_text()
    assert TRACKING_CODE.fullmatch(code)
    assert page.locator("[data-receipt-field=form_title]").inner_text() == spec["title"]
    token = page.locator(".portal-token").inner_text()
    assert len(token) == 14 and token[4] == token[9] == "-"

    [record_path] = portal.storage.glob(f"applications/*/{form_id}/{code}/record.json")
    record = json.loads(record_path.read_text(encoding="utf-8"))
    assert record["form_id"] == form_id and record["status"] == "diterima"
    for field in spec["fields"]:
        if field["type"] == "nik":
            assert record["values"][field["id"]] == NIK
        if field["type"] == "kk":
            assert record["values"][field["id"]] == KK
        if field["type"] == "date":
            assert record["values"][field["id"]] == "1990-08-17"
    assert len(record["files"]) == len(files)
    for stored in record["files"]:
        sent = files[stored["name"]]
        assert (portal.storage / stored["key"]).read_bytes() == sent["buffer"], stored["name"]
        assert stored["type"] == sent["mimeType"]
    # The draft of this form is gone once it is sent.
    assert page.evaluate("() => Object.keys(sessionStorage).filter(k => k.startsWith('portal-draft'))") == []


# --------------------------------------------------------------------------- errors, the GOV.UK way

NIK_SERIAL_0000 = "4 angka terakhir NIK tidak boleh 0000. Periksa lagi di KTP-el atau Kartu Keluarga"


def test_invalid_nik_is_shown_beside_the_field_and_in_the_summary(context, portal):
    page = open_form(context, portal, "ktp-el-baru")
    title = page.title()
    spec = definition(page)
    fill_answers(page, spec, nik="3322 0117 0890 0000")
    choose_files(page, spec, "nik")
    page.get_by_role("button", name="Lanjutkan").click()

    summary = page.locator(".portal-error-summary")
    summary.wait_for()
    assert summary.locator("h2").inner_text() == "Ada yang perlu diperbaiki"
    link = summary.get_by_role("link", name=NIK_SERIAL_0000)
    assert link.get_attribute("href") == "#f-nik"
    assert page.evaluate("() => document.activeElement.classList.contains('portal-error-summary')")
    assert page.title() == "Galat: " + title

    beside = page.locator('[data-field="nik"] .portal-error-message')
    assert beside.text_content() == "Galat: " + NIK_SERIAL_0000
    assert page.locator("#f-nik").get_attribute("aria-describedby") == "f-nik-hint f-nik-error"
    assert page.locator("#f-nik").get_attribute("aria-invalid") == "true"
    link.click()
    assert page.evaluate("() => document.activeElement.id") == "f-nik"

    page.fill("#f-nik", "3322011708900001")
    go_to_check(page)
    assert page.locator(".portal-error-summary").count() == 0
    assert page.title().startswith("Periksa kembali jawaban Anda")


def test_every_missing_answer_is_listed_in_page_order(context, portal):
    page = open_form(context, portal, "ktp-el-baru")
    spec = definition(page)
    page.get_by_role("button", name="Lanjutkan").click()
    items = page.locator(".portal-error-summary li").all_inner_texts()
    required = [f for f in spec["fields"] if f["required"]]
    assert items == [f["messages"]["wajib_diisi"] for f in required] + ["Unggah Kartu Keluarga"]
    assert page.locator(".portal-field--error").count() == len(required) + 1


def test_a_nik_that_disagrees_with_sex_is_confirmed_not_refused(context, portal):
    page = open_form(context, portal, "ktp-el-baru")
    spec = definition(page)
    fill_answers(page, spec, jenis_kelamin="P")  # the NIK says a man
    choose_files(page, spec, "konfirmasi")
    page.get_by_role("button", name="Lanjutkan").click()
    summary = page.locator(".portal-error-summary")
    summary.wait_for()
    assert summary.locator("h2").inner_text() == "Periksa lagi sebelum melanjutkan"
    message = spec["fields"][0]["messages"]["nik_jenis_kelamin_berbeda"]
    assert summary.get_by_role("link").all_inner_texts() == [message]
    page.get_by_label("Ya, sudah saya periksa dan keduanya benar").check()
    go_to_check(page)
    send(page)
    code = page.locator(".portal-code").inner_text()
    [record] = portal.storage.glob(f"applications/*/ktp-el-baru/{code}/record.json")
    assert json.loads(record.read_text())["confirmed_warnings"] == ["nik:nik_jenis_kelamin_berbeda"]


def test_errors_the_server_finds_are_shown_the_same_way(context, portal):
    # The browser believes it is the year 2100, so a date in 2050 passes its own
    # check; the server knows today and refuses it with a 422.
    context.add_init_script("window.PORTAL_TODAY = '2100-01-01';")
    page = open_form(context, portal, "akta-kematian")
    spec = definition(page)
    fill_answers(page, spec, tanggal_kematian=("1", "1", "2050"))
    choose_files(page, spec, "server")
    go_to_check(page)
    page.get_by_role("button", name="Kirim permohonan").click()
    message = next(f for f in spec["fields"] if f["id"] == "tanggal_kematian")["messages"]["tanggal_di_masa_depan"]
    summary = page.locator(".portal-error-summary")
    summary.wait_for()
    assert summary.get_by_role("link").all_inner_texts() == [message]
    assert page.locator('[data-field="tanggal_kematian"] .portal-error-message').text_content() == "Galat: " + message
    assert page.locator("#portal-step-form").is_visible()
    assert page.locator("#f-tanggal_kematian").get_attribute("aria-invalid") == "true"


# --------------------------------------------------------------------------- files refused before upload


def test_oversized_and_wrong_type_files_are_refused_before_any_upload(context, portal):
    page = open_form(context, portal, "ktp-el-baru")
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    spec = definition(page)
    fill_answers(page, spec)
    limit = spec["attachments"][0]["max_bytes"]
    big = sample("pdf", "besar")
    big["buffer"] += b"\n%" + b"0" * (limit - 1 - len(big["buffer"]))  # one byte over the limit
    assert len(big["buffer"]) == limit + 1
    gif = {"name": "foto.gif", "mimeType": "image/gif", "buffer": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"}
    page.set_input_files('input[name="files.kartu_keluarga"]', files=[big])
    page.set_input_files('input[name="files.buku_nikah"]', files=[gif])
    page.get_by_role("button", name="Lanjutkan").click()

    kk = spec["attachments"][0]["messages"]["berkas_terlalu_besar"]
    marriage = spec["attachments"][1]["messages"]["berkas_jenis_tidak_diterima"]
    assert kk == "Berkas untuk Kartu Keluarga harus lebih kecil dari 5 MB"
    assert marriage == "Berkas untuk Buku Nikah atau Akta Perkawinan harus berupa PDF, JPG, atau PNG"
    summary = page.locator(".portal-error-summary")
    assert summary.get_by_role("link").all_inner_texts() == [kk, marriage]
    assert summary.get_by_role("link", name=kk).get_attribute("href") == "#f-files-kartu_keluarga"
    assert page.locator('[data-field="files.buku_nikah"] .portal-error-message').text_content() == "Galat: " + marriage

    # A GIF renamed to .png is caught by its first bytes.
    page.set_input_files('input[name="files.kartu_keluarga"]', files=[sample("pdf", "kecil")])
    page.set_input_files('input[name="files.buku_nikah"]', files=[dict(gif, name="foto.png", mimeType="image/png")])
    page.get_by_role("button", name="Lanjutkan").click()
    page.locator(".portal-error-summary").wait_for()
    assert page.locator(".portal-error-summary").get_by_role("link").all_inner_texts() == [marriage]
    assert sent == []  # neither the API nor /upload was called


def test_the_server_refuses_a_wrong_type_when_the_browser_check_is_bypassed(portal):
    gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    with requests.Session() as http:
        # Declared as a PNG, so create accepts it; the bytes are a GIF.
        _, done = submit_by_api(http, portal.url, "ktp-el-baru", [("kartu_keluarga", gif, "image/png")],
                                key="bypass-gif-as-png-0001-kunci")
        assert done.status_code == 422
        body = done.json()
        assert body["code"] == "files_invalid"
        assert [e["code"] for e in body["errors"]] == ["file_type_invalid"]
        assert body["errors"][0]["field"] == "files.kartu_keluarga"
        # Declared honestly as a GIF, it is refused before any upload URL is given.
        spec = http.get(f"{portal.url}api/forms/ktp-el-baru", timeout=10).json()
        refused = http.post(f"{portal.url}api/submissions", timeout=10, json={
            "form_id": "ktp-el-baru", "idempotency_key": "bypass-gif-0002-kunci-uji", "values": api_values(spec),
            "files": [{"attachment": "kartu_keluarga", "name": "foto.gif", "size": len(gif), "type": "image/gif"}]})
        assert refused.status_code == 422
        assert [e["code"] for e in refused.json()["errors"]] == ["berkas_jenis_tidak_diterima"]
    assert not list(portal.storage.glob("applications/*/ktp-el-baru/*/files/*.gif"))


# --------------------------------------------------------------------------- drafts


def draft_keys(page, area: str) -> list[str]:
    return page.evaluate(f"() => Object.keys({area}).filter(k => k.startsWith('portal-draft'))")


def test_a_reload_keeps_the_typed_draft_in_this_tab_only(context, portal):
    page = open_form(context, portal, "ktp-el-baru")
    page.fill("#f-nik", NIK)
    page.fill("#f-nama_lengkap", "Siti Aminah")
    page.fill("#f-tanggal_lahir-bulan", "8")
    page.check("#f-jenis_kelamin")
    page.select_option("#f-kecamatan", "bawen")
    page.set_input_files('input[name="files.kartu_keluarga"]', files=[sample("pdf", "draf")])
    page.reload()

    expect(page.locator("#f-nik")).to_have_value(NIK)
    expect(page.locator("#f-nama_lengkap")).to_have_value("Siti Aminah")
    expect(page.locator("#f-tanggal_lahir-bulan")).to_have_value("8")
    assert page.is_checked("#f-jenis_kelamin")
    expect(page.locator("#f-kecamatan")).to_have_value("bawen")
    assert page.eval_on_selector('input[name="files.kartu_keluarga"]', "n => n.files.length") == 0
    assert "dipulihkan" in page.locator("#portal-draft-status").inner_text()
    assert draft_keys(page, "sessionStorage") == ["portal-draft:ktp-el-baru"]
    assert draft_keys(page, "localStorage") == []  # a shared computer keeps nothing
    stored = page.evaluate("() => sessionStorage.getItem('portal-draft:ktp-el-baru')")
    assert "draf.pdf" not in stored  # files are never part of the draft

    other_tab = context.new_page()  # a new tab has its own sessionStorage: no draft there
    other_tab.goto(f"{portal.url}formulir/ktp-el-baru/")
    expect(other_tab.locator("#f-nik")).to_have_value("")

    page.get_by_role("button", name="Hapus draf").click()
    expect(page.locator("#f-nik")).to_have_value(NIK)  # it asks first (tests/browser/test_phone.py)
    page.get_by_role("button", name="Ya, hapus isian").click()
    expect(page.locator("#f-nik")).to_have_value("")
    assert draft_keys(page, "sessionStorage") == []
    page.reload()
    expect(page.locator("#f-nik")).to_have_value("")


def test_a_draft_kept_on_the_device_survives_a_new_tab_and_goes_after_sending(context, portal):
    page = open_form(context, portal, "pindah")
    page.get_by_label("Simpan draf di perangkat ini").check()
    spec = definition(page)
    fill_answers(page, spec)
    assert draft_keys(page, "localStorage") == ["portal-draft:pindah"]
    assert draft_keys(page, "sessionStorage") == []

    page.close()
    page = open_form(context, portal, "pindah")
    expect(page.locator("#f-nik")).to_have_value("3322 0117 0890 0001")
    assert page.is_checked("#portal-draft-keep")
    choose_files(page, spec, "simpan")
    go_to_check(page)
    send(page)
    assert draft_keys(page, "localStorage") == []
    assert draft_keys(page, "sessionStorage") == []


# --------------------------------------------------------------------------- uploads that fail


def test_a_failed_upload_is_retried_and_the_submission_completes_once(context, portal):
    page = open_form(context, portal, "kk-perubahan")
    spec = definition(page)
    fill_answers(page, spec)
    files = choose_files(page, spec, "ulang")
    attempts = []

    def flaky(route):
        attempts.append(route.request.url)
        if len(attempts) == 1:
            route.abort("connectionreset")
        elif len(attempts) == 2:
            route.fulfill(status=500, body="<Error><Code>InternalError</Code></Error>")
        else:
            route.continue_()

    page.route("**/upload", flaky)
    before = len(portal.records("kk-perubahan"))
    go_to_check(page)
    send(page)
    assert len(attempts) == len(files) + 2
    assert len(portal.records("kk-perubahan")) == before + 1
    code = page.locator(".portal-code").inner_text()
    assert len(list(portal.storage.glob(f"applications/*/kk-perubahan/{code}/record.json"))) == 1


def test_a_file_that_keeps_failing_can_be_sent_again_by_hand(context, portal):
    page = open_form(context, portal, "akta-kematian")
    spec = definition(page)
    fill_answers(page, spec)
    files = choose_files(page, spec, "manual")
    page.route("**/upload", lambda route: route.abort("internetdisconnected"))
    before = len(portal.records("akta-kematian"))
    go_to_check(page)
    page.get_by_role("button", name="Kirim permohonan").click()
    status = page.locator("#portal-send-status")
    expect(status).to_have_text(re.compile("berkas belum terkirim"), timeout=30_000)
    assert status.get_attribute("role") == "alert"
    assert page.locator(".portal-upload progress").count() == len(files)
    assert page.locator(".portal-upload--failed").count() == len(files)
    retry = page.get_by_role("button", name=re.compile("^Coba lagi mengunggah"))
    assert retry.count() == len(files)
    assert len(portal.records("akta-kematian")) == before

    page.unroute("**/upload")
    retry.first.click()
    page.wait_for_url("**/formulir/terkirim/", timeout=30_000)
    assert len(portal.records("akta-kematian")) == before + 1


# --------------------------------------------------------------------------- without JavaScript


def test_the_form_reads_without_javascript(browser, portal):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{portal.url}formulir/ktp-el-baru/")
        notice = page.locator("noscript .portal-inset")  # Playwright's text search skips <noscript>
        assert notice.is_visible()
        assert "Untuk mengirim formulir ini, JavaScript di browser Anda harus aktif." in notice.inner_text()
        assert page.get_by_label("NIK", exact=True).get_attribute("inputmode") == "numeric"
        assert page.get_by_label("Alamat email (opsional)").get_attribute("autocomplete") == "email"
        assert page.get_by_label("Nomor HP (WhatsApp)").get_attribute("type") == "tel"
        assert page.get_by_text("PDF, JPG, atau PNG, paling besar 5 MB; paling banyak 2 berkas.").is_visible()
        assert not page.get_by_role("button", name="Lanjutkan").is_visible()
        assert page.locator("#portal-form").get_attribute("method") == "post"
    finally:
        context.close()


def test_the_sample_images_are_real_images(context):
    page = context.new_page()
    decode = """async ([type, data]) => {
      const image = new Image();
      image.src = `data:${type};base64,${data}`;
      await image.decode();
      return [image.naturalWidth, image.naturalHeight];
    }"""
    for kind in ("jpg", "png"):
        payload = sample(kind, "gambar")
        size = page.evaluate(decode, [payload["mimeType"], base64.b64encode(payload["buffer"]).decode()])
        assert size == [16, 16], kind
