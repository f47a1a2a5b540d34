"""Markdown front matter with line numbers, on top of the shared YAML reader.

The line-tracking YAML reader lives in `chalicelib.yamlfile` because the
functions' form loader needs the same one and cannot import the site.
"""

from __future__ import annotations

import re
from pathlib import Path

from chalicelib.yamlfile import LineDict, LineList, YamlSyntaxError, parse_yaml

__all__ = ["LineDict", "LineList", "YamlSyntaxError", "parse_yaml", "read_front_matter"]

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?", re.S | re.M)


def read_front_matter(path: Path) -> tuple[LineDict, str, int]:
    """Split a markdown file into (front matter, body, line where the body starts)."""
    text = path.read_text(encoding="utf-8")
    match = _FRONT_MATTER.match(text)
    if not match:
        raise YamlSyntaxError(1, "berkas harus diawali front matter YAML di antara dua baris '---'")
    meta = parse_yaml(match.group(1), first_line=2)
    if not isinstance(meta, dict):
        raise YamlSyntaxError(2, "front matter harus berupa pasangan 'kunci: nilai'")
    body_line = text[: match.end()].count("\n") + 1
    return meta, text[match.end():], body_line
