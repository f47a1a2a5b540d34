"""README screenshots, taken from the real pages (only when asked):

    PORTAL_SCREENSHOTS=1 .venv/bin/pytest -q tests/browser/test_screenshots.py

writes docs/screenshots/form.png (a form with the error summary),
docs/screenshots/receipt.png, fix.png (a correction staff asked for, on the form
page in correction mode) and download.png (a finished document on the status
page), at a phone's width.
"""

from __future__ import annotations

import os

import pytest
from buildutil import ROOT
from formfill import choose_files, definition, fill_answers
from journey import apply_by_api, open_status, staff
from samples import make_pdf

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.environ.get("PORTAL_SCREENSHOTS"), reason="set PORTAL_SCREENSHOTS=1 to refresh them"),
]

OUT = ROOT / "docs" / "screenshots"


def settle(page) -> None:
    page.evaluate("() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)))")


def test_take_screenshots(browser, portal):
    OUT.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 420, "height": 860}, locale="id-ID")
    try:
        page = context.new_page()
        page.goto(portal.url + "formulir/ktp-el-baru/")
        spec = definition(page)
        fill_answers(page, spec, nik="3322 0117 0890 0000")
        page.fill("#f-nama_lengkap", "")
        page.get_by_role("button", name="Lanjutkan").click()
        page.locator(".portal-error-summary").wait_for()
        page.evaluate("() => window.scrollTo(0, 0)")
        page.evaluate("() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)))")
        page.screenshot(path=OUT / "form.png")

        page.fill("#f-nik", "3322 0117 0890 0001")
        page.fill("#f-nama_lengkap", "Siti Aminah")
        choose_files(page, spec, "contoh")
        page.get_by_role("button", name="Lanjutkan").click()
        page.get_by_role("button", name="Kirim permohonan").click()
        page.wait_for_url("**/formulir/terkirim/", timeout=30_000)
        page.locator(".portal-code").wait_for()
        page.evaluate("() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)))")
        page.screenshot(path=OUT / "receipt.png")
    finally:
        context.close()
    for name in ("form.png", "receipt.png"):
        assert (OUT / name).stat().st_size < 200_000


def test_take_lifecycle_screenshots(browser, portal, tmp_path):
    OUT.mkdir(parents=True, exist_ok=True)
    receipt = apply_by_api(portal, "kk-perubahan", "gambar-uji-0000001")
    staff(portal, receipt["code"], "perlu-perbaikan", "--note", "Foto KK buram dan terpotong; unggah ulang "
          "foto seluruh halaman KK yang jelas.", "--attachment", "kartu_keluarga")
    context = browser.new_context(viewport={"width": 420, "height": 1000}, locale="id-ID")
    try:
        page = context.new_page()
        open_status(page, receipt)
        page.get_by_role("link", name="Perbaiki permohonan").click()
        page.locator("[data-correction-ready]").wait_for()
        page.evaluate("() => window.scrollTo(0, 0)")
        settle(page)
        page.screenshot(path=OUT / "fix.png")

        page.set_input_files("#f-files-kartu_keluarga", files=[
            {"name": "kk-jelas.pdf", "mimeType": "application/pdf", "buffer": make_pdf("kk")}])
        page.get_by_role("button", name="Lanjutkan").click()
        page.get_by_role("button", name="Kirim perbaikan").click()
        page.wait_for_url("**/formulir/status/", timeout=30_000)
        (tmp_path / "kk.pdf").write_bytes(make_pdf("KK baru"))
        staff(portal, receipt["code"], "selesai", "--note", "KK baru sudah terbit.", "--document",
              str(tmp_path / "kk.pdf"))
        page.reload()
        ready = page.locator('[data-status-state~="selesai-document"]')
        ready.wait_for()
        page.evaluate("() => document.activeElement.blur()")
        page.evaluate("""() => {
            const tag = document.querySelector('[data-status-field=status_label]');
            window.scrollTo(0, tag.getBoundingClientRect().top + window.scrollY - 110);
        }""")
        settle(page)
        page.screenshot(path=OUT / "download.png")
    finally:
        context.close()
    for name in ("fix.png", "download.png"):
        assert (OUT / name).stat().st_size < 200_000
