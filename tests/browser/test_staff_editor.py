"""The staff editor at /admin/, used as a clerk would, in Chromium.

The editor runs on a copy of the content tree with its local backend
(decap-server, as `portal serve` and `portal preview` start it). A closure made
through the form is the file `portal new-closure` writes, passes `portal check`
and shows on the rebuilt home page; office hours typed in the form appear on the
office's page, and the rest of offices.yml (its comments too) stays as it was.
"""

from __future__ import annotations

import difflib
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from buildutil import ROOT, build_site, text
from buildutil import page as built_page
from click.testing import CliRunner
from portal.cli import main as portal
from portal.cms_local import LocalBackend

pytestmark = pytest.mark.browser

REASON = "Perbaikan jaringan listrik di kantor kecamatan."
TITLE = "Kecamatan Bawen dan Bergas tutup 1–3 Desember 2026"
FILE_NAME = "2026-12-01-kecamatan-bawen-dan-bergas-tutup.md"


@dataclass
class Editor:
    root: Path  # the "repository": decap-server's folder
    content: Path
    site: Path
    url: str  # the built site, /admin/ included
    env: dict[str, str]

    def announcements(self) -> set[str]:
        return {p.name for p in (self.content / "announcements").glob("*.md")}


@pytest.fixture(scope="module")
def editor(tmp_path_factory, serve_folder) -> Iterator[Editor]:
    root = tmp_path_factory.mktemp("editor-repo")
    content = root / "content"
    shutil.copytree(ROOT / "content", content)
    backend = LocalBackend(root).start()
    try:
        env = {"PORTAL_CMS_LOCAL_BACKEND": backend.url}
        site = tmp_path_factory.mktemp("editor-site")
        build_site(content, site, env=env)
        yield Editor(root, content, site, serve_folder(site) + "admin/", env)
    finally:
        backend.stop()


def open_editor(context, editor: Editor, route: str = ""):
    page = context.new_page()
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1:", "data:",
                                                                                    "blob:", "about:")) else None)
    page.goto(editor.url)
    login = page.get_by_role("button", name="Masuk")
    collections = page.get_by_role("link", name="Pengumuman dan penutupan").first
    login.or_(collections).first.wait_for()
    if login.is_visible():
        login.click()  # the local backend needs no account (once per browser context)
    collections.wait_for()
    if route:
        page.goto(editor.url + route)
    page.outside_requests = outside
    return page


def publish(page) -> None:
    page.get_by_role("button", name="Terbitkan").click()
    page.get_by_text("Terbitkan sekarang").click()


def wait_for(predicate, seconds: float = 15):
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def written(path: Path, seconds: float = 15) -> str:
    """A file the editor's backend wrote, once it is whole (decap-server does not write atomically)."""
    result: list[str] = []

    def whole() -> bool:
        first = path.read_text(encoding="utf-8") if path.exists() else ""
        time.sleep(0.2)
        again = path.read_text(encoding="utf-8") if path.exists() else ""
        result[:] = [again]
        return bool(again) and first == again and again.endswith("\n")

    wait_for(whole, seconds)
    return result[0]


def front_matter(path: Path) -> str:
    text = written(path)
    return text[: text.index("\n---\n", 4) + 5]


def fill_closure(page, *, days: str = "3", last_day: str = "") -> None:
    page.get_by_label("Judul").fill(TITLE)
    offices = page.get_by_label("Kantor yang tutup")
    for name in ("Bawen", "Bergas"):
        offices.fill(name)
        page.keyboard.press("Enter")
    page.get_by_label("Hari pertama tutup").fill("2026-12-01")
    if days:
        page.get_by_label("Jumlah hari tutup").fill(days)
    if last_day:
        page.get_by_label("Hari terakhir tutup").fill(last_day)
    page.get_by_label("Alasan").fill(REASON)
    page.locator("[data-slate-editor]").click()
    page.keyboard.type("Kantor Kecamatan Bawen dan Kecamatan Bergas tidak melayani tatap muka.")


