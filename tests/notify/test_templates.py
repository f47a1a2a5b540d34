"""Message templates: every event renders from the shipped content, with every real form;
the credential never shows as plain text; a broken template fails the content check."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from chalicelib.clock import WIB
from chalicelib.notify import (
    CardReady,
    CorrectionRequested,
    DocumentReady,
    Receipt,
    StatusChanged,
    load_messages,
    render,
    status_link,
)
from chalicelib.notify.events import TEMPLATES
from click.testing import CliRunner
from notify_support import CONTENT, SITE_URL
from portal.cli import main
from portal.content import ContentErrors, load_content

NOW = datetime(2020, 9, 25, 10, 15, tzinfo=WIB)
CODE = "K7QM-2XRD-9F"
TOKEN = "ABCD-EFGH-JKMN"


def events_for(form_id: str, title: str) -> list:
    """One event of every kind for one form (the token only on the receipt)."""
    common = {"tracking_code": CODE, "form_id": form_id, "form_title": title}
    return [
        Receipt(**common, received_at=NOW, status_token=TOKEN),
        *(StatusChanged(**common, status=status, note="Berkas sedang diperiksa.", changed_at=NOW)
          for status in ("diterima", "diproses", "diperbaiki", "selesai", "ditolak")),
        CorrectionRequested(**common, note="Foto KK buram; unggah ulang.",
                            redo=("Foto Kartu Keluarga", "Nomor HP (WhatsApp)"),
                            deadline=date(2020, 10, 9), changed_at=NOW),
        DocumentReady(**common, documents=("Kartu Keluarga",),
                      available_until=datetime(2020, 10, 25, 23, 59, tzinfo=WIB), changed_at=NOW),
        CardReady(**common, card="KTP-el", place="Kantor Dinas di Ungaran",
                  place_address="Jl. Contoh No. 1, Ungaran", collect_from=date(2020, 10, 12),
                  hours="Senin-Jumat 08.00-15.00",
                  bring=("Tanda terima ini", "KTP-el lama (bila ada)"), changed_at=NOW),
    ]


class _Text(HTMLParser):
    """What a reader sees of an HTML part (text nodes, not attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hrefs: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.hrefs += [value for name, value in attrs if name == "href"]


def visible(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def test_every_template_the_events_need_is_shipped(messages) -> None:
    assert set(messages.templates) == set(TEMPLATES)
    events = events_for("kk-baru", "Permohonan Kartu Keluarga baru")
    assert {event.template_id for event in events} | {"penutup"} == set(TEMPLATES)


def test_every_event_renders_for_every_real_form(messages, forms) -> None:
    for form in forms.values():
        for event in events_for(form.id, form.title):
            rendered = render(messages, event, site_url=SITE_URL)
            assert rendered.subject and "\n" not in rendered.subject
            for text in (rendered.subject, rendered.text, rendered.html, rendered.sms or ""):
                assert "${" not in text and "$" not in text, (event.template_id, text)
            assert CODE in rendered.text
            assert form.title in rendered.text
            assert status_link(SITE_URL, CODE, event.token) in rendered.text
            assert messages.office.name in rendered.text  # the closing text follows every email
            if rendered.sms is not None:
                assert len(rendered.sms) <= 160 and CODE in rendered.sms


def test_the_receipt_carries_the_credential_only_inside_the_link(messages) -> None:
    [receipt] = [e for e in events_for("kk-baru", "Permohonan KK baru") if e.token]
    rendered = render(messages, receipt, site_url=SITE_URL)
    link = f"{SITE_URL}formulir/status/#kode={CODE}&token={TOKEN}"
    assert link in rendered.text
    assert TOKEN not in rendered.text.replace(link, "")
    assert TOKEN not in rendered.subject
    seen = visible(rendered.html)
    assert TOKEN not in "".join(seen.parts)  # the anchor's text leaves the token out
    assert link in seen.hrefs


def test_status_changes_link_with_the_code_only(messages) -> None:
    for event in events_for("kk-baru", "Permohonan KK baru")[1:]:
        rendered = render(messages, event, site_url="https://layanan.contoh.go.id")
        assert "https://layanan.contoh.go.id/formulir/status/#kode=K7QM-2XRD-9F" in rendered.text
        assert "token=" not in rendered.text + rendered.html


def test_a_correction_says_what_to_redo_and_by_when(messages) -> None:
    event = events_for("kk-baru", "Permohonan KK baru")[6]
    rendered = render(messages, event, site_url=SITE_URL)
    assert "Foto KK buram; unggah ulang." in rendered.text
    assert "- Foto Kartu Keluarga\n- Nomor HP (WhatsApp)" in rendered.text
    assert "paling lambat Jumat, 9 Oktober 2020" in rendered.text
    assert "Jumat, 9 Oktober 2020" in rendered.sms


def test_document_ready_says_how_long_how_to_print_and_what_the_qr_code_proves(messages) -> None:
    event = events_for("kk-baru", "Permohonan KK baru")[7]
    text = render(messages, event, site_url=SITE_URL).text
    assert "selama 30 hari, sampai Minggu, 25 Oktober 2020 pukul 23.59 WIB" in text
    assert "HVS" in text and "A4" in text and "kode QR" in text


def test_card_ready_says_where_from_when_and_what_to_bring(messages) -> None:
    text = render(messages, events_for("ktp-el-baru", "Permohonan KTP-el baru")[8],
                  site_url=SITE_URL).text
    assert "Tempat pengambilan: Kantor Dinas di Ungaran" in text
    assert "Dapat diambil mulai: Senin, 12 Oktober 2020" in text
    assert "- Tanda terima ini\n- KTP-el lama (bila ada)" in text


def test_a_line_with_only_empty_placeholders_is_left_out(messages) -> None:
    common = {"tracking_code": CODE, "form_id": "kk-baru", "form_title": "Permohonan KK baru"}
    without = render(messages, StatusChanged(**common, status="diproses", changed_at=NOW),
                     site_url=SITE_URL)
    with_note = render(messages, StatusChanged(**common, status="diproses", note="Sedang dicek.",
                                               changed_at=NOW), site_url=SITE_URL)
    assert "Catatan petugas" not in without.text and "Catatan petugas" not in without.html
    assert "Catatan petugas: Sedang dicek." in with_note.text
    assert "\n\n\n" not in without.text


def test_html_escapes_every_value(messages) -> None:
    event = StatusChanged(tracking_code=CODE, form_id="kk-baru", form_title="KK & <b>baru</b>",
                          status="ditolak", note='<script>alert("x")</script>', changed_at=NOW)
    rendered = render(messages, event, site_url=SITE_URL)
    assert "<script>" not in rendered.html and "<b>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html and "KK &amp; &lt;b&gt;" in rendered.html
    assert '<script>alert("x")</script>' in rendered.text  # plain text stays as written


def test_status_changed_refuses_a_status_with_its_own_event() -> None:
    with pytest.raises(ValueError, match="CorrectionRequested"):
        StatusChanged(tracking_code=CODE, form_id="x", form_title="x", status="perlu_perbaikan",
                      changed_at=NOW)
    with pytest.raises(ValueError, match="unknown status"):
        StatusChanged(tracking_code=CODE, form_id="x", form_title="x", status="hilang",
                      changed_at=NOW)


# --------------------------------------------------------------------------- content check


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def problems_of(content: Path) -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        load_content(content)
    return [str(problem) for problem in caught.value.problems]


def test_shipped_templates_pass_the_content_check() -> None:
    load_content(CONTENT)
    load_messages(CONTENT)


def test_an_unknown_placeholder_is_reported_at_its_line(content: Path) -> None:
    path = content / "messages" / "diproses.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if "Catatan petugas" in line)
    lines[index] = "  Catatan: ${catatan_petugas}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [problem] = problems_of(content)
    assert problem.startswith(f"{path}:{index + 1}: body: isian ${{catatan_petugas}} tidak dikenal")
    assert "note" in problem  # the allowed names are listed


def test_missing_templates_stray_dollars_and_missing_placeholders_are_reported(content: Path) -> None:
    (content / "messages" / "kartu-siap.yml").unlink()
    (content / "messages" / "ditolak.yml").write_text(
        'subject: "Ditolak"\nbody: |\n  Biaya $5 tidak berlaku.\n', encoding="utf-8")
    (content / "messages" / "lain.yml").write_text("body: x\n", encoding="utf-8")
    problems = problems_of(content)
    folder = content / "messages"
    assert f"{folder / 'kartu-siap.yml'}:1: templat pesan 'kartu-siap' (kartu (KTP-el, KIA) siap diambil) tidak ada" in problems
    assert any(p.startswith(f"{folder / 'ditolak.yml'}:3: body: tanda $ harus diikuti") for p in problems)
    assert f"{folder / 'ditolak.yml'}:2: body: wajib memuat ${{note}} (permohonan ditolak)" in problems
    assert any(p.startswith(f"{folder / 'lain.yml'}:1: templat 'lain' tidak dikenal") for p in problems)


def test_sms_that_is_too_long_personal_or_unicode_is_reported(content: Path) -> None:
    path = content / "messages" / "selesai.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('sms: "Permohonan ${tracking_code} sudah selesai. Info: ${status_link}"',
                                 'sms: "Selesai: ${note} ${status_link}"'), encoding="utf-8")
    long_path = content / "messages" / "diproses.yml"
    long_path.write_text(long_path.read_text(encoding="utf-8") + f'sms: "{"x" * 100} ${{status_link}}"\n',
                         encoding="utf-8")
    dash = content / "messages" / "diterima.yml"
    dash.write_text(dash.read_text(encoding="utf-8") + 'sms: "Diterima — ${status_link}"\n', encoding="utf-8")
    problems = problems_of(content)
    assert any("selesai.yml" in p and "isian ${note} terlalu panjang atau pribadi untuk SMS" in p
               for p in problems)
    assert any("diproses.yml" in p and "SMS terlalu panjang: 185 karakter" in p for p in problems)
    assert any("diterima.yml" in p and "dikirim sebagai Unicode" in p for p in problems)


