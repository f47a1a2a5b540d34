"""The site on a cheap phone (360 × 740, touch) in Chromium: thumbs, the header, and forms.

Runs against the shipped site on the local server (conftest.portal).
"""

from __future__ import annotations

import time

import pytest
from formfill import NIK
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
MIN_TAP = 44  # px, WCAG 2.5.5 (and Android's and Apple's guidance)
PAGES = ["", "kantor/", "kantor/bawen/", "layanan/", "layanan/ktp-el-baru/", "formulir/",
         "formulir/ktp-el-baru/", "formulir/status/", "kontak/", "pengumuman/", "halaman-yang-tidak-ada/"]

# Every visible thing a thumb can hit, except links inside running text (WCAG's inline
# exception: a link in a sentence is as tall as the line). Each entry: [what, height].
TAP_TARGETS = """() => {
  const found = [];
  const controls = 'button, input:not([type=hidden]), select, textarea, summary, .md-header__button, .md-top, ' +
                   '.portal-radio label, .portal-checkbox label';
  const candidates = [...document.querySelectorAll(controls + ', a[href]')];
  for (const el of candidates) {
    if (el.closest('.md-sidebar, .md-search, [hidden]')) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden' || style.opacity === '0') continue;
    if (el.matches('a[href]') && !el.matches(controls)) {
      // A link standing alone on its line (a list item, a table cell, a paragraph of its
      // own, or followed by a line break) is a tap target; in a sentence it is text.
      const block = el.closest('p, dd, td, li, div');
      const squash = (t) => t.replace(/\\s+/g, ' ').trim();
      const sibling = (node, step) => { let n = node[step]; while (n && n.nodeType === 3 && !n.textContent.trim()) n = n[step]; return n; };
      const before = sibling(el, 'previousSibling'), after = sibling(el, 'nextSibling');
      const alone = block && !block.closest('.md-footer') && (squash(block.textContent) === squash(el.textContent)
                    || (block.matches('li, td') && !before && (!after || after.nodeName === 'BR')));
      if (!alone) continue;
    }
    found.push([el.tagName.toLowerCase() + (el.type ? '[' + el.type + ']' : '') + ' "' +
                (el.textContent || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40) + '"',
                Math.round(box.height * 10) / 10]);
  }
  return found;
}"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2,
                                  locale="id-ID", timezone_id="Asia/Jakarta")
    yield context
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_every_tap_target_is_at_least_44_px_high(phone, portal, path):
    page = phone.new_page()
    page.goto(f"{portal.url}{path}")
    targets = page.evaluate(TAP_TARGETS)
    assert targets, "nothing to tap found: the selector is broken"
    small = [t for t in targets if t[1] < MIN_TAP]
    assert not small, f"{path}: tap targets under {MIN_TAP} px: {small}"


def test_radio_buttons_and_tick_boxes_themselves_are_44_px(phone, portal):
    page = phone.new_page()
    page.goto(f"{portal.url}formulir/ktp-el-baru/")
    sizes = page.eval_on_selector_all(
        "input[type=radio], input[type=checkbox]",
        "nodes => nodes.filter(n => n.offsetParent).map(n => [n.id, n.getBoundingClientRect().height])")
    assert len(sizes) >= 5  # 4 radios and the "keep the draft" tick box
    assert all(height >= MIN_TAP for _, height in sizes), sizes


def test_back_to_top_never_covers_the_error_summary(phone, portal):
    """Sending an empty form from its bottom scrolls up to the summary: Material then shows
    "Kembali ke atas" under the header, which must not sit on top of the summary."""
    page = phone.new_page()
    page.goto(f"{portal.url}formulir/ktp-el-baru/")
    button = page.get_by_role("button", name="Lanjutkan")
    button.scroll_into_view_if_needed()
    page.mouse.wheel(0, 200)
    button.tap()
    summary = page.locator(".portal-error-summary")
    summary.wait_for()
    time.sleep(0.6)  # Material shows or hides the button 250 ms after scrolling stops
    box = summary.bounding_box()
    assert box["y"] >= 0 and box["y"] < PHONE["height"] / 2, box  # the summary is in view, near the top
    top = page.evaluate("""() => { const t = document.querySelector('.md-top');
        const r = t.getBoundingClientRect(); return {hidden: t.hidden, top: r.top, bottom: r.bottom}; }""")
    assert top["hidden"] or top["bottom"] <= box["y"] or top["top"] >= box["y"] + box["height"], (top, box)
    assert page.evaluate("document.activeElement.classList.contains('portal-error-summary')")

    # Scrolling up by hand brings the button back; it still stays clear of the summary's text.
    page.mouse.wheel(0, 600)
    time.sleep(0.4)
    page.mouse.wheel(0, -300)
    time.sleep(0.6)
    summary_link = page.locator(".portal-error-summary a").first
    summary_link.tap()
    time.sleep(0.6)
    field = page.locator("[data-field=nik]").bounding_box()
    top = page.evaluate("""() => { const t = document.querySelector('.md-top');
        const r = t.getBoundingClientRect(); return {hidden: t.hidden, bottom: r.bottom}; }""")
    assert top["hidden"] or top["bottom"] <= field["y"], (top, field)


def test_hapus_draf_asks_before_emptying_the_form(phone, portal):
    page = phone.new_page()
    page.goto(f"{portal.url}formulir/ktp-el-baru/")
    page.fill("#f-nik", NIK)
    page.fill("#f-nama_lengkap", "Siti Aminah")
    clear = page.get_by_role("button", name="Hapus draf")
    question = page.get_by_role("group", name="Hapus semua isian formulir ini?")
    assert not question.is_visible()

    clear.tap()
    assert question.is_visible()
    assert clear.get_attribute("aria-expanded") == "true"
    expect(page.locator("#f-nik")).to_have_value(NIK)  # nothing emptied yet
    page.get_by_role("button", name="Batal").tap()
    assert not question.is_visible()
    expect(page.locator("#f-nik")).to_have_value(NIK)
    expect(page.locator("#f-nama_lengkap")).to_have_value("Siti Aminah")
    assert page.evaluate("sessionStorage.getItem('portal-draft:ktp-el-baru')") is not None
    assert page.evaluate("document.activeElement.id") == "portal-draft-clear"

    clear.tap()
    page.get_by_role("button", name="Ya, hapus isian").tap()
    expect(page.locator("#f-nik")).to_have_value("")
    expect(page.locator("#f-nama_lengkap")).to_have_value("")
    assert page.evaluate("sessionStorage.getItem('portal-draft:ktp-el-baru')") is None
    assert "Draf dihapus" in page.locator("#portal-draft-status").inner_text()
    assert not question.is_visible()


def test_the_header_shows_the_short_name_whole_on_a_phone_and_the_full_name_on_a_computer(browser, portal):
    from buildutil import ROOT
    from portal.content import load_content

    site = load_content(ROOT / "content").site
    script = """() => { const topic = document.querySelector('.md-header__topic .md-ellipsis');
        return {text: topic.innerText.trim(), cut: topic.scrollWidth > topic.clientWidth}; }"""
    for viewport, expected in ((PHONE, site.short_name), ({"width": 1280, "height": 800}, site.site_name)):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.goto(portal.url)
        shown = page.evaluate(script)
        assert shown == {"text": expected, "cut": False}, viewport
        assert page.title().endswith(site.site_name)
        context.close()
