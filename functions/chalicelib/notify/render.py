"""Fill a template for one event: the email's subject, plain text and HTML, and the SMS text.

    rendered = render(messages, event, site_url="https://layanan.example.go.id")
    rendered.subject, rendered.text, rendered.html, rendered.sms

Substitution is :class:`string.Template` (``${name}``), with a fixed set of placeholders
per event, checked when the templates load: no template language runs here. Two rules
keep messages tidy:

* a line whose placeholders are all empty is left out (``Catatan petugas: ${note}``
  disappears when staff wrote no note), and runs of blank lines shrink to one;
* in the HTML part every value is escaped, and a link placeholder becomes an anchor
  whose visible text leaves out the status credential (it stays in the ``href``).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from string import Template
from urllib.parse import urlsplit, urlunsplit

from .events import Event, common_values
from .templates import Messages, placeholders_in

__all__ = ["LINKS", "Rendered", "render", "render_html", "render_lines", "render_text"]

LINKS = frozenset({"status_link"})
"""Placeholders holding a URL (anchors in HTML)."""

_STYLE = ("font-family: Arial, Helvetica, sans-serif; font-size: 16px; line-height: 1.5; "
          "color: #1a1a1a; max-width: 40em;")


@dataclass(frozen=True)
class Rendered:
    """One event's message, ready for any sender."""

    template_id: str
    subject: str
    text: str
    html: str
    sms: str | None


def render(messages: Messages, event: Event, *, site_url: str) -> Rendered:
    """Fill the event's template (and the closing text of emails) with the event's values."""
    template = messages[event.template_id]
    values = {**common_values(event, messages.office, site_url), **event.values()}
    footer = messages.footer
    subject = " ".join(Template(template.subject).safe_substitute(values).split())
    text = render_text(template.body, values)
    closing = render_text(footer, values)
    if closing:
        text = f"{text}\n\n{closing}"
    body_html = render_html(template.body, values)
    closing_html = render_html(footer, values)
    document = (
        '<!DOCTYPE html>\n<html lang="id">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(subject)}</title>\n</head>\n<body style=\"{_STYLE}\">\n"
        f"{body_html}\n{closing_html}\n</body>\n</html>\n"
    )
    sms = None
    if template.sms:
        sms = " ".join(Template(template.sms).safe_substitute(values).split())
    return Rendered(template.id, subject,
                    text + "\n", document, sms)


def render_lines(template: str, values: Mapping[str, str]) -> list[str]:
    """The template's lines to keep: those with a non-empty placeholder or none at all."""
    kept: list[str] = []
    for line in template.splitlines():
        names = [name for name, _ in placeholders_in(line) if name]
        if names and all(not values.get(name, "").strip() for name in names):
            continue
        if not line.strip() and (not kept or not kept[-1].strip()):
            continue
        kept.append(line.rstrip())
    while kept and not kept[-1].strip():
        kept.pop()
    return kept


def render_text(template: str, values: Mapping[str, str]) -> str:
    """Plain text: kept lines with their placeholders filled."""
    return "\n".join(Template(line).safe_substitute(values) for line in render_lines(template, values))


def render_html(template: str, values: Mapping[str, str]) -> str:
    """HTML paragraphs (blank lines separate them), every value escaped."""
    paragraphs: list[list[str]] = [[]]
    for line in render_lines(template, values):
        if not line.strip():
            paragraphs.append([])
        else:
            paragraphs[-1].append(_html_line(line, values))
    return "\n".join("<p>" + "<br>\n".join(lines) + "</p>" for lines in paragraphs if lines)


def _html_line(line: str, values: Mapping[str, str]) -> str:
    out: list[str] = []
    position = 0
    for match in Template.pattern.finditer(line):
        out.append(html.escape(line[position:match.start()]))
        position = match.end()
        name = match.group("named") or match.group("braced")
        if match.group("escaped") is not None:
            out.append("$")
        elif name is None or name not in values:
            out.append(html.escape(match.group(0)))
        elif name in LINKS and values[name]:
            url = values[name]
            out.append(f'<a href="{html.escape(url)}">{html.escape(_visible(url))}</a>')
        else:
            out.append(html.escape(values[name]).replace("\n", "<br>\n"))
    out.append(html.escape(line[position:]))
    return "".join(out)


def _visible(url: str) -> str:
    """The URL without any ``token`` in its fragment (what the reader sees of a link)."""
    parts = urlsplit(url)
    kept = [item for item in parts.fragment.split("&") if item and not item.startswith("token=")]
    return urlunsplit(parts._replace(fragment="&".join(kept)))
