"""The status check: tracking code and token from the receipt give the status."""

from __future__ import annotations

import re

import pytest
from formfill import choose_files, definition, fill_answers
from playwright.sync_api import expect
from test_accessibility import serious

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
             "link": page.locator("#portal-receipt-link").get_attribute("href")}
    context.close()
    return shown


def check(page, code: str, token: str) -> None:
    page.fill("#f-tracking_code", code)
    page.fill("#f-token", token)
    page.get_by_role("button", name="Cek status").click()


def test_the_receipt_shows_a_short_token_and_a_status_link_with_both_in_its_fragment(portal, receipt):
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", receipt["token"])
    assert receipt["link"] == f"{portal.url}formulir/status/#kode={receipt['code']}&token={receipt['token']}"


def test_the_status_link_checks_at_once_and_takes_the_token_out_of_the_address_bar(context, portal, receipt):
    page = context.new_page()
    asked = []
    page.on("request", lambda r: asked.append(r.url))
    page.goto(receipt["link"])
    result = page.locator("#portal-status-result")
    expect(result).to_be_visible()
    assert result.locator("[data-status-field=status_label]").inner_text() == "Diterima"
    assert page.url == f"{portal.url}formulir/status/"
    assert not [url for url in asked if receipt["token"] in url]  # the token never left in a URL
    expect(page.locator("#f-token")).to_have_value(receipt["token"])
    assert serious(page) == [], "status: diterima"
    page.reload()  # the tab remembers it: the status shows again
    expect(result).to_be_visible()
    assert result.locator("[data-status-field=token]").inner_text() == receipt["token"]
    page.go_back()  # no entry with the token in this tab's history to go back to
    assert page.url == "about:blank"


def test_copy_buttons_copy_the_code_and_the_token(browser, portal, receipt):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.goto(receipt["link"])
        result = page.locator("#portal-status-result")
        expect(result).to_be_visible()
        for name, row, expected in (("Salin kode", "Kode pelacakan", receipt["code"]),
                                    ("Salin token", "Token status", receipt["token"])):
            result.get_by_role("button", name=name).click()
            shown = result.locator(".portal-summary-list__row").filter(has_text=row).get_by_role("button")
            expect(shown).to_have_text("Tersalin")
            assert page.evaluate("() => navigator.clipboard.readText()") == expected
        assert result.get_by_role("status").filter(has_text="Token status disalin").count() == 1
    finally:
        context.close()


def test_code_and_token_show_the_status_and_history(context, portal, receipt):
    page = context.new_page()
    page.goto(f"{portal.url}formulir/status/?kode={receipt['code']}")  # links of older receipts
    expect(page.locator("#f-tracking_code")).to_have_value(receipt["code"])
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
    assert result.locator('[data-status-state~="diterima"]').is_visible()


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
