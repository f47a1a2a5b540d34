"""The status check: tracking code and token from the receipt give the status."""

from __future__ import annotations

import re

import pytest
from formfill import choose_files, definition, fill_answers
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WRONG = "Kode pelacakan atau token tidak cocok. Periksa kembali keduanya seperti tertulis pada tanda terima."


@pytest.fixture(scope="module")
def receipt(browser, portal) -> dict:
    """One real application sent through the form; its receipt as the page shows it."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{portal.url}formulir/pindah/")
    spec = definition(page)
    fill_answers(page, spec)
    choose_files(page, spec, "status")
    page.get_by_role("button", name="Lanjutkan").click()
    page.get_by_role("button", name="Kirim permohonan").click()
    page.wait_for_url("**/formulir/terkirim/", timeout=30_000)
    shown = {"code": page.locator(".portal-code").inner_text(), "token": page.locator(".portal-token").inner_text(),
             "link": page.get_by_role("link", name="mengecek status permohonan").get_attribute("href")}
    context.close()
    return shown


def check(page, code: str, token: str) -> None:
    page.fill("#f-tracking_code", code)
    page.fill("#f-token", token)
    page.get_by_role("button", name="Cek status").click()


def test_the_receipt_links_to_the_status_check_with_its_code(browser, portal, receipt):
    assert receipt["link"].endswith("?kode=" + receipt["code"])


def test_code_and_token_show_the_status_and_history(context, portal, receipt):
    page = context.new_page()
    page.goto(f"{portal.url}formulir/status/?kode={receipt['code']}")
    assert page.input_value("#f-tracking_code") == receipt["code"]
    check(page, receipt["code"].lower().replace("-", " "), receipt["token"])  # case and spaces forgiven
    result = page.locator("#portal-status-result")
    expect(result).to_be_visible()
    assert result.locator("[data-status-field=status_label]").inner_text() == "Diterima"
    assert result.locator("[data-status-field=form_title]").inner_text() == "Permohonan pindah atau datang"
    assert result.locator("[data-status-field=tracking_code]").inner_text() == receipt["code"]
    history = result.locator("[data-status-history] li")
    assert history.count() == 1
    assert "Permohonan diterima secara daring." in history.inner_text()
    assert page.evaluate("() => document.activeElement.id") == "portal-status-title"


def test_a_wrong_token_is_a_clear_error(context, portal, receipt):
    page = context.new_page()
    page.goto(f"{portal.url}formulir/status/")
    title = page.title()
    check(page, receipt["code"], receipt["token"][:-2] + "xx")
    summary = page.locator(".portal-error-summary")
    expect(summary).to_be_visible()
    assert summary.get_by_role("link").all_inner_texts() == [WRONG]
    assert page.locator('[data-field="token"] .portal-error-message').text_content() == "Galat: " + WRONG
    assert page.title() == "Galat: " + title
    assert page.locator("#portal-status-result").is_hidden()


def test_empty_and_mistyped_codes_are_caught_before_asking(context, portal, receipt):
    page = context.new_page()
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/api/" in r.url else None)
    page.goto(f"{portal.url}formulir/status/")
    page.get_by_role("button", name="Cek status").click()
    assert page.locator(".portal-error-summary li").all_inner_texts() == ["Masukkan kode pelacakan", "Masukkan token status"]
    code = receipt["code"]
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")  # a wrong check character
    check(page, typo, "abc")
    assert page.locator(".portal-error-summary li").all_inner_texts() == [
        "Kode pelacakan tidak dikenali. Periksa lagi 10 huruf dan angkanya, seperti K7QM-2XRD-9F"]
    assert asked == []
    assert re.match("Galat: ", page.title())
