"""README screenshots, taken from the real pages (only when asked):

    PORTAL_SCREENSHOTS=1 .venv/bin/pytest -q tests/browser/test_screenshots.py

writes docs/screenshots/form.png (a form with the error summary) and
docs/screenshots/receipt.png, at a phone's width.
"""

from __future__ import annotations

import os

import pytest
from buildutil import ROOT
from formfill import choose_files, definition, fill_answers

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.environ.get("PORTAL_SCREENSHOTS"), reason="set PORTAL_SCREENSHOTS=1 to refresh them"),
]

OUT = ROOT / "docs" / "screenshots"


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
