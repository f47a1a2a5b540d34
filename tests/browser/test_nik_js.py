"""The browser's NIK and KK checks (site/overrides/assets/nik.js) give the same
verdicts as chalicelib/nik.py on the shared vectors (tests/vectors/nik.json)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date

import pytest
from buildutil import ROOT
from chalicelib.nik import parse_kk, parse_nik, province_codes

pytestmark = pytest.mark.browser

NIK_JS = ROOT / "site" / "overrides" / "assets" / "nik.js"
VECTORS = json.loads((ROOT / "tests" / "vectors" / "nik.json").read_text(encoding="utf-8"))
PROVINCES = sorted(province_codes(ROOT / "content" / "data" / "provinces.csv"))

# Runs every case in one call; returns one plain verdict per case.
RUN_ALL = """(args) => {
  const {vectors, provinces} = args;
  const options = {today: vectors.today, provinces};
  const pick = (r) => ({value: r.value, error: r.error, birth_date: r.birthDate, sex: r.sex, region: r.region});
  return {
    separators: PortalNik.SEPARATORS,
    nik: vectors.cases.map((c) => pick(PortalNik.parseNik(c.input, options))),
    kk: vectors.kk_cases.map((c) => pick(PortalNik.parseKk(c.input, options))),
  };
}"""


def python_verdicts() -> dict:
    today = date.fromisoformat(VECTORS["today"])
    nik = []
    for case in VECTORS["cases"]:
        r = parse_nik(case["input"], today=today, provinces=frozenset(PROVINCES))
        nik.append({"value": r.value, "error": r.error, "sex": r.sex, "region": r.region,
                    "birth_date": r.birth_date.isoformat() if r.birth_date else None})
    kk = []
    for case in VECTORS["kk_cases"]:
        r = parse_kk(case["input"], provinces=frozenset(PROVINCES))
        kk.append({"value": r.value, "error": r.error, "birth_date": None, "sex": None, "region": r.region})
    return {"separators": VECTORS["separators"], "nik": nik, "kk": kk}


def assert_matches_vectors(verdicts: dict) -> None:
    assert verdicts["separators"] == VECTORS["separators"]
    for case, got in zip(VECTORS["cases"], verdicts["nik"], strict=True):
        if case["valid"]:
            expected = {"value": case["value"], "error": None, "birth_date": case["birth_date"], "sex": case["sex"]}
            assert {k: got[k] for k in expected} == expected, case["note"]
            if "region" in case:
                assert got["region"] == case["region"], case["note"]
        else:
            assert (got["error"], got["value"], got["birth_date"]) == (case["code"], None, None), case["note"]
    for case, got in zip(VECTORS["kk_cases"], verdicts["kk"], strict=True):
        if case["valid"]:
            assert (got["value"], got["region"], got["error"]) == (case["value"], case["region"], None), case["note"]
        else:
            assert (got["error"], got["value"]) == (case["code"], None), case["note"]


def form_bundle(site) -> str:
    """The script the form pages load (nik.js minified and bundled with the form code)."""
    page = (site / "formulir" / "ktp-el-baru" / "index.html").read_text(encoding="utf-8")
    found = re.search(r'<script data-src="\.\./\.\./(assets/form\.[0-9a-f]{8}\.min\.js)">', page)
    assert found, "the form page does not load the form bundle"
    return (site / found.group(1)).read_text(encoding="utf-8")


def test_nik_js_in_chromium_agrees_with_the_vectors_and_with_python(browser, portal):
    """What residents run: the minified bundle of the built site, not the source."""
    page = browser.new_page()
    try:
        page.add_script_tag(content=form_bundle(portal.site))
        verdicts = page.evaluate(RUN_ALL, {"vectors": VECTORS, "provinces": PROVINCES})
    finally:
        page.close()
    assert_matches_vectors(verdicts)
    assert verdicts == python_verdicts()


def test_nik_js_in_node_agrees_with_python():
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (the Chromium test above is the one that counts)")
    script = (f"const PortalNik = require({json.dumps(str(NIK_JS))});"
              f"const run = {RUN_ALL};"
              "let input = ''; process.stdin.on('data', (d) => input += d);"
              "process.stdin.on('end', () => process.stdout.write(JSON.stringify(run(JSON.parse(input)))));")
    done = subprocess.run([node, "-e", script], input=json.dumps({"vectors": VECTORS, "provinces": PROVINCES}),
                          capture_output=True, text=True, timeout=30, check=True)
    assert json.loads(done.stdout) == python_verdicts()


def test_the_form_pages_load_the_same_code(portal):
    from portal.assets import minify

    assert form_bundle(portal.site).startswith(minify("js", NIK_JS.read_text(encoding="utf-8")).strip())
