"""The search finds the right guide in residents' own words (portal.search + Material's worker).

Queries run against a lunr index built from an expanded `search_index.json`
exactly as Material's worker builds it (see searchutil.py), on a small corpus
written like the real guides.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from portal import search
from portal.search import (
    KEYWORDS_FIELD,
    SEARCH_PLUGIN_OPTIONS,
    TEXT_KEYWORDS_FIELD,
    derived_forms,
    expand_search_index,
    load_synonyms,
    nasal_prefix,
    parse_synonyms,
    rewrite_index_file,
    search_config_fields,
)
from searchutil import (
    MaterialSearch,
    run_material_worker,
    search_built_index,
    transform_search_query,
)

KTP_EL_BARU = "layanan/ktp-el-baru/"
KTP_EL_HILANG = "layanan/ktp-el-hilang-rusak/"
KTP_EL_UBAH = "layanan/ktp-el-perubahan-data/"
KK_BARU = "layanan/kk-baru/"
KK_UBAH = "layanan/kk-perubahan/"
AKTA_LAHIR = "layanan/akta-kelahiran/"
AKTA_MATI = "layanan/akta-kematian/"
PINDAH = "layanan/pindah-datang/"
KIA = "layanan/kia/"
KANTOR = "kantor/ungaran/"
PENGUMUMAN = "pengumuman/2020-09-25-layanan-tatap-muka-ditutup-14-hari/"
KTP_EL_GUIDES = {KTP_EL_BARU, KTP_EL_HILANG, KTP_EL_UBAH}

# (page, page title, intro, [(anchor, heading, section text)]) as Material indexes them.
PAGES: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    ("", "Beranda", "<p>Status kantor hari ini dan jalan ke permohonan daring.</p>", []),
    (
        KTP_EL_BARU,
        "KTP-el baru",
        "<p>Untuk penduduk yang berumur 17 tahun atau sudah atau pernah kawin dan belum "
        "pernah merekam data KTP-el.</p>",
        [
            (
                "persyaratan",
                "Persyaratan",
                "<ul><li>Kartu Keluarga (KK) asli.</li>"
                "<li>Berumur 17 tahun atau sudah/pernah kawin.</li></ul>",
            ),
            (
                "langkah",
                "Langkah",
                "<ol><li>Isi formulir F-1.02 secara daring.</li>"
                "<li>Datang ke kantor untuk foto, sidik jari dan iris mata.</li>"
                "<li>Ambil KTP-el setelah dicetak.</li></ol>",
            ),
            ("biaya", "Biaya dan waktu", "<p>Gratis. Lama penyelesaian: tanyakan ke kantor.</p>"),
        ],
    ),
    (
        KTP_EL_HILANG,
        "KTP-el hilang atau rusak",
        "<p>Penggantian KTP-el yang hilang atau rusak. NIK Anda tetap sama.</p>",
        [
            (
                "persyaratan",
                "Persyaratan",
                "<ul><li>Surat keterangan kehilangan dari "
                "kepolisian, bila KTP-el hilang.</li><li>KTP-el yang rusak, bila kartu rusak."
                "</li><li>Kartu Keluarga.</li></ul>",
            ),
            (
                "langkah",
                "Langkah",
                "<ol><li>Ajukan permohonan secara daring dengan formulir "
                "F-1.02.</li><li>Unggah pindaian dokumen asli, bukan fotokopi.</li></ol>",
            ),
        ],
    ),
    (
        KTP_EL_UBAH,
        "Perubahan data KTP-el",
        "<p>Bila nama, agama, status perkawinan atau pekerjaan Anda berubah, KK "
        "diperbarui dulu, lalu KTP-el dicetak ulang.</p>",
        [
            (
                "persyaratan",
                "Persyaratan",
                "<ul><li>KTP-el lama.</li><li>KK yang sudah "
                "diperbarui.</li><li>Bukti perubahan, misalnya buku nikah atau ijazah.</li></ul>",
            ),
        ],
    ),
    (
        KK_BARU,
        "Kartu Keluarga (KK) baru",
        "<p>Untuk keluarga baru, pisah KK, atau bila kepala keluarga berganti.</p>",
        [
            (
                "persyaratan",
                "Persyaratan",
                "<ul><li>Buku nikah atau kutipan akta perkawinan."
                "</li><li>SKPWNI bagi penduduk yang datang dari daerah lain.</li></ul>",
            ),
        ],
    ),
    (
        KK_UBAH,
        "Perubahan data Kartu Keluarga",
        "<p>Menambah anggota keluarga, atau mengubah data karena perkawinan, perceraian "
        "atau kematian.</p>",
        [
            (
                "persyaratan",
                "Persyaratan",
                "<ul><li>KK lama.</li><li>Akta atau surat keterangan peristiwa.</li></ul>",
            ),
        ],
    ),
    (
        AKTA_LAHIR,
        "Akta kelahiran",
        "<p>Pencatatan kelahiran anak. Laporkan paling lambat 60 hari setelah bayi lahir.</p>",
        [
            (
                "persyaratan",
                "Persyaratan",
                "<ul><li>Surat keterangan kelahiran dari rumah "
                "sakit, puskesmas, dokter atau bidan.</li><li>Buku nikah orang tua.</li>"
                "<li>KK tempat anak didaftarkan.</li></ul>",
            ),
            (
                "langkah",
                "Langkah",
                "<ol><li>Isi formulir F-2.01.</li><li>Unggah pindaian dokumen asli.</li></ol>",
            ),
        ],
    ),
    (
        AKTA_MATI,
        "Akta kematian",
        "<p>Laporkan kematian anggota keluarga paling lambat 30 hari setelah meninggal dunia.</p>",
        [
            (
                "persyaratan",
                "Persyaratan",
                "<ul><li>Surat keterangan kematian dari dokter "
                "atau kepala desa/lurah.</li><li>KK dan KTP-el almarhum.</li></ul>",
            ),
        ],
    ),
    (
        PINDAH,
        "Surat pindah dan datang",
        "<p>Untuk penduduk yang pindah tempat tinggal ke luar atau ke dalam kabupaten. "
        "Data Anda dipindahkan ke daerah tujuan.</p>",
        [
            ("persyaratan", "Persyaratan", "<ul><li>KK.</li><li>Formulir F-1.03.</li></ul>"),
        ],
    ),
    (
        KIA,
        "Kartu Identitas Anak (KIA)",
        "<p>Kartu identitas untuk anak berumur di bawah 17 tahun.</p>",
        [
            (
                "persyaratan",
                "Persyaratan",
                "<ul><li>Akta kelahiran anak.</li><li>KK orang "
                "tua.</li><li>Pas foto, untuk anak berumur 5 tahun ke atas.</li></ul>",
            ),
        ],
    ),
    (
        KANTOR,
        "Kantor Dispendukcapil Ungaran",
        "<p>Jam pelayanan: Senin sampai Jumat, 08.00&ndash;15.00. Telepon (024) 6921177. "
        "Penutupan kantor diumumkan di halaman Pengumuman.</p>",
        [],
    ),
    (
        PENGUMUMAN,
        "Layanan tatap muka ditutup 14 hari mulai Jumat, 25 September 2020",
        "<p>Dinas Kependudukan dan Pencatatan Sipil menghentikan sementara semua layanan "
        "tatap muka selama <strong>14 hari</strong>. Ajukan permohonan secara daring.</p>",
        [],
    ),
]


def material_config() -> dict[str, Any]:
    """`config` as Material 9.8 writes it with `theme.language: id` and our plugin options."""
    fields: dict[str, Any] = {k: dict(v) for k, v in SEARCH_PLUGIN_OPTIONS["fields"].items()}
    fields.setdefault("title", {"boost": 1e3})
    fields.setdefault("text", {"boost": 1e0})
    fields.setdefault("tags", {"boost": 1e6})
    return {
        "lang": ["en"],
        "separator": r"[\s\-]+",
        "pipeline": list(SEARCH_PLUGIN_OPTIONS["pipeline"]),
        "fields": fields,
    }


def raw_index() -> dict[str, Any]:
    docs = []
    for page, title, intro, sections in PAGES:
        docs.append({"location": page, "title": title, "text": intro})
        docs += [
            {"location": f"{page}#{anchor}", "title": heading, "text": text}
            for anchor, heading, text in sections
        ]
    return {"config": material_config(), "docs": docs}


ALIASES = {KTP_EL_HILANG: ["ganti KTP", "kartu patah"], KTP_EL_BARU: ["perekaman KTP-el"]}


@pytest.fixture(scope="module")
def expanded() -> dict[str, Any]:
    return expand_search_index(raw_index(), aliases_by_location=ALIASES)


@pytest.fixture(scope="module")
def engine(expanded: dict[str, Any]) -> MaterialSearch:
    return MaterialSearch(expanded)


def words_of(page: str) -> set[str]:
    """Words a page's title and text hold (the fixture guards below use it)."""
    docs = [d for d in raw_index()["docs"] if d["location"].split("#")[0] == page]
    text = " ".join(d["title"] + " " + re.sub("<[^>]+>", " ", d["text"]) for d in docs)
    return set(re.findall(r"[a-z0-9]+", text.lower()))


