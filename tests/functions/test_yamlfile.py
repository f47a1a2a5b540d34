"""The shared line-tracking YAML reader and the compiled twins the Lambda package reads."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from chalicelib.forms import load_forms
from chalicelib.yamlfile import COMPILED_SUFFIX, LineDict, from_jsonable, parse_yaml, to_jsonable

ROOT = Path(__file__).resolve().parents[2]


def test_lines_survive_the_json_round_trip():
    tree = parse_yaml("a: 1\nb:\n  - x\n  - y: 2\n")
    again = from_jsonable(json.loads(json.dumps(to_jsonable(tree))))
    assert again == tree and isinstance(again, LineDict)
    assert again.line_of("b") == 2 and again["b"].line_of(1) == 4 and again["b"][1].line_of("y") == 4


def compile_folder(content: Path) -> None:
    for path in [*content.glob("forms/*.yml"), content / "offices.yml"]:
        twin = path.with_name(path.name + COMPILED_SUFFIX)
        twin.write_text(json.dumps(to_jsonable(parse_yaml(path.read_text()))), encoding="utf-8")


def test_compiled_twins_give_the_same_forms(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    from_yaml = load_forms(content / "forms", content / "offices.yml", provinces_file=content / "data/provinces.csv")
    compile_folder(content)
    # Prove the twin is what is read: change the YAML after compiling.
    (content / "forms" / "pindah.yml").write_text("rusak: [", encoding="utf-8")
    compiled = load_forms(content / "forms", content / "offices.yml", provinces_file=content / "data/provinces.csv")
    assert {k: v.to_public_dict() for k, v in compiled.items()} == {k: v.to_public_dict() for k, v in from_yaml.items()}


def test_cold_start_with_twins_does_not_import_yaml(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    compile_folder(content)
    code = ("import sys; from chalicelib.forms import load_forms; "
            f"load_forms({str(content / 'forms')!r}, {str(content / 'offices.yml')!r}, "
            f"provinces_file={str(content / 'data/provinces.csv')!r}); print('yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
