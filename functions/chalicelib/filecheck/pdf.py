"""PDF structure and active content, read with pypdf (pure Python: no native code in Lambda).

    pages = check_pdf(data)                    # raises Refused(code, ...)

A PDF is accepted when pypdf parses it, it is not encrypted, it has 1..``MAX_PAGES``
pages, nothing but whitespace follows its last ``%%EOF``, and no object reachable from
its trailer holds active content. Every dictionary and array reachable from the trailer
is visited once (indirect objects by number), streams' dictionaries included, their data
not decoded: a content stream cannot act by itself. Refused, by code:

``pdf_javascript``
    ``/JS``, a ``/JavaScript`` name tree or action, anywhere.
``pdf_launch``
    a ``/Launch`` action (runs a program or opens a file).
``pdf_embedded_file``
    ``/EmbeddedFiles``, ``/EF``, an ``/EmbeddedFile`` stream, a file-attachment or
    rich-media annotation.
``pdf_xfa``
    an XFA form (``/XFA``): XML forms with their own scripts.
``pdf_auto_action``
    actions that run by themselves: additional actions (``/AA``: page open/close, field
    events) and an ``/OpenAction`` other than showing a page (a destination array or a
    ``/GoTo``, which many generators write to set the first view, is accepted).
``pdf_action``
    any other action than ``/GoTo`` (go to a page) and ``/URI`` on a link the reader
    clicks: ``/SubmitForm``, ``/ImportData``, ``/GoToR``, ``/GoToE``, media, ``/Named``...

Why ``/URI`` links are accepted: they act only when clicked, readers show the address and
ask first, and phone scanner apps put a link on their watermark; refusing them would turn
away ordinary scans. An ``/OpenAction`` or ``/AA`` that opens an address is refused
(``pdf_auto_action``) since it acts without a click.

Bounds: ``MAX_PAGES`` pages, ``MAX_NODES`` dictionaries/arrays visited, ``TIME_LIMIT``
seconds (``file_too_complex``); pypdf's own limits cap decompression of object streams.
"""

from __future__ import annotations

import io
import time

from .errors import Refused

MAX_PAGES = 50
MAX_NODES = 200_000
TIME_LIMIT = 10.0  # seconds; the function's timeout is 30 s
_TRAILING_OK = b" \t\r\n\f\x00"
_ALLOWED_ACTIONS = frozenset({"/GoTo", "/URI"})
_ACTION_KEYS = ("/A", "/PA", "/Next")
_PRIORITY = (
    "pdf_launch", "pdf_javascript", "pdf_embedded_file", "pdf_xfa", "pdf_auto_action",
    "pdf_action",
)


def check_pdf(data: bytes, *, clock=time.monotonic) -> int:
    """Return the page count of an acceptable PDF.

    Raises
    ------
    Refused
        With one of the codes in the module docstring, or ``pdf_unreadable``,
        ``pdf_encrypted``, ``pdf_empty``, ``pdf_too_many_pages`` (``pages``, ``limit``),
        ``file_trailing_data``, ``file_too_complex``.
    """
    _check_end(data)
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
        trailer = reader.trailer
    except Exception:  # pypdf raises PdfReadError, ValueError, KeyError, RecursionError...
        raise Refused("pdf_unreadable") from None
    if encrypted:
        raise Refused("pdf_encrypted")
    found = _walk(trailer, deadline=clock() + TIME_LIMIT, clock=clock)
    for code in _PRIORITY:
        if code in found:
            raise Refused(code)
    try:
        pages = len(reader.pages)
    except Exception:
        raise Refused("pdf_unreadable") from None
    if pages == 0:
        raise Refused("pdf_empty")
    if pages > MAX_PAGES:
        raise Refused("pdf_too_many_pages", pages=pages, limit=MAX_PAGES)
    return pages


def _check_end(data: bytes) -> None:
    """The file must end with ``%%EOF`` and at most whitespace (a truncated or appended file
    fails here)."""
    last = data.rfind(b"%%EOF")
    if last < 0:
        raise Refused("pdf_unreadable")
    if data[last + 5 :].strip(_TRAILING_OK):
        raise Refused("file_trailing_data")


def _walk(trailer, *, deadline: float, clock) -> set[str]:
    """Visit every object reachable from the trailer; return the problem codes found."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list = [trailer]
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            ref = (node.idnum, node.generation)
            if ref in seen:
                continue
            seen.add(ref)
            try:
                node = node.get_object()
            except Exception:
                raise Refused("pdf_unreadable") from None
        if not isinstance(node, DictionaryObject | ArrayObject):
            continue
        visited += 1
        if visited > MAX_NODES or (visited % 64 == 0 and clock() > deadline):
            raise Refused("file_too_complex")
        if isinstance(node, ArrayObject):
            stack.extend(item for item in node if isinstance(item, IndirectObject | DictionaryObject
                                                                  | ArrayObject))
            continue
        found |= _dictionary_problems(node)
        stack.extend(node.values())
    return found


def _dictionary_problems(node) -> set[str]:
    """Problems one dictionary shows by its own keys (its children are visited later)."""
    found: set[str] = set()
    keys = set(node.keys())
    if keys & {"/JS", "/JavaScript"}:
        found.add("pdf_javascript")
    kind, subtype = _resolve(node.get("/Type")), _resolve(node.get("/Subtype"))
    if keys & {"/EmbeddedFiles", "/EF"} or kind == "/EmbeddedFile":
        found.add("pdf_embedded_file")
    if subtype in ("/FileAttachment", "/RichMedia"):
        found.add("pdf_embedded_file")
    if "/XFA" in keys:
        found.add("pdf_xfa")
    if "/AA" in keys and _resolve(node["/AA"]):
        found.add("pdf_auto_action")
    if "/OpenAction" in keys:
        found |= _open_action_problems(_resolve(node["/OpenAction"]))
    for key in _ACTION_KEYS:
        if key in keys:
            found |= _action_problems(_resolve(node[key]))
    if kind == "/Action":
        found |= _action_problems(node)
    return found


def _open_action_problems(action) -> set[str]:
    from pypdf.generic import DictionaryObject

    if not isinstance(action, DictionaryObject):
        return set()  # a destination array: show this page at this zoom
    found = _action_problems(action)
    if _resolve(action.get("/S")) != "/GoTo":
        found.add("pdf_auto_action")
    return found


def _action_problems(action) -> set[str]:
    from pypdf.generic import ArrayObject, DictionaryObject

    if isinstance(action, ArrayObject):  # /Next may list several actions
        return set().union(*(_action_problems(_resolve(item)) for item in action))
    if not isinstance(action, DictionaryObject) or "/S" not in action:
        return set()  # not an action (a structure element's /A holds attributes)
    kind = _resolve(action.get("/S"))
    if kind == "/JavaScript":
        return {"pdf_javascript"}
    if kind == "/Launch":
        return {"pdf_launch"}
    return set() if kind in _ALLOWED_ACTIONS else {"pdf_action"}


def _resolve(value):
    try:
        return value.get_object() if hasattr(value, "get_object") else value
    except Exception:
        raise Refused("pdf_unreadable") from None