# --------------------------------------------------------------------------- real queries


def test_layanan_finds_a_page_that_only_says_pelayanan(engine: MaterialSearch) -> None:
    assert "pelayanan" in words_of(KANTOR)
    assert "layanan" not in words_of(KANTOR)
    assert KANTOR in engine.pages("layanan")


def test_pelayanan_finds_a_page_that_only_says_layanan(engine: MaterialSearch) -> None:
    assert "layanan" in words_of(PENGUMUMAN)
    assert "pelayanan" not in words_of(PENGUMUMAN)
    assert PENGUMUMAN in engine.pages("pelayanan")


def test_without_keywords_the_same_queries_fail() -> None:
    """The control: Material alone misses them (so the tests above test the keywords)."""
    plain = MaterialSearch(raw_index())
    assert KANTOR not in plain.pages("layanan")
    assert PENGUMUMAN not in plain.pages("pelayanan")
    assert plain.pages("akte") == []
    assert plain.pages("ektp") == []


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("akte kelahiran", AKTA_LAHIR),
        ("Akte Kelahiran", AKTA_LAHIR),
        ("akte lahir", AKTA_LAHIR),
        ("akta lahir", AKTA_LAHIR),
        ("e-KTP hilang", KTP_EL_HILANG),
        ("ektp hilang", KTP_EL_HILANG),
        ("ktp rusak", KTP_EL_HILANG),
        ("kehilangan ktp", KTP_EL_HILANG),
        ("kartu keluarga baru", KK_BARU),
        ("kk baru", KK_BARU),
        ("surat pindah", PINDAH),
        ("skpwni", PINDAH),
        ("pindah domisili", PINDAH),
        ("pindah alamat", PINDAH),
        ("akta kematian", AKTA_MATI),
        ("meninggal", AKTA_MATI),
        ("wafat", AKTA_MATI),
        ("kia", KIA),
        ("kartu identitas anak", KIA),
        ("rekam", KTP_EL_BARU),  # "perekaman" alias, "merekam" in the text
        ("layanan", PENGUMUMAN),  # in its title
        ("libur", PENGUMUMAN),  # "ditutup" in its title
        ("ganti ktp", KTP_EL_HILANG),  # a front-matter alias
    ],
)
def test_residents_words_find_the_right_guide_first(
    engine: MaterialSearch, query: str, first: str
) -> None:
    assert engine.pages(query)[:1] == [first], engine.pages(query)


