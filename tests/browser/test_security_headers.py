"""Every page runs under the Content-Security-Policy the build wrote, with no violation.

The local server (`portal serve`, the `portal` fixture) sends the headers of the
build's `.portal-headers.json`, the file CloudFront's policy is made from. A
resident's whole journey runs here: home with a search, a guide, an office, a form
with its errors, sending it with real files, the receipt, the status check.
Chromium reports any blocked script, style, connection or worker on the console.
"""

from __future__ import annotations

import json

import pytest
from formfill import choose_files, definition, fill_answers
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def watched(context):
    """A page whose console CSP reports and `securitypolicyviolation` events are collected."""
    reports: list[str] = []
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) => console.error("
        "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    page.on("console", lambda message: reports.append(message.text)
            if "Content Security Policy" in message.text or "CSP violation" in message.text else None)
    page.on("pageerror", lambda error: reports.append(f"page error: {error}"))
    documents: dict[str, dict[str, str]] = {}
    page.on("response", lambda response: documents.__setitem__(response.url, response.headers)
            if response.request.resource_type == "document" else None)
    page.reports = reports
    page.documents = documents
    return page


def test_the_build_writes_a_strict_policy(portal):
    headers = json.loads((portal.site / ".portal-headers.json").read_text(encoding="utf-8"))["headers"]
    policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"].startswith("'self' 'sha256-")
    assert "unsafe-inline" not in policy["script-src"] and "unsafe-eval" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert policy["connect-src"] == "'self'"  # local: the API and uploads share the origin
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert "camera=()" in headers["Permissions-Policy"] and headers["X-Content-Type-Options"] == "nosniff"


def test_a_residents_journey_runs_under_the_policy_without_a_violation(watched, portal):
    page = watched
    expected = json.loads((portal.site / ".portal-headers.json").read_text(encoding="utf-8"))["headers"]

    page.goto(portal.url)
    expect(page.locator(".portal-summary")).to_be_visible()
    page.locator("input[name=query]").click()
    expect(page.locator(".md-search-result__meta")).to_have_text("Ketik untuk mulai pencarian")  # index ready
    page.locator("input[name=query]").press_sequentially("akta kelahiran")
    expect(page.locator(".md-search-result__item").first).to_be_visible(timeout=15_000)  # the worker ran

    page.goto(f"{portal.url}layanan/ktp-el-baru/")
    expect(page.locator("h1")).to_be_visible()
    page.goto(f"{portal.url}kantor/bawen/")
    expect(page.locator(".portal-status").first).to_be_visible()

    page.goto(f"{portal.url}formulir/ktp-el-baru/")
    page.get_by_role("button", name="Lanjutkan").click()
    expect(page.locator(".portal-error-summary")).to_be_visible()  # built by form.js
    spec = definition(page)
    fill_answers(page, spec)
    choose_files(page, spec, "csp")
    page.get_by_role("button", name="Lanjutkan").click()
    page.get_by_role("button", name="Kirim permohonan").click()  # API and uploads: connect-src
    page.wait_for_url("**/formulir/terkirim/", timeout=30_000)
    code = page.locator(".portal-code").inner_text()
    token = page.locator(".portal-token").inner_text()
    assert code and token

    page.goto(f"{portal.url}formulir/status/?kode={code}")
    page.fill("#f-token", token)
    page.get_by_role("button", name="Cek status").click()
    expect(page.locator("#portal-status-result")).to_be_visible()

    assert page.reports == []
    assert len(page.documents) >= 6
    for url, headers in page.documents.items():
        assert headers.get("content-security-policy") == expected["Content-Security-Policy"], url
        assert headers.get("x-frame-options") == "DENY", url


def test_an_inline_script_without_its_hash_is_blocked(watched, portal):
    """The test above could not fail if the policy allowed any inline script."""
    page = watched
    page.goto(portal.url)
    page.evaluate("() => { const s = document.createElement('script');"
                  " s.textContent = 'window.__injected = true;'; document.head.appendChild(s); }")
    page.wait_for_timeout(300)  # the report arrives as an event
    assert page.evaluate("() => window.__injected === undefined")
    assert any("script-src" in report for report in page.reports)
