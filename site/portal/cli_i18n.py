"""click's own messages in Indonesian, for staff at a terminal.

click writes its usage errors through `gettext` ("Missing option '--by'",
"Try 'portal --help' for help."), and no Indonesian catalogue ships with it.
`install()` points click's modules at this table instead; a message not in the
table stays as click wrote it. Only `portal` (cli.py) installs it.
"""

from __future__ import annotations

import importlib

__all__ = ["MESSAGES", "install"]

MESSAGES: dict[str, str] = {
    "Error: {message}": "Galat: {message}",
    "Try '{command} {option}' for help.": "Ketik '{command} {option}' untuk bantuan.",
    "Usage:": "Cara pakai:",
    "Options": "Pilihan",
    "Commands": "Perintah",
    "Show this message and exit.": "Tampilkan bantuan ini lalu keluar.",
    "default: {default}": "bawaan: {default}",
    "required": "wajib",
    "Missing argument": "Argumen wajib belum diisi",
    "Missing option": "Pilihan wajib belum diisi",
    "Missing parameter": "Isian wajib belum diisi",
    "Missing {param_type}": "{param_type} wajib belum diisi",
    "Missing parameter: {param_name}": "Isian wajib belum diisi: {param_name}",
    "Missing command.": "Perintahnya belum ditulis.",
    "Invalid value: {message}": "Nilai tidak valid: {message}",
    "Invalid value for {param_hint}: {message}": "Nilai {param_hint} tidak valid: {message}",
    "No such option {name!r}.": "Pilihan {name!r} tidak dikenal.",
    "No such command {name!r}.": "Perintah {name!r} tidak dikenal.",
    "Did you mean {possibility}?": "Maksudnya {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Maksudnya salah satu dari: {possibilities}?)",
    "Option {name!r} does not take a value.": "Pilihan {name!r} tidak memakai nilai.",
    "Option {name!r} requires an argument.": "Pilihan {name!r} perlu diberi nilai.",
    "Option {name!r} requires {nargs} arguments.": "Pilihan {name!r} perlu diberi {nargs} nilai.",
    "Got unexpected extra argument ({args})": "Ada tambahan yang tidak dikenal ({args})",
    "Got unexpected extra arguments ({args})": "Ada tambahan yang tidak dikenal ({args})",
    "{value!r} is not a valid {number_type}.": "{value!r} bukan angka yang sah ({number_type}).",
    "{value} is not in the range {range}.": "{value} di luar rentang {range}.",
    "{value!r} is not {choice}.": "{value!r} bukan {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} bukan salah satu dari {choices}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} tidak ada.",
    "{name} {filename!r} is a file.": "{name} {filename!r} adalah berkas, bukan folder.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} adalah folder, bukan berkas.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} tidak bisa dibaca.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} tidak bisa ditulisi.",
    "Could not open file {filename!r}: {message}": "Berkas {filename!r} tidak bisa dibuka: {message}",
    "file": "Berkas",
    "directory": "Folder",
    "path": "Lokasi",
    "Aborted!": "Dibatalkan.",
    "Do you want to continue?": "Lanjutkan?",
}
_MODULES = ("click.core", "click.exceptions", "click.parser", "click.types", "click.formatting",
            "click.decorators", "click.termui", "click.utils")


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return gettext(singular if count == 1 else plural)


def install() -> None:
    """Make click's modules look their messages up here (they call `_` and `ngettext` by name)."""
    for name in _MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