@pytest.mark.parametrize("query", ["ektp", "e-ktp", "KTP", "ktp elektronik", "ktpel", "KTP-el"])
def test_ktp_words_find_the_ktp_el_guides_first(engine: MaterialSearch, query: str) -> None:
    pages = engine.pages(query)
    assert set(pages[:3]) == KTP_EL_GUIDES, pages
    assert AKTA_LAHIR not in pages and KIA not in pages  # they never mention KTP-el


@pytest.mark.parametrize("query", ["kartu keluarga", "kk"])
def test_kk_words_find_the_kk_guides_first(engine: MaterialSearch, query: str) -> None:
    assert set(engine.pages(query)[:2]) == {KK_BARU, KK_UBAH}, engine.pages(query)


def test_forms_of_the_sites_topics_reach_affixed_words(engine: MaterialSearch) -> None:
    # "pindah" (a title word) is seen as "dipindahkan": its derived forms are added.
    assert "perpindahan" not in words_of(PINDAH)
    assert engine.pages("perpindahan")[:1] == engine.pages("pemindahan")[:1] == [PINDAH]
    # "penutupan" in an office's text: "tutup" is a topic (an announcement's title).
    assert "tutup" not in words_of(KANTOR)
    assert KANTOR in engine.pages("tutup")
    # No page is about "daftar": the "didaftarkan" of a text gets no forms.
    assert "didaftarkan" in words_of(AKTA_LAHIR)
    assert engine.pages("pendaftaran") == []


