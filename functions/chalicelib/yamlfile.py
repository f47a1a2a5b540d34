"""YAML that remembers line numbers, so definition errors can say `file:line`.

One reader for everything in `content/`: the form loader here and the site's
content model (`portal.content`) both use it. Dates stay strings: PyYAML would
turn `2020-02-30` into an exception without a line. For the Lambda package,
`functions/build.py` stores each YAML file's parsed tree as `<name>.yml.json`
next to it; `read_tree` prefers that copy, so a cold start neither imports
PyYAML nor parses YAML.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

COMPILED_SUFFIX = ".json"  # ktp-el-baru.yml -> ktp-el-baru.yml.json


class LineDict(dict):
    """A mapping from YAML that knows the line of itself and of each key (1-based)."""

    line: int = 1
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 1
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class YamlSyntaxError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


_loader_class: Any = None


def _loader() -> Any:
    """The line-tracking safe loader, built on first use (PyYAML costs ~17 ms to import)."""
    global _loader_class
    if _loader_class is not None:
        return _loader_class
    import yaml

    class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present
        pass

    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(loader: Any, node: Any) -> LineDict:
        loader.flatten_mapping(node)
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in result:
                raise yaml.constructor.ConstructorError(None, None, f"kunci '{key}' ditulis dua kali",
                                                        key_node.start_mark)
            result[key] = loader.construct_object(value_node, deep=True)
            result.key_lines[str(key)] = key_node.start_mark.line + 1
        return result

    def construct_sequence(loader: Any, node: Any) -> LineList:
        result = LineList(loader.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, construct_sequence)
    _loader_class = Loader
    return Loader


def parse_yaml(text: str, first_line: int = 1) -> Any:
    """Parse YAML text; line numbers are offset so that line 1 of `text` is `first_line`."""
    import yaml

    try:
        data = yaml.load(text, Loader=_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + first_line) if mark else first_line
        problem = exc.problem or exc.context or str(exc)
        if exc.problem is not None and not exc.problem.startswith("kunci "):  # ours are Indonesian already
            source = text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else ""
            problem = explain_yaml_problem(exc.problem, source)
        raise YamlSyntaxError(line, f"YAML tidak valid: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(first_line, f"YAML tidak valid: {explain_yaml_problem(str(exc), '')}") from None
    if first_line != 1:
        _shift_lines(data, first_line - 1)
    return data


# PyYAML's problems (libyaml's and the pure-Python parser's wording) in Indonesian, for the
# staff who edit content: the first entry whose text appears in the problem wins.
YAML_PROBLEMS = (
    ("tab", "ada karakter tab di awal atau di dalam baris; pakai spasi, bukan tab"),
    ("cannot start any token", "ada tanda yang tidak boleh mengawali nilai (misalnya @ atau `); "
                               "beri tanda kutip pada teksnya"),
    ("mapping values are not allowed", "tanda titik dua ':' di tempat yang salah; teks yang memuat ': ' "
                                       "harus diberi tanda kutip, dan setiap kunci ditulis di barisnya sendiri"),
    ("',' or ']'", "daftar dalam kurung siku belum ditutup dengan ']' (atau ada koma yang hilang)"),
    ("',' or '}'", "bagian dalam kurung kurawal belum ditutup dengan '}' (atau ada koma yang hilang)"),
    ("unexpected end of stream", "tanda kutip belum ditutup sampai akhir berkas"),
    ("expected '-' indicator", "butir daftar tidak rata: setiap butir diawali '- ' dengan jumlah spasi yang sama"),
    ("expected key", "jumlah spasi di awal baris tidak rata dengan baris sebelumnya"),
    ("expected <block end>", "jumlah spasi di awal baris tidak rata dengan baris sebelumnya"),
    ("could not find expected ':'", "baris ini tidak berbentuk 'kunci: nilai' (titik dua dan spasi tidak ada)"),
    ("undefined alias", "nilai yang diawali '*' dibaca sebagai rujukan; beri tanda kutip pada teksnya"),
    ("unknown escape character", "garis miring terbalik di dalam tanda kutip ganda; tulis \\\\ "
                                 "atau pakai tanda kutip tunggal"),
    ("block sequence entries are not allowed", "butir daftar '- ' harus di baris baru di bawah kuncinya"),
    ("expected comment or line break", "ada teks setelah nilai yang sudah selesai; beri tanda kutip pada "
                                       "seluruh nilai"),
    ("expected node content", "nilai tidak lengkap, atau ada koma atau kurung yang tidak pada tempatnya"),
    ("control characters are not allowed", "ada karakter tak terlihat yang tidak boleh ada; ketik ulang baris ini"),
    ("special characters are not allowed", "ada karakter tak terlihat yang tidak boleh ada; ketik ulang baris ini"),
)
YAML_PROBLEM_UNKNOWN = "penulisan tidak bisa dibaca; periksa spasi di awal baris, tanda titik dua dan tanda kutip"


def explain_yaml_problem(problem: str, line_text: str = "") -> str:
    """What a YAML parser problem means, in Indonesian (`line_text`: the line it points at)."""
    if "\t" in line_text:
        return YAML_PROBLEMS[0][1]
    return next((text for key, text in YAML_PROBLEMS if key in problem), YAML_PROBLEM_UNKNOWN)


def read_tree(path: Path) -> Any:
    """Read a YAML file, or its compiled `.json` twin when one sits next to it."""
    compiled = path.with_name(path.name + COMPILED_SUFFIX)
    if compiled.is_file():
        return from_jsonable(json.loads(compiled.read_text(encoding="utf-8")))
    return parse_yaml(path.read_text(encoding="utf-8"))


def to_jsonable(data: Any) -> Any:
    """A parsed tree as JSON, keeping the line numbers (for `functions/build.py`)."""
    if isinstance(data, LineDict):
        return {"__line__": data.line, "__key_lines__": data.key_lines,
                "__items__": {str(k): to_jsonable(v) for k, v in data.items()}}
    if isinstance(data, LineList):
        return {"__line__": data.line, "__item_lines__": data.item_lines,
                "__list__": [to_jsonable(v) for v in data]}
    return data


def from_jsonable(data: Any) -> Any:
    if isinstance(data, dict) and "__items__" in data:
        result = LineDict((k, from_jsonable(v)) for k, v in data["__items__"].items())
        result.line, result.key_lines = data["__line__"], data["__key_lines__"]
        return result
    if isinstance(data, dict) and "__list__" in data:
        items = LineList(from_jsonable(v) for v in data["__list__"])
        items.line, items.item_lines = data["__line__"], data["__item_lines__"]
        return items
    return data


def _shift_lines(data: Any, offset: int) -> None:
    if isinstance(data, LineDict):
        data.line += offset
        data.key_lines = {k: v + offset for k, v in data.key_lines.items()}
        for value in data.values():
            _shift_lines(value, offset)
    elif isinstance(data, LineList):
        data.line += offset
        data.item_lines = [v + offset for v in data.item_lines]
        for value in data:
            _shift_lines(value, offset)
