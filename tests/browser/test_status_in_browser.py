"""The status line is right on the day the page is read, not the day it was built."""

from __future__ import annotations

from datetime import datetime

import pytest
from buildutil import ROOT, build_site
from portal.schedule import WIB

pytestmark = pytest.mark.browser
NONE_CLOSED = "Hari ini tidak ada kantor yang diumumkan tutup."
NOT_CLOSED = "Tidak ada pengumuman tutup"


@pytest.fixture(scope="module")
def site(tmp_path_factory, serve_folder) -> str:
    out = tmp_path_factory.mktemp("site")
    build_site(ROOT / "content", out, today="2020-09-20")  # built five days before the closure
    return serve_folder(out)


def open_at(browser, url: str, moment: datetime | None, javascript: bool = True):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    if moment is not None:
        page.clock.set_fixed_time(moment)
    page.goto(url)
    return context, page


@pytest.mark.parametrize(
    ("moment", "summary", "bawen", "banner"),
    [
        # The shipped offices publish no hours: never "Buka seperti biasa", only that no closure is announced.
        (datetime(2020, 9, 24, 23, 30, tzinfo=WIB), NONE_CLOSED, NOT_CLOSED, False),
        (datetime(2020, 9, 25, 0, 30, tzinfo=WIB), "Semua kantor tutup untuk layanan tatap muka.",
         "Tutup, buka kembali Jumat, 9 Oktober 2020", True),
        (datetime(2020, 10, 8, 23, 30, tzinfo=WIB), "Semua kantor tutup untuk layanan tatap muka.",
         "Tutup, buka kembali Jumat, 9 Oktober 2020", True),
        (datetime(2020, 10, 9, 0, 30, tzinfo=WIB), NONE_CLOSED, NOT_CLOSED, False),
    ],
)
def test_status_is_evaluated_for_the_readers_day_in_wib(browser, site, moment, summary, bawen, banner):
    context, page = open_at(browser, site, moment)
    try:
        assert page.locator("[data-portal-summary]").inner_text() == summary
        assert page.locator('[data-portal-office-status="bawen"]').inner_text() == bawen
        assert page.locator(".md-banner").is_visible() is banner
    finally:
        context.close()


def test_upcoming_closure_is_shown_as_upcoming_before_it_starts(browser, site):
    context, page = open_at(browser, site, datetime(2020, 9, 21, 9, 0, tzinfo=WIB))
    try:
        notice = page.locator(".portal-notice")
        assert notice.is_visible() and "portal-notice--upcoming" in notice.get_attribute("class")
        assert page.locator("[data-portal-today]").inner_text() == "Status hari ini, Senin, 21 September 2020 (WIB)."
    finally:
        context.close()


def test_home_without_javascript_shows_the_build_day_status(browser, site):
    context, page = open_at(browser, site, None, javascript=False)
    try:
        assert page.locator("[data-portal-summary]").inner_text() == NONE_CLOSED
        assert page.locator("[data-portal-today]").inner_text() == "Status pada Minggu, 20 September 2020 (WIB)."
        assert page.locator(".portal-notice").is_visible()  # the announced closure, still to come
        assert page.locator("table.portal-offices tbody tr").count() == 20
    finally:
        context.close()