@pytest.mark.parametrize("query", ["paspor", "sim keliling", "tilang", "zzz"])
def test_unrelated_words_find_nothing(engine: MaterialSearch, query: str) -> None:
    assert engine.pages(query) == []


def test_near_misses_do_not_find_the_wrong_guide(engine: MaterialSearch) -> None:
    # "tinggal" (pindah) is the stem of "meninggal", but they are different words.
    assert PINDAH not in engine.pages("meninggal")
    assert PINDAH not in engine.pages("wafat")
    assert AKTA_MATI not in engine.pages("tempat tinggal")
    # "kelahiran" must not outrank the real topic of "akta kematian".
    assert engine.pages("akta kematian")[0] == AKTA_MATI
    assert engine.pages("kartu identitas anak")[0] != KK_BARU


def test_search_built_index_is_the_helper_for_the_built_site(expanded: dict[str, Any]) -> None:
    assert search_built_index(expanded, "akte kelahiran")[0] == AKTA_LAHIR
    assert search_built_index(expanded, "") == []
    assert search_built_index(expanded, "   ") == []


# --------------------------------------------------------------------------- the mirror


@pytest.mark.parametrize(
    ("query", "sent"),
    [
        ("layanan", "layanan*"),
        ("  akte  kelahiran ", "akte* kelahiran*"),
        # Each lunr TERM keeps the rest of its part: lunr then parses "e-KTP*" as the
        # exact term "e" and the prefix term "KTP*".
        ("e-KTP hilang", "e-KTP* e-KTP* hilang*"),
        ('"akta kelahiran"', "+akta +kelahiran"),
        ("ktp -kk", "ktp* -kk"),
        ("ktp~", "ktp~1"),
        ("+", ""),
    ],
)
def test_query_transform_mirrors_material(query: str, sent: str) -> None:
    assert transform_search_query(query) == sent


QUERIES = [
    "layanan",
    "pelayanan",
    "akte kelahiran",
    "e-KTP hilang",
    "ektp",
    "ktp",
    "KTP-el",
    "kartu keluarga",
    "kk",
    "surat pindah",
    "meninggal",
    "paspor",
    '"akta kematian"',
    "ktp -hilang",
    "kia",
    "ganti ktp",
]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js for Material's worker")
def test_mirror_agrees_with_materials_own_worker(
    expanded: dict[str, Any], engine: MaterialSearch
) -> None:
    """Material's real worker, run in Node.js, ranks every query as the Python mirror does."""
    real = run_material_worker(expanded, QUERIES)
    for query in QUERIES:
        ours = [[(h.location, h.score) for h in group] for group in engine.search(query)]
        locations = [[location for location, _ in group] for group in real[query]]
        assert [[location for location, _ in group] for group in ours] == locations, query
        for group_ours, group_real in zip(ours, real[query], strict=True):
            for (_, a), (_, b) in zip(group_ours, group_real, strict=True):
                assert a == pytest.approx(b, rel=1e-3), query


