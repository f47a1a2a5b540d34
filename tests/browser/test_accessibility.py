"""axe-core (axe-playwright-python, run offline in Chromium): no serious or
critical violations on the resident's pages, in the states they are read in.

No rule is disabled. Fixes made for axe: Material's search dialog gets a name
(site/overrides/partials/search.html), links in text are underlined and the
footer text has 4.5:1 contrast (site/overrides/assets/portal.css).
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from formfill import choose_files, definition, fill_answers

pytestmark = pytest.mark.browser

AXE = Axe()


def serious(page) -> list[str]:
    # Let transitions settle first (Material fades its back-to-top button in):
    # a colour measured half way through a fade says nothing about the page.
    page.evaluate("() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)))")
    results = AXE.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("path", ["", "layanan/ktp-el-baru/", "formulir/", "formulir/ktp-el-baru/",
                                  "formulir/status/", "formulir/terkirim/", "kontak/", "kantor/bawen/",
                                  "data-terbuka/", "halaman-yang-tidak-ada/"])
def test_pages_as_first_read(context, portal, path):
    page = context.new_page()
    page.goto(portal.url + path)
    assert serious(page) == []


def test_form_with_errors_check_step_and_receipt(context, portal):
    page = context.new_page()
    page.goto(portal.url + "formulir/akta-kelahiran/")
    page.get_by_role("button", name="Lanjutkan").click()
    page.locator(".portal-error-summary").wait_for()
    assert serious(page) == [], "form with errors"

    spec = definition(page)
    fill_answers(page, spec, nik_ibu="3322 0117 0890 0001", jenis_kelamin_anak="P")
    choose_files(page, spec, "axe")
    page.get_by_role("button", name="Lanjutkan").click()
    page.get_by_role("heading", name="Periksa kembali jawaban Anda").wait_for()
    assert serious(page) == [], "check your answers"

    page.get_by_role("button", name="Kirim permohonan").click()
    page.wait_for_url("**/formulir/terkirim/", timeout=30_000)
    page.locator(".portal-code").wait_for()
    assert serious(page) == [], "receipt"


def test_status_check_with_an_error(context, portal):
    page = context.new_page()
    page.goto(portal.url + "formulir/status/")
    page.get_by_role("button", name="Cek status").click()
    page.locator(".portal-error-summary").wait_for()
    assert serious(page) == []
