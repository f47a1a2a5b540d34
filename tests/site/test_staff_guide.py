"""The staff guide (content/pages/panduan-staf.md) cannot drift from the code.

Every message the content checker can print is read from the source (``ast``): the
fixed parts of each f-string must appear, in order, in one row of the guide's tables.
The guide's complete example must be a valid closure, and the site must build with it.
"""

from __future__ import annotations

import ast
import html
import re
from datetime import date
from pathlib import Path

import pytest
from portal.content import load_content
from portal.dates import format_date_id

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "content" / "pages" / "panduan-staf.md"
SOURCES = {
    "content": ROOT / "site" / "portal" / "content.py",
    "checking": ROOT / "site" / "portal" / "checking.py",
    "site.yml": ROOT / "site" / "portal" / "sitefile.py",
    "offices.yml": ROOT / "site" / "portal" / "offices.py",
    "front matter": ROOT / "site" / "portal" / "yamlfile.py",
    "yaml": ROOT / "functions" / "chalicelib" / "yamlfile.py",
    "retention": ROOT / "functions" / "chalicelib" / "retention.py",
    "cli": ROOT / "site" / "portal" / "cli.py",
}


# --------------------------------------------------------------------------- message extraction


def _message_argument(call: ast.Call) -> ast.expr | None:
    """The message of ``check.error(line, msg)``, ``check.warn(line, msg)``, ``Problem(path, line, msg)``,
    ``YamlSyntaxError(line, msg)``, ``ConstructorError(None, None, msg, mark)`` and
    ``click.ClickException(msg)``."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    positions = {"error": (2, 1), "warn": (2, 1), "Problem": (3, 2), "YamlSyntaxError": (2, 1),
                 "ConstructorError": (4, 2), "ClickException": (1, 0)}
    if name in positions and len(call.args) == positions[name][0]:
        return call.args[positions[name][1]]
    return None


def _templates(node: ast.expr, assigned: dict[str, list[ast.expr]]) -> list[list[str | None]]:
    """Every way a message expression can read: fixed text, with None for each placeholder."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [[node.value]]
    if isinstance(node, ast.JoinedStr):
        return [[part.value if isinstance(part, ast.Constant) else None for part in node.values]]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [a + b for a in _templates(node.left, assigned)
                for b in _templates(node.right, assigned)]
    if isinstance(node, ast.IfExp):
        return _templates(node.body, assigned) + _templates(node.orelse, assigned)
    if isinstance(node, ast.Name) and node.id in assigned:
        return [t for value in assigned[node.id] for t in _templates(value, assigned)]
    return [[None]]  # passed through from elsewhere (an exception's message, a parameter)


def checker_messages() -> list[tuple[str, list[str]]]:
    """``(where, fixed parts)`` of every message ``portal check`` can print."""
    found = []
    for label, path in SOURCES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        if label == "cli":  # only the check command's own summary line
            functions = [f for f in functions if f.name == "check"]
        for function in functions:
            assigned: dict[str, list[ast.expr]] = {}
            for node in ast.walk(function):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            assigned.setdefault(target.id, []).append(node.value)
            for node in ast.walk(function):
                message = _message_argument(node) if isinstance(node, ast.Call) else None
                if message is None:
                    continue
                for template in _templates(message, assigned):
                    parts = [p.strip() for p in template if p is not None and p.strip()]
                    if parts:
                        where = f"{path.relative_to(ROOT)}:{node.lineno}"
                        found.append((where, parts))
    return found


def table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|")]


def in_order(parts: list[str], row: str) -> bool:
    position = 0
    for part in parts:
        position = row.find(part, position)
        if position < 0:
            return False
        position += len(part)
    return True


def test_the_extraction_finds_the_messages():
    messages = {" … ".join(parts) for _, parts in checker_messages()}
    assert len(messages) >= 35
    assert "kantor ' … ' tidak ada di offices.yml" in messages
    assert "belum ada kontak kantor (phone, whatsapp, sms, email atau address): warga tidak tahu cara " \
           "menghubungi kantor" in messages  # a warning
    assert "'days' harus bilangan bulat 1 sampai" in messages
    assert "YAML tidak valid:" in messages
    assert "masalah ditemukan; situs tidak akan dibangun." in messages


def test_every_checker_message_is_explained_in_the_guide():
    rows = table_rows(GUIDE.read_text(encoding="utf-8"))
    missing = [f"{where}: {' … '.join(parts)}" for where, parts in checker_messages()
               if not any(in_order(parts, row) for row in rows)]
    assert not missing, "add these messages to the table in content/pages/panduan-staf.md:\n" + \
        "\n".join(missing)


# --------------------------------------------------------------------------- the example


def guide_example() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    match = re.search(r"<pre><code>(---\n.*?)</code></pre>", text, re.S)
    assert match, "the complete example (a <pre><code> block) is missing"
    return html.unescape(match.group(1))


def test_the_complete_example_is_a_valid_closure(shipped):
    path = shipped.write("announcements/2026-12-01-bawen-bergas-tutup.md", guide_example())
    content = load_content(shipped.root)
    (made,) = [a for a in content.announcements if a.path == path]
    closure = made.closure
    assert closure.offices == ("bawen", "bergas")
    assert (closure.first_day, closure.last_day) == (date(2026, 12, 1), date(2026, 12, 3))
    for day in (closure.first_day, closure.last_day, closure.reopens):  # the body's dates
        assert format_date_id(day) in made.body.replace("**", "").replace("\n", " ")
    assert "[daring](formulir:)" in closure.instead


def test_internal_link_examples_are_written_so_the_site_shows_them_as_typed():
    text = GUIDE.read_text(encoding="utf-8")
    # `](formulir:` in the page source would be rewritten into a URL by the build hook.
    assert not re.search(r"\]\(\s*(kantor|layanan|formulir|pengumuman|kontak):", text)
    assert "[teks]&#40;formulir:ktp-el-baru)" in text


@pytest.mark.slow
def test_the_guide_builds_strictly_shows_the_examples_as_typed_and_is_not_searched(tmp_path):
    from buildutil import build_site, page

    out = tmp_path / "site"
    build_site(ROOT / "content", out)
    soup = page(out, "panduan-staf")
    example = "\n".join(pre.get_text() for pre in soup.select("article pre"))
    assert "instead: Ajukan secara [daring](formulir:) atau datang ke [kantor Dinas](kantor:dinas)." \
        in example
    codes = [code.get_text() for code in soup.select("article p code")]
    assert "[teks](formulir:ktp-el-baru)" in codes
    assert soup.select_one("article table") is not None
    index = (out / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "panduan-staf" not in index  # every visitor downloads the index: staff text stays out