def test_a_real_material_build_finds_residents_words(tmp_path: Path) -> None:
    """The plugin options reach the index Material writes, and the rewrite works on it."""
    (tmp_path / "docs" / "layanan").mkdir(parents=True)
    (tmp_path / "docs" / "index.md").write_text("# Beranda\n\nJam pelayanan kantor.\n")
    (tmp_path / "docs" / "layanan" / "index.md").write_text("# Persyaratan layanan\n")
    (tmp_path / "docs" / "layanan" / "akta-kelahiran.md").write_text(
        "# Akta kelahiran\n\nPencatatan kelahiran anak.\n\n## Persyaratan\n\n"
        "- Surat keterangan kelahiran (asli).\n- KK & buku nikah orang tua.\n"
    )
    (tmp_path / "docs" / "layanan" / "ktp-el-hilang.md").write_text(
        "# KTP-el hilang atau rusak\n\nPenggantian KTP-el.\n"
    )
    config = {
        "site_name": "Uji",
        "theme": {"name": "material", "language": "id"},
        "plugins": [{"search": SEARCH_PLUGIN_OPTIONS}],
    }
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config))
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"],
        cwd=tmp_path,
        check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    path = tmp_path / "site" / "search" / "search_index.json"
    written = json.loads(path.read_text())["config"]
    assert written == material_config()  # what the fixtures above assume
    index = rewrite_index_file(path, {"layanan/ktp-el-hilang/": ["ganti KTP"]})
    assert search_built_index(index, "akte lahir")[:1] == ["layanan/akta-kelahiran/"]
    assert search_built_index(index, "e-KTP")[:1] == ["layanan/ktp-el-hilang/"]
    assert search_built_index(index, "ganti ktp")[:1] == ["layanan/ktp-el-hilang/"]
    assert "" in search_built_index(index, "layanan")  # "Jam pelayanan"


# --------------------------------------------------------------------------- the expansion


def test_every_doc_gets_lowercase_deduplicated_keywords(expanded: dict[str, Any]) -> None:
    for doc in expanded["docs"]:
        fields = {}
        for name in (KEYWORDS_FIELD, TEXT_KEYWORDS_FIELD):
            value = doc[name]
            assert isinstance(value, str)
            words = value.split()
            assert value == value.lower() == " ".join(words)
            assert len(words) == len(set(words)) and words == sorted(words)
            fields[name] = set(words)
        title = set(re.findall(r"[^\s\-]+", doc["title"].lower()))
        text = set(re.findall(r"[^\s\-]+", re.sub("<[^>]+>", " ", doc["text"]).lower()))
        assert not title & fields[KEYWORDS_FIELD], doc["location"]
        assert not (title | text | fields[KEYWORDS_FIELD]) & fields[TEXT_KEYWORDS_FIELD]


def keywords_of(expanded: dict[str, Any], location: str) -> tuple[set[str], set[str]]:
    doc = next(d for d in expanded["docs"] if d["location"] == location)
    return set(doc[KEYWORDS_FIELD].split()), set(doc[TEXT_KEYWORDS_FIELD].split())


