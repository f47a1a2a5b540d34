"""Deep file checks over the hostile corpus (tests/fixtures/hostile.py).

Every bad file is refused with its precise code and an Indonesian message naming it;
every good file is accepted and stored byte for byte; images that say where they were
taken are stored with the same pixels, the same way up, and without the place.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from chalicelib.filecheck import PROBLEM_CODES, inspect_upload, pdf, png
from chalicelib.filecheck import jpeg as jpeg_module
from hostile import GPS, JPEG, PDF, PNG, SAMPLE_IDS, by_id, corpus, png_bytes, png_chunk
from PIL import Image

ALL_TYPES = (PDF, JPEG, PNG)
REPOSITORY = Path(__file__).resolve().parents[2]


def inspect(sample, accept=ALL_TYPES):
    return inspect_upload(sample.data, declared_type=sample.type, accept=accept, name=sample.name)


def test_the_ids_name_every_sample() -> None:
    assert tuple(s.id for s in corpus()) == SAMPLE_IDS


@pytest.mark.parametrize("sample_id", SAMPLE_IDS)
def test_every_sample_gets_its_verdict(sample_id: str) -> None:
    sample = by_id(sample_id)
    result = inspect(sample)
    if sample.expect is None:
        assert result.problem is None, result.problem
        assert result.content_type == sample.type
        assert result.changed == (sample.stored == "stripped")
        if sample.stored == "same":
            assert result.data == sample.data  # byte for byte
    else:
        assert result.problem is not None and result.problem[0] == sample.expect
        code, message = result.problem
        assert f"“{sample.name}”" in message  # names the resident's file
        assert message[0].isupper() and not message.endswith(".")
        assert result.data == sample.data


def test_every_problem_code_is_met_by_the_corpus() -> None:
    met = {s.expect for s in corpus()} | {"file_too_complex"}  # below, with small limits
    assert set(PROBLEM_CODES) <= met


@pytest.mark.parametrize(("sample_id", "message"), [
    ("pdf-header-then-html", "Berkas “pdf-header-then-html.pdf” rusak atau bukan PDF yang utuh, "
     "sehingga tidak bisa dibuka. Simpan ulang atau pindai ulang dokumen itu, lalu unggah lagi"),
    ("pdf-javascript", "PDF “pdf-javascript.pdf” berisi skrip (JavaScript), yang tidak "
     "diizinkan. Cetak ulang dokumen ke PDF atau pindai ulang, lalu unggah lagi"),
    ("pdf-launch", "PDF “pdf-launch.pdf” berisi perintah untuk menjalankan program, yang tidak "
     "diizinkan. Cetak ulang dokumen ke PDF atau pindai ulang, lalu unggah lagi"),
    ("pdf-encrypted", "PDF “pdf-encrypted.pdf” dikunci dengan kata sandi atau enkripsi, sehingga "
     "petugas tidak bisa memeriksanya. Simpan ulang tanpa kata sandi, lalu unggah lagi"),
    ("pdf-embedded-file", "PDF “pdf-embedded-file.pdf” berisi berkas lain di dalamnya "
     "(lampiran), yang tidak diizinkan. Unggah setiap dokumen sebagai berkas tersendiri"),
    ("pdf-51-pages", "PDF “pdf-51-pages.pdf” berisi 51 halaman; paling banyak 50 halaman. "
     "Unggah hanya halaman dokumen yang diminta"),
    ("png-zip-appended", "Berkas “png-zip-appended.png” berisi data lain yang ditempelkan setelah "
     "akhir gambar, sehingga tidak bisa diterima. Simpan ulang atau pindai ulang dokumen itu, "
     "lalu unggah lagi"),
    ("pdf-zip-appended", "Berkas “pdf-zip-appended.pdf” berisi data lain yang ditempelkan setelah "
     "akhir dokumen PDF, sehingga tidak bisa diterima. Simpan ulang atau pindai ulang dokumen "
     "itu, lalu unggah lagi"),
    ("jpeg-header-then-html", "Gambar “jpeg-header-then-html.jpg” rusak atau terpotong, sehingga "
     "tidak bisa dibuka. Foto atau pindai ulang dokumen itu, lalu unggah lagi"),
    ("png-bomb", "Gambar “png-bomb.png” terlalu besar ukurannya (400 megapiksel); paling besar "
     "40 megapiksel. Kecilkan resolusinya, lalu unggah lagi"),
    ("jpeg-too-many-pixels", "Gambar “jpeg-too-many-pixels.jpg” terlalu besar ukurannya "
     "(40 megapiksel); paling besar 40 megapiksel. Kecilkan resolusinya, lalu unggah lagi"),
    ("png-declared-jpeg", "Isi berkas “png-declared-jpeg.jpg” adalah PNG, bukan JPEG seperti "
     "yang dipilih. Unggah ulang berkas ini"),
])
def test_messages_read_as_written(sample_id: str, message: str) -> None:
    assert inspect(by_id(sample_id)).problem[1] == message


def test_a_type_the_attachment_does_not_accept_is_refused_first() -> None:
    result = inspect(by_id("jpeg-camera"), accept=[PDF])
    assert result.problem == ("file_type_invalid", "Isi berkas “jpeg-camera.jpg” bukan jenis yang "
                              "diterima (PDF). Pilih berkas hasil pindaian atau foto yang benar")


# --------------------------------------------------------------------------- location removed


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize(("sample_id", "orientation"), [
    ("jpeg-gps", 6), ("jpeg-gps-upright", None), ("jpeg-xmp-place", None),
    ("jpeg-multi-picture-gps", None), ("png-gps", 8), ("png-xmp-place", None),
])
def test_location_is_removed_and_pixels_kept(sample_id: str, orientation: int | None) -> None:
    sample = by_id(sample_id)
    stored = inspect(sample).data
    before, after = _open(sample.data), _open(stored)
    assert (after.size, after.mode) == (before.size, before.mode)
    assert after.tobytes() == before.tobytes()  # identical pixels: nothing re-encoded
    exif = after.getexif()
    assert exif.get_ifd(0x8825) == {} and 0x8825 not in exif
    assert exif.get(0x0112) == orientation  # still shown the right way up
    assert 0x010F not in exif and 0x0110 not in exif  # camera make and model gone too
    for needle in (b"GPSLatitude", b"GPSLongitude", b"Galaxy A14"):
        assert needle not in stored
    assert inspect_upload(stored, declared_type=sample.type, accept=ALL_TYPES,
                          name=sample.name).changed is False  # nothing left to remove


def test_a_stripped_jpeg_keeps_its_compressed_data_and_drops_the_second_picture() -> None:
    sample = by_id("jpeg-multi-picture-gps")
    stream = jpeg_module.parse_jpeg(sample.data)
    scan = next(s for s in stream.segments if s.marker == jpeg_module.SOS)
    stored = inspect(sample).data
    assert sample.data[scan.start : scan.end] in stored  # entropy-coded data copied as is
    assert Image.open(io.BytesIO(sample.data)).format == "MPO"
    assert Image.open(io.BytesIO(stored)).format == "JPEG"
    assert jpeg_module.parse_jpeg(stored).end == len(stored)  # nothing after EOI


def test_a_stripped_png_keeps_only_the_orientation_in_its_exif() -> None:
    sample = by_id("png-gps")
    before = [c for c in png.parse_png(sample.data) if c.kind == b"eXIf"]
    after = [c for c in png.parse_png(inspect(sample).data) if c.kind == b"eXIf"]
    assert len(before) == len(after) == 1
    assert dict(_exif(before[0].data).get_ifd(0x8825)) == GPS
    assert dict(_exif(after[0].data)) == {0x0112: 8}


def _exif(tiff: bytes) -> Image.Exif:
    exif = Image.Exif()
    exif.load(b"Exif\x00\x00" + tiff)
    return exif


# --------------------------------------------------------------------------- bounds


def test_a_pdf_that_takes_too_long_to_walk_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = iter(range(0, 10**6, 60))  # every reading of the clock is a minute later
    with pytest.raises(pdf.Refused) as refused:
        pdf.check_pdf(by_id("pdf-50-pages").data, clock=lambda: next(ticks))
    assert refused.value.code == "file_too_complex"


def test_a_pdf_with_too_many_objects_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "MAX_NODES", 20)
    sample = by_id("pdf-50-pages")
    assert inspect(sample).problem[0] == "file_too_complex"


def test_images_with_too_many_chunks_or_segments_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(png, "MAX_CHUNKS", 3)
    monkeypatch.setattr(jpeg_module, "MAX_SEGMENTS", 3)
    assert inspect(by_id("png-comment")).problem[0] == "file_too_complex"
    assert inspect(by_id("jpeg-camera")).problem[0] == "file_too_complex"


def test_a_private_png_chunk_is_kept_when_there_is_no_location() -> None:
    data = png_bytes(extra=png_chunk(b"iDOT", b"\x00\x00\x00\x02"))  # as Apple's screenshots
    result = inspect_upload(data, declared_type=PNG, accept=ALL_TYPES, name="layar.png")
    assert result.problem is None and result.data == data


def test_importing_the_checks_loads_neither_pillow_nor_pypdf() -> None:
    code = ("import sys; import chalicelib.filecheck, chalicelib.scanning; "
            "loaded = {'PIL', 'pypdf', 'clamav_client'} & set(sys.modules); "
            "assert not loaded, loaded")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPOSITORY / "functions")


def test_nothing_from_the_files_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    for sample in corpus():
        inspect(sample)
    text = "\n".join(record.getMessage() for record in caplog.records)
    for secret in ("Galaxy A14", "Samsung", "7.0, 8.0, 24.5", "KARTU KELUARGA", "GPS"):
        assert secret not in text
