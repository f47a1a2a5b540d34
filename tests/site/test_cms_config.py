"""The staff editor's configuration (Decap CMS) and the content model cannot drift.

`portal.cms.cms_config` generates admin/config.yml from the model: these tests ask
the model itself (the loader's key sets, and what it refuses when a key is
missing or malformed) and compare. An office or service added to the content, or
a key added to the model, shows up in the editor without anyone writing it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml
from portal import cms
from portal import content as model
from portal.checking import DAY_NAMES
from portal.content import ContentErrors, load_content
from portal.offices import OFFICE_KEYS
from portal.sitefile import SITE_KEYS

ROOT = Path(__file__).resolve().parents[2]
ADMIN = ROOT / "site" / "admin"


def config_for(tree) -> dict:
    return cms.cms_config(load_content(tree.root), repo_root=tree.root.parent, local_backend="")


def collection(config: dict, name: str) -> dict:
    return next(c for c in config["collections"] if c["name"] == name)


def announcement_fields(config: dict) -> dict:
    return {f["name"]: f for f in collection(config, cms.ANNOUNCEMENTS)["fields"]}


def closure_fields(config: dict) -> dict:
    return {f["name"]: f for f in announcement_fields(config)["closure"]["fields"]}


def office_fields(config: dict) -> dict:
    files = {f["name"]: f for f in collection(config, cms.OFFICES)["files"]}
    (offices,) = files["kantor"]["fields"]
    return {f["name"]: f for f in offices["fields"]}


def site_fields(config: dict) -> dict:
    files = {f["name"]: f for f in collection(config, cms.OFFICES)["files"]}
    return {f["name"]: f for f in files["kontak"]["fields"]}


def problems(tree) -> list[str]:
    try:
        load_content(tree.root)
    except ContentErrors as exc:
        return [p.message for p in exc.problems]
    return []


# --------------------------------------------------------------------------- which fields


def test_every_key_of_the_model_has_a_field_and_an_indonesian_label(shipped):
    config = config_for(shipped)
    assert set(announcement_fields(config)) == model.ANNOUNCEMENT_KEYS - {"slug"} | {"body"}
    assert set(closure_fields(config)) == model.CLOSURE_KEYS
    assert set(office_fields(config)) == OFFICE_KEYS  # the keys of the files, as the checker reads them
    assert set(site_fields(config)) == SITE_KEYS
    assert [f["name"] for f in office_fields(config)["hours"]["fields"]] == list(DAY_NAMES)
    assert cms.labels_missing() == [], "give these keys an Indonesian label in site/portal/cms.py"


def test_a_key_added_to_the_model_appears_in_the_editor(shipped, monkeypatch):
    monkeypatch.setattr(model, "CLOSURE_KEYS", model.CLOSURE_KEYS | {"in_person"})
    monkeypatch.setattr(model, "ANNOUNCEMENT_KEYS", model.ANNOUNCEMENT_KEYS | {"lokasi"})
    config = config_for(shipped)
    assert "in_person" in closure_fields(config)
    assert "lokasi" in announcement_fields(config)
    assert cms.labels_missing() == ["announcement.lokasi", "closure.in_person"]


def test_offices_and_services_come_from_the_content(shipped):
    offices_yml = shipped.root / "offices.yml"
    offices_yml.write_text(offices_yml.read_text(encoding="utf-8") + textwrap.indent(textwrap.dedent("""\
        - id: pos-baru
          name: Pos Pelayanan Baru
          kind: kecamatan
          services: [ktp-el, surat-baru]
    """), "  "), encoding="utf-8")
    services_yml = shipped.root / "services.yml"
    services_yml.write_text(services_yml.read_text(encoding="utf-8").replace(
        "services:\n", "services:\n  surat-baru: Surat keterangan baru\n", 1), encoding="utf-8")
    content = load_content(shipped.root)
    config = config_for(shipped)
    options = closure_fields(config)["offices"]["options"]
    assert options[0] == {"label": "Semua kantor", "value": "all"}
    assert options[1:] == [{"label": o.name, "value": o.id} for o in content.offices]
    assert options[-1] == {"label": "Pos Pelayanan Baru", "value": "pos-baru"}
    services = office_fields(config)["services"]["options"]
    assert services == [{"label": name, "value": sid} for sid, name in content.services.items()]
    assert {"label": "Surat keterangan baru", "value": "surat-baru"} in services


def test_another_regency_gets_its_own_choices_and_paths(regency):
    config = config_for(regency)
    values = [o["value"] for o in closure_fields(config)["offices"]["options"]]
    assert values == ["all", *(o.id for o in load_content(regency.root).offices)]
    announcements = collection(config, cms.ANNOUNCEMENTS)
    assert announcements["folder"] == "content/announcements"
    files = [f["file"] for f in collection(config, cms.OFFICES)["files"]]
    assert files == ["content/site.yml", "content/offices.yml"]
    assert "Semarang" not in json.dumps(config)


# --------------------------------------------------------------------------- what is required


CLOSURE = {"offices": "[bawen, bergas]", "first_day": "2026-12-01", "days": "3", "reason": "Perbaikan listrik.",
           "instead": "Ajukan secara daring."}
ANNOUNCEMENT = {"title": "Tutup", "date": "2026-11-27", "categories": "[Penutupan layanan]",
                "summary": "Ringkas."}


def write_announcement(tree, top: dict, closure: dict | None) -> None:
    lines = ["---", *(f"{k}: {v}" for k, v in top.items())]
    if closure is not None:
        lines += ["closure:", *(f"  {k}: {v}" for k, v in closure.items())]
    shutil.rmtree(tree.root / "announcements")
    tree.write("announcements/2026-12-01-uji.md", "\n".join([*lines, "---", "Isi.", ""]))


@pytest.mark.parametrize("key", sorted(set(ANNOUNCEMENT) | set(CLOSURE)))
def test_required_in_the_editor_exactly_when_the_checker_requires_it(shipped, key):
    config = config_for(shipped)
    if key in ANNOUNCEMENT:
        write_announcement(shipped, {k: v for k, v in ANNOUNCEMENT.items() if k != key}, CLOSURE)
        required = announcement_fields(config)[key]["required"]
    else:
        write_announcement(shipped, ANNOUNCEMENT, {k: v for k, v in CLOSURE.items() if k != key})
        field = closure_fields(config)[key]
        assert field["required"] is False  # an announcement without a closure leaves these empty
        required = field["closure_required"]
    refused = any(f"'{key}'" in p for p in problems(shipped))
    if key == "days":  # one of days and last_day: admin/widgets.js checks the pair
        assert refused and not required
        assert closure_fields(config)["last_day"]["closure_required"] is False
    else:
        assert refused == required, f"{key}: checker refuses={refused}, editor requires={required}"


def test_without_a_closure_the_block_is_optional(shipped):
    write_announcement(shipped, ANNOUNCEMENT, None)
    assert problems(shipped) == []
    assert announcement_fields(config_for(shipped))["closure"]["required"] is False


@pytest.mark.parametrize("key", sorted(SITE_KEYS))
def test_site_keys_required_in_the_editor_exactly_when_the_checker_requires_them(shipped, key):
    field = site_fields(config_for(shipped))[key]
    path = shipped.root / "site.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.pop(key, None)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    refused = any(f"'{key}'" in p for p in problems(shipped))
    if field["widget"] == "hidden":
        return  # not edited in the browser (the time zone must stay Asia/Jakarta)
    assert refused == field["required"], key


def test_office_identity_is_kept_and_what_is_unknown_is_editable(shipped):
    fields = office_fields(config_for(shipped))
    assert {k for k, f in fields.items() if f["widget"] == "hidden"} == {"id", "name", "kind", "area_code"}
    assert fields["address"]["required"] is False  # empty = unknown
    assert fields["hours"]["required"] is False
    offices = next(f for f in collection(config_for(shipped), cms.OFFICES)["files"] if f["name"] == "kantor")
    (listing,) = offices["fields"]
    assert (listing["allow_add"], listing["allow_remove"], listing["allow_reorder"]) == (False, False, False)


# --------------------------------------------------------------------------- dates and hours


@pytest.mark.parametrize(("key", "where"), [("date", "top"), ("first_day", "closure"), ("last_day", "closure")])
def test_the_checker_s_dates_are_date_pickers_writing_its_format(shipped, key, where):
    config = config_for(shipped)
    top, closure = dict(ANNOUNCEMENT), {k: v for k, v in CLOSURE.items() if k != "days"}
    closure["last_day"] = "2026-12-03"
    (top if where == "top" else closure)[key] = "3-12-2026"
    write_announcement(shipped, top, closure)
    assert any(f"'{key}': '3-12-2026' bukan tanggal" in p for p in problems(shipped))
    field = announcement_fields(config)[key] if where == "top" else closure_fields(config)[key]
    assert field["widget"] in ("datetime", "portal-closure-datetime")
    assert (field["format"], field["date_format"], field["time_format"]) == ("YYYY-MM-DD", "YYYY-MM-DD", False)


@pytest.mark.parametrize("value", ["08.00-15.00", "07:30 - 14:00", "tutup", "Tutup", "8.00-15.00", "08.00",
                                   "24.00-25.00", "jam 8", "08.00–15.00", " 08.00-15.00 "])
def test_the_hours_check_in_the_editor_agrees_with_the_checker(shipped, value):
    (day,) = [f for f in office_fields(config_for(shipped))["hours"]["fields"] if f["name"] == "senin"]
    pattern, message = day["pattern"]
    offices_yml = shipped.root / "offices.yml"
    text = offices_yml.read_text(encoding="utf-8")
    offices_yml.write_text(text.replace("hours: {}", f'hours: {{senin: "{value}"}}', 1), encoding="utf-8")
    accepted = not any("jam '" in p for p in problems(shipped))
    assert bool(re.match(pattern, value)) == accepted, value  # JavaScript reads this pattern the same way
    assert message == "Tulis jam seperti 08.00-15.00, atau 'tutup'."


# --------------------------------------------------------------------------- the interface in Indonesian


def node_object(path: Path, export: str) -> dict:
    """An object literal exported by an ES module, read with Node.js (no bundler)."""
    node = shutil.which("node")
    assert node, "Node.js is needed for the staff editor (bin/setup installs its bundle with npm)"
    script = ("const fs=require('fs');let s=fs.readFileSync(process.argv[1],'utf8');"
              "s=s.replace(/^import .*$/mg,'').replace(/export default (\\w+);/,'').replace(/export const /g,'const ');"
              f"process.stdout.write(JSON.stringify(new Function(s+';return {export};')()));")
    return json.loads(subprocess.run([node, "-e", script, str(path)], capture_output=True, text=True,
                                     check=True).stdout)


def keys(tree: dict, prefix: str = "") -> set[str]:
    found = set()
    for key, value in tree.items():
        found |= keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
    return found


def test_the_indonesian_locale_has_every_string_of_the_editor():
    english = ADMIN / "node_modules" / "decap-cms-locales" / "src" / "en" / "index.js"
    assert english.is_file(), "run bin/setup: it installs the editor's bundle (npm ci in site/admin/)"
    ours = node_object(ADMIN / "locale-id.js", "ID")
    missing = keys(node_object(english, "en")) - keys(ours)
    assert not missing, f"translate these in site/admin/locale-id.js: {sorted(missing)}"
    placeholders = re.compile(r"%\{\w+\}")
    theirs = node_object(english, "en")
    for key in keys(theirs):
        path = key.split(".")
        en, idn = theirs, ours
        for part in path:
            en, idn = en[part], idn[part]
        assert set(placeholders.findall(idn)) <= set(placeholders.findall(en)), key  # nothing unknown


def test_labels_hints_and_messages_are_ours_and_indonesian(shipped):
    config = config_for(shipped)
    english = re.compile(r"\b(the|is|are|must|should|required|please|field|enter|optional)\b", re.I)

    def texts(fields):
        for field in fields:
            yield field["label"]
            yield field.get("hint", "")
            if "pattern" in field:
                yield field["pattern"][1]
            yield from texts(field.get("fields", []))

    for item in config["collections"]:
        for text in [item["label"], item.get("description", ""),
                     *texts(item.get("fields", [])), *(t for f in item.get("files", []) for t in texts(f["fields"]))]:
            assert not english.search(text), text
    messages = (ADMIN / "messages.js").read_text(encoding="utf-8")
    assert "wajib diisi untuk penutupan" in messages