def test_keywords_hold_forms_and_synonyms_of_the_title(expanded: dict[str, Any]) -> None:
    assert {"pelayanan", "libur"} <= keywords_of(expanded, PENGUMUMAN)[0]
    assert {"e", "ektp", "ktpel", "elektronik"} <= keywords_of(expanded, KTP_EL_BARU)[0]
    assert "akte" in keywords_of(expanded, AKTA_LAHIR)[0]
    assert {"akte", "meninggal", "wafat"} <= keywords_of(expanded, AKTA_MATI)[0]
    assert {"skpwni", "domisili", "perpindahan"} <= keywords_of(expanded, PINDAH)[0]
    assert {"kk"} <= keywords_of(expanded, KK_UBAH)[0]
    assert {"dukcapil", "disdukcapil"} <= keywords_of(expanded, KANTOR)[0]


def test_text_keywords_hold_roots_forms_and_synonyms_of_the_text(
    expanded: dict[str, Any],
) -> None:
    assert "layanan" in keywords_of(expanded, KANTOR)[1]  # "pelayanan" in the text
    # "penutupan": other forms of a topic's root, a noun form and a synonym.
    assert {"ditutup", "tutupan", "libur"} <= keywords_of(expanded, KANTOR)[1]
    assert not {"daftar", "pendaftaran"} & keywords_of(expanded, AKTA_LAHIR + "#persyaratan")[1]
    assert {"kartu", "keluarga"} <= keywords_of(expanded, KIA + "#persyaratan")[1]  # "KK"
    assert "rusak" not in keywords_of(expanded, KTP_EL_HILANG)[0]  # a title word already
    for location in (PINDAH, PINDAH + "#persyaratan"):
        assert "meninggal" not in set.union(*keywords_of(expanded, location))


def test_aliases_go_to_the_pages_main_doc_only(expanded: dict[str, Any]) -> None:
    assert {"ganti", "patah"} <= keywords_of(expanded, KTP_EL_HILANG)[0]
    for doc in expanded["docs"]:
        if doc["location"] != KTP_EL_HILANG:
            assert "patah" not in doc[KEYWORDS_FIELD] + doc[TEXT_KEYWORDS_FIELD]


def test_aliases_accept_a_leading_slash_and_reject_unknown_pages() -> None:
    index = expand_search_index(raw_index(), aliases_by_location={"/" + KIA: ["KARTU ANAK"]})
    assert "kartu" not in keywords_of(index, KIA)[0]  # already in its title
    with pytest.raises(ValueError, match="layanan/paspor/"):
        expand_search_index(raw_index(), aliases_by_location={"layanan/paspor/": ["paspor"]})


def test_expansion_leaves_its_input_alone_and_is_idempotent() -> None:
    raw = raw_index()
    before = json.dumps(raw)
    once = expand_search_index(raw, aliases_by_location=ALIASES)
    assert json.dumps(raw) == before
    assert expand_search_index(once, aliases_by_location=ALIASES) == once


def test_the_index_config_names_the_keyword_fields() -> None:
    assert search_config_fields() == {
        "keywords": {"boost": search.KEYWORDS_BOOST},
        "text_keywords": {"boost": search.TEXT_KEYWORDS_BOOST},
    }
    raw = raw_index()
    del raw["config"]["fields"]["keywords"]
    del raw["config"]["fields"]["text_keywords"]
    fields = expand_search_index(raw)["config"]["fields"]
    assert {k: fields[k] for k in search_config_fields()} == search_config_fields()
    raw["config"]["fields"]["keywords"] = {"boost": 3}  # mkdocs.yml wins
    assert expand_search_index(raw)["config"]["fields"]["keywords"] == {"boost": 3}


def test_material_accepts_the_plugin_options() -> None:
    from material.plugins.search.plugin import SearchPlugin

    plugin = SearchPlugin()
    errors, _warnings = plugin.load_config(json.loads(json.dumps(SEARCH_PLUGIN_OPTIONS)))
    assert errors == []
    assert plugin.config.pipeline == ["trimmer"]


def test_rewrite_index_file_writes_compact_json(tmp_path: Path) -> None:
    path = tmp_path / "search_index.json"
    path.write_text(json.dumps(raw_index(), indent=2), encoding="utf-8")
    returned = rewrite_index_file(path, ALIASES)
    text = path.read_text(encoding="utf-8")
    assert "\n" not in text and ", " not in text.split('"docs"')[0]
    assert json.loads(text) == returned
    assert search_built_index(json.loads(text), "e-KTP hilang")[0] == KTP_EL_HILANG