def test_broken_yaml_and_unknown_keys_are_reported(content: Path) -> None:
    (content / "messages" / "diproses.yml").write_text('subject: "x\nbody: [\n', encoding="utf-8")
    (content / "messages" / "selesai.yml").write_text(
        'subject: x ${status_link}\nbody: y ${status_link}\njudul: z\n', encoding="utf-8")
    problems = problems_of(content)
    assert any(p.startswith(f"{content / 'messages' / 'diproses.yml'}:") and "YAML tidak valid" in p
               for p in problems)
    assert any(p.startswith(f"{content / 'messages' / 'selesai.yml'}:3: judul: kunci tidak dikenal")
               for p in problems)


def test_portal_check_prints_template_problems_with_file_and_line(content: Path) -> None:
    path = content / "messages" / "tanda-terima.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("${status_link}", "${tautan}"),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--content", str(content)])
    assert result.exit_code == 1
    assert f"{path}:" in result.output and "isian ${tautan} tidak dikenal" in result.output
    assert "wajib memuat ${status_link}" in result.output


def test_a_site_with_forms_needs_its_message_templates(content: Path) -> None:
    shutil.rmtree(content / "messages")
    assert problems_of(content) == [f"{content / 'messages'}:1: folder templat pesan tidak ada; salin "
                                    "dari content/messages/ aslinya"]
    shutil.rmtree(content / "forms")
    (content / "forms").mkdir()
    for guide in (content / "guides").glob("*.md"):  # guides link to the forms just removed
        guide.unlink()
    problems = [p for p in problems_of_or_none(content) if "messages" in p]
    assert problems == []  # no online forms: nothing is sent, no templates needed


def problems_of_or_none(content: Path) -> list[str]:
    try:
        load_content(content)
    except ContentErrors as error:
        return [str(problem) for problem in error.problems]
    return []