def test_a_closure_for_two_kecamatan_through_the_form(context, editor, tmp_path):
    before = editor.announcements()
    page = open_editor(context, editor, "#/collections/pengumuman/new")
    fill_closure(page)

    preview = page.frame_locator("iframe").locator(".portal-preview")
    notice = " ".join(preview.locator(".portal-notice").inner_text().split())
    assert "Layanan tatap muka di Kecamatan Bawen, Kecamatan Bergas" in notice
    assert "Selasa, 1 Desember sampai Kamis, 3 Desember 2026 (3 hari)" in notice
    assert "Buka kembali Jumat, 4 Desember 2026" in notice
    assert "Ajukan permohonan lewat formulir daring, atau hubungi kantor." in notice
    assert preview.locator(".portal-summary").inner_text() == "2 dari 20 kantor tutup untuk layanan tatap muka."
    assert preview.locator(".portal-status--closed").all_inner_texts() == \
        ["Tutup, buka kembali Jumat, 4 Desember 2026"] * 2

    publish(page)
    wait_for(lambda: editor.announcements() - before)
    assert editor.announcements() - before == {FILE_NAME}
    made = editor.content / "announcements" / FILE_NAME
    published = re.search(r"^date: (\d{4}-\d{2}-\d{2})$", written(made), re.M).group(1)

    # The same file `portal new-closure` writes: same name, same front matter, line for line.
    other = tmp_path / "content"
    shutil.copytree(ROOT / "content", other)
    result = CliRunner().invoke(portal, ["new-closure", "--content", str(other), "--offices", "bawen,bergas",
                                         "--first-day", "2026-12-01", "--days", "3", "--reason", REASON,
                                         "--title", TITLE, "--published", published])
    assert result.exit_code == 0, result.output
    assert {p.name for p in (other / "announcements").glob("*.md")} == before | {FILE_NAME}
    assert front_matter(made) == front_matter(other / "announcements" / FILE_NAME)
    assert made.read_text(encoding="utf-8").endswith(
        "---\n\nKantor Kecamatan Bawen dan Kecamatan Bergas tidak melayani tatap muka.\n")

    check = CliRunner().invoke(portal, ["check", "--content", str(editor.content)])
    assert check.exit_code == 0, check.output
    out = tmp_path / "site"
    build_site(editor.content, out, today="2026-11-27", env=editor.env)
    home = built_page(out, "")
    assert TITLE in text(home, ".portal-notice")
    assert "Buka kembali Jumat, 4 Desember 2026" in text(home, ".portal-notice")
    assert page.outside_requests == []  # the editor loads nothing from another host