def test_keywords_keep_the_index_small(expanded: dict[str, Any]) -> None:
    def gz(index: dict[str, Any]) -> int:
        return len(gzip.compress(json.dumps(index, separators=(",", ":")).encode(), 9))

    raw = raw_index()
    # On this corpus the keywords add well under half of the gzip size of the index.
    assert gz(expanded) - gz(raw) < 0.5 * gz(raw), (gz(raw), gz(expanded))


# --------------------------------------------------------------------------- morphology


@pytest.mark.parametrize(
    ("root", "me", "pe"),
    [
        ("ambil", "mengambil", "pengambil"),
        ("urus", "mengurus", "pengurus"),
        ("buat", "membuat", "pembuat"),
        ("pindah", "memindah", "pemindah"),
        ("proses", "memproses", "pemproses"),
        ("tunggu", "menunggu", "penunggu"),
        ("daftar", "mendaftar", "pendaftar"),
        ("cetak", "mencetak", "pencetak"),
        ("jual", "menjual", "penjual"),
        ("serah", "menyerah", "penyerah"),
        ("kirim", "mengirim", "pengirim"),
        ("klaim", "mengklaim", "pengklaim"),
        ("ganti", "mengganti", "pengganti"),
        ("hapus", "menghapus", "penghapus"),
        ("layan", "melayan", "pelayan"),
        ("rekam", "merekam", "perekam"),
        ("nikah", "menikah", "penikah"),
        ("cek", "mengecek", "pengecek"),
    ],
)
def test_nasal_assimilation(root: str, me: str, pe: str) -> None:
    assert (nasal_prefix(root, "me"), nasal_prefix(root, "pe")) == (me, pe)


def test_derived_forms() -> None:
    assert derived_forms("layan") == ("layanan", "pelayanan", "perlayanan", "melayan", "dilayan")
    assert derived_forms("terbit") == (
        "terbitan",
        "penerbitan",
        "perterbitan",
        "menerbit",
        "diterbit",
    )
    assert derived_forms("rekam")[2] == "perekaman"


# --------------------------------------------------------------------------- language data


def test_synonym_file_loads_and_holds_the_residents_words() -> None:
    synonyms = load_synonyms()
    added = {rule.when: set(rule.add) for rule in synonyms.rules}
    assert {"ektp", "e", "ktpel"} <= added[("ktp", "el")]
    assert "akte" in added[("akta",)] and "akta" in added[("akte",)]
    assert "kk" in added[("kartu", "keluarga")] and {"kartu", "keluarga"} <= added[("kk",)]
    assert "meninggal" in synonyms.protected
    assert synonyms.stem_fixes["kerusakan"] == "rusak"


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"same": [["akta"]]},
        {"same": [["Akta", "akte"]]},
        {"also": {"ktp-el": "ektp"}},
        {"also": {"ktp-el": [""]}},
        {"stems": {"kerusakan": 1}},
        {"sinonim": []},
    ],
)
def test_malformed_synonyms_are_refused(data: object) -> None:
    with pytest.raises(ValueError):
        parse_synonyms(data)


# --------------------------------------------------------------------------- speed


def test_expansion_is_fast() -> None:
    """1,000 documents of realistic guide text expand in well under a second."""
    raw = raw_index()
    docs = [dict(d, location=f"{d['location']}?{n}") for n in range(40) for d in raw["docs"]]
    docs = docs[:1000]
    search.load_synonyms()
    search.sastrawi_stem("pelayanan")  # load the dictionary outside the timing
    start = time.perf_counter()
    expand_search_index({"config": raw["config"], "docs": docs})
    assert (time.perf_counter() - start) / len(docs) < 2e-3  # seconds per doc
