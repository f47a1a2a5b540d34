"""A resident meets "too many requests": uploads wait as asked, the API's words are shown."""

from __future__ import annotations

import json
import re

import pytest
from formfill import choose_files, definition, fill_answers
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SLOW_DOWN = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>'
             "Terlalu banyak unggahan dari perangkat atau jaringan Anda.</Message></Error>")


def ready_to_send(context, portal, form_id: str, tag: str):
    page = context.new_page()
    page.goto(f"{portal.url}formulir/{form_id}/")
    spec = definition(page)
    fill_answers(page, spec)
    files = choose_files(page, spec, tag)
    page.get_by_role("button", name="Lanjutkan").click()
    page.get_by_role("heading", name="Periksa kembali jawaban Anda").wait_for()
    return page, files


def test_an_upload_told_to_slow_down_waits_then_completes(context, portal):
    page, files = ready_to_send(context, portal, "kk-perubahan", "lambat")
    attempts = []

    def slow_down_once(route):
        attempts.append(route.request.url)
        if len(attempts) == 1:
            route.fulfill(status=429, headers={"Retry-After": "2", "Content-Type": "application/xml"},
                          body=SLOW_DOWN)
        else:
            route.continue_()

    page.route("**/upload", slow_down_once)
    before = len(portal.records("kk-perubahan"))
    page.get_by_role("button", name="Kirim permohonan").click()
    expect(page.locator(".portal-upload__state").first).to_have_text(
        "Terlalu banyak unggahan saat ini; dicoba lagi dalam 2 detik…", timeout=10_000)
    page.wait_for_url("**/formulir/terkirim/", timeout=30_000)
    assert len(attempts) == len(files) + 1
    assert len(portal.records("kk-perubahan")) == before + 1


def test_a_refused_create_shows_the_servers_message_and_keeps_the_answers(context, portal):
    page, _ = ready_to_send(context, portal, "kk-perubahan", "kuota")
    message = ("Layanan daring sedang menerima terlalu banyak permohonan. Isian Anda belum "
               "terkirim, tetapi belum hilang; coba lagi dalam 40 menit.")
    page.route("**/api/submissions", lambda route: route.fulfill(
        status=429, headers={"Retry-After": "2400", "Content-Type": "application/json"},
        body=json.dumps({"message": message, "code": "submission_quota_reached"})))
    before = len(portal.records("kk-perubahan"))
    page.get_by_role("button", name="Kirim permohonan").click()
    status = page.locator("#portal-send-status")
    expect(status).to_have_text(message, timeout=10_000)
    assert status.get_attribute("role") == "alert"
    expect(page.get_by_role("button", name=re.compile("^Coba lagi"))).to_be_visible()
    assert len(portal.records("kk-perubahan")) == before