def test_office_hours_through_the_form(context, editor, tmp_path):
    offices_yml = editor.content / "offices.yml"
    original = offices_yml.read_text(encoding="utf-8")
    page = open_editor(context, editor, "#/collections/kantor/entries/kantor")
    page.get_by_text("20 kantor").wait_for()
    bawen = page.locator("[class*=SortableListItem]").filter(has_text="Kecamatan Bawen")
    bawen.get_by_role("button").first.click()
    for day, hours in (("Senin", "07.30-14.00"), ("Jumat", "07.30-11.00"), ("Sabtu", "tutup")):
        bawen.get_by_label(day).fill(hours)
    bawen.get_by_label("Alamat").fill("Jl. Soekarno-Hatta, Bawen")
    publish(page)

    def saved() -> str | None:
        """The file once the editor's backend has written it whole (it is not written atomically)."""
        first = offices_yml.read_text(encoding="utf-8")
        time.sleep(0.2)
        again = offices_yml.read_text(encoding="utf-8")
        done = first == again and "sabtu: tutup" in again and again.endswith("\n")
        return again if done else None

    wait_for(saved)
    changed = [line for line in difflib.unified_diff(original.splitlines(), saved().splitlines(), lineterm="",
                                                     n=0) if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == [
        '-    address: ""', "-    hours: {}",
        '+    address: "Jl. Soekarno-Hatta, Bawen"', "+    hours:",
        "+      senin: 07.30-14.00", "+      jumat: 07.30-11.00", "+      sabtu: tutup",
    ]  # nothing else moved: other offices, comments and quoting stay as they were

    check = CliRunner().invoke(portal, ["check", "--content", str(editor.content)])
    assert check.exit_code == 0, check.output
    out = tmp_path / "site"
    build_site(editor.content, out, env=editor.env)
    facts = text(built_page(out, "kantor/bawen"), ".portal-facts")
    assert "Senin: 07.30-14.00" in facts and "Jumat: 07.30-11.00" in facts and "Sabtu: tutup" in facts
    assert "Jl. Soekarno-Hatta, Bawen" in facts


@pytest.mark.parametrize(("days", "last_day", "field", "message"), [
    ("3", "2026-12-03", "Jumlah hari tutup",
     "Isi salah satu saja: jumlah hari atau hari terakhir tutup. Kosongkan yang lain."),
    ("", "", "Jumlah hari tutup", "Isi jumlah hari tutup, atau kosongkan ini dan isi hari terakhir tutup."),
    ("", "2026-11-20", "Hari terakhir tutup",
     "Hari terakhir tutup lebih awal dari hari pertama. Periksa tanggal, bulan dan tahunnya."),
])
def test_the_form_refuses_a_closure_the_checker_would_refuse(context, editor, days, last_day, field, message):
    before = editor.announcements()
    page = open_editor(context, editor, "#/collections/pengumuman/new")
    fill_closure(page, days=days, last_day=last_day)
    publish(page)
    page.get_by_text("Ada isian wajib yang belum benar.").wait_for()
    control = page.locator("[class*=ControlContainer]").filter(has=page.get_by_label(field)).last
    assert message in control.text_content()
    time.sleep(0.5)
    assert editor.announcements() == before  # nothing written


def test_a_closure_needs_its_reason_but_a_plain_announcement_needs_no_closure(context, editor):
    before = editor.announcements()
    page = open_editor(context, editor, "#/collections/pengumuman/new")
    page.get_by_label("Judul").fill("Jam layanan Sabtu berubah")
    offices = page.get_by_label("Kantor yang tutup")
    offices.fill("Bawen")
    page.keyboard.press("Enter")
    page.locator("[data-slate-editor]").click()
    page.keyboard.type("Mulai Januari loket buka sampai pukul 12.00.")
    publish(page)
    page.get_by_text("Alasan wajib diisi untuk penutupan.").wait_for()
    assert editor.announcements() == before

    page.get_by_label("Kantor yang tutup").press("Backspace")  # no office: not a closure any more
    publish(page)
    wait_for(lambda: editor.announcements() - before)
    (name,) = editor.announcements() - before
    saved = written(editor.content / "announcements" / name)
    assert name.endswith("-jam-layanan.md")  # the title's words before its first date word
    assert "closure" not in saved and "categories" not in saved
    check = CliRunner().invoke(portal, ["check", "--content", str(editor.content)])
    assert check.exit_code == 0, check.output


@pytest.mark.parametrize("route", ["", "#/collections/pengumuman", "#/collections/pengumuman/new",
                                   "#/collections/kantor/entries/kontak", "#/collections/kantor/entries/kantor"])
def test_the_editor_s_main_screens_have_no_serious_accessibility_violation(context, editor, route):
    """axe-core, no rule disabled. Decap's own gaps are repaired by site/admin/a11y.js and admin.css."""
    from test_accessibility import serious

    if route:
        page = open_editor(context, editor, route)
        page.locator("[class*=ControlContainer]").or_(page.get_by_text("Buat pengumuman")).first.wait_for()
        page.wait_for_timeout(500)  # let the last fields render
    else:
        page = context.new_page()
        page.goto(editor.url)
        page.get_by_role("button", name="Masuk").wait_for()
    assert serious(page) == []


def test_the_editor_works_under_its_content_security_policy(context, editor):
    """portal.cms.admin_csp(): the policy a host must send for /admin/ (and nothing looser)."""
    import functools
    import http.server
    import threading

    from portal.cms import admin_csp

    policy = admin_csp(editor.env["PORTAL_CMS_LOCAL_BACKEND"])

    class WithPolicy(http.server.SimpleHTTPRequestHandler):
        def end_headers(self) -> None:
            self.send_header("Content-Security-Policy", policy)
            super().end_headers()

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(WithPolicy,
                                                                                 directory=str(editor.site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = context.new_page()
        page.add_init_script("window.__violations = []; document.addEventListener('securitypolicyviolation',"
                             " (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));")
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/admin/")
        page.get_by_role("button", name="Masuk").click()
        page.get_by_role("link", name="Pengumuman dan penutupan").first.wait_for()
        page.goto(page.url.split("#")[0] + "#/collections/pengumuman/new")
        page.get_by_label("Judul").fill("Uji kebijakan keamanan")
        preview = page.frame_locator("iframe").locator(".portal-preview")
        assert "Uji kebijakan keamanan" in preview.inner_text()
        assert page.evaluate("window.__violations") == []
    finally:
        server.shutdown()


@pytest.mark.skipif(not __import__("os").environ.get("PORTAL_SCREENSHOTS"),
                    reason="set PORTAL_SCREENSHOTS=1 to refresh the staff guide's screenshots")
def test_take_the_staff_guide_screenshots(browser, editor):
    """content/pages/gambar/editor-*.png, shown in /panduan-staf/ (PORTAL_SCREENSHOTS=1)."""
    out = ROOT / "content" / "pages" / "gambar"
    out.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1100, "height": 640}, locale="id-ID",
                                  timezone_id="Asia/Jakarta")
    try:
        page = open_editor(context, editor, "#/collections/pengumuman")
        page.get_by_text("Buat pengumuman").wait_for()
        page.screenshot(path=out / "editor-daftar.png")
        page.goto(editor.url + "#/collections/pengumuman/new")
        fill_closure(page)
        page.get_by_label("Hari pertama tutup").scroll_into_view_if_needed()
        page.frame_locator("iframe").locator(".portal-notice").wait_for()
        page.screenshot(path=out / "editor-penutupan.png")
        page.close()
        page = open_editor(context, editor, "#/collections/kantor/entries/kantor")
        page.get_by_text("20 kantor").wait_for()
        bawen = page.locator("[class*=SortableListItem]").filter(has_text="Kecamatan Bawen")
        bawen.get_by_role("button").first.click()
        bawen.get_by_label("Senin").fill("07.30-14.00")
        bawen.get_by_label("Selasa").scroll_into_view_if_needed()
        page.screenshot(path=out / "editor-jam-kantor.png")
    finally:
        context.close()
