"""`content/site.yml`: the office's identity and how residents reach it.

Everything a fork changes about who runs the site lives here: the site's name
(the build sets MkDocs' `site_name` from it), the short name the phone header
shows, and the contact channels printed on the home page, guides, forms, the
footer, the contact page and the 404 page. A channel left empty is left out,
never guessed; a site with no channel at all is a warning, not an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .checking import Checker, Problem, read_yaml_file
from .yamlfile import LineDict

# The header of a 360 px wide phone shows about this many characters next to
# the menu, logo and search buttons before Material cuts the name off.
MAX_SHORT_NAME = 26
PHONE = re.compile(r"^\+?[0-9(][0-9()\-. ]*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
PHONE_EXAMPLE = "(024) 6921105 atau 0812 3456 7890"


@dataclass(frozen=True)
class Site:
    regency: str
    province: str
    office_name: str
    office_short_name: str
    site_name: str  # the site's title (MkDocs site_name): browser tab, header, feeds
    short_name: str  # what the header shows on a phone
    address: str
    phones: tuple[str, ...]
    whatsapp: str
    sms: str
    email: str
    website: str
    hours: dict[str, str] = field(hash=False, compare=False)  # empty: not published
    contact_source: str = ""  # markdown: where the contacts were published, and when
    timezone: str = "Asia/Jakarta"
    data_credit: str = ""

    @property
    def phone(self) -> str:
        """The first telephone number (the one written where only one fits)."""
        return self.phones[0] if self.phones else ""

    @property
    def has_contact(self) -> bool:
        return bool(self.phones or self.whatsapp or self.sms or self.email or self.address)


SITE_KEYS = {"regency", "province", "office_name", "office_short_name", "site_name", "short_name", "address",
             "phone", "whatsapp", "sms", "email", "website", "hours", "contact_source", "timezone",
             "data_credit"}
_OPTIONAL = SITE_KEYS - {"regency", "office_name", "timezone"}
_TEXT_KEYS = SITE_KEYS - {"phone", "hours"}


def load_site(path: Path, problems: list[Problem], warnings: list[Problem]) -> Site | None:
    check = Checker(path, problems, warnings)
    raw = read_yaml_file(path, problems)
    data = check.mapping(raw, "site.yml") if raw is not None else None
    if data is None:
        return None
    check.unknown_keys(data, SITE_KEYS, "site.yml")
    values = {key: check.text(data, key, "site.yml", required=key not in _OPTIONAL) for key in _TEXT_KEYS}
    if values["timezone"] and values["timezone"] != "Asia/Jakarta":
        # The status logic, the ICS files and the texts all say WIB.
        check.error(data.line_of("timezone"), "timezone harus 'Asia/Jakarta' (WIB)")
    values["office_short_name"] = values["office_short_name"] or values["office_name"]
    values["site_name"] = values["site_name"] or values["office_short_name"]
    values["short_name"] = values["short_name"] or values["site_name"]
    length = len(values["short_name"])
    if "short_name" in data and length > MAX_SHORT_NAME:
        check.error(data.line_of("short_name"), f"'short_name' paling banyak {MAX_SHORT_NAME} karakter agar muat "
                                                f"di kepala halaman pada layar HP (sekarang {length})")
    phones = _phones(check, data)
    for key in ("whatsapp", "sms"):
        _check_number(check, data, key, values[key])
    if values["email"] and not EMAIL.match(values["email"]):
        check.error(data.line_of("email"), f"'email': '{values['email']}' bukan alamat email "
                                           "(contoh: dukcapil@contoh.go.id)")
    if values["website"] and not values["website"].startswith(("http://", "https://")):
        check.error(data.line_of("website"), "'website' harus diawali http:// atau https://")
    site = Site(**values, phones=phones, hours=check.hours(data))
    if not site.has_contact:
        check.warn(data.line, "belum ada kontak kantor (phone, whatsapp, sms, email atau address): "
                              "warga tidak tahu cara menghubungi kantor")
    elif not site.contact_source:
        check.warn(data.line_of("phone"), "'contact_source' kosong: tulis dari mana kontak ini diambil "
                                          "dan tanggalnya, agar warga tahu kontak itu resmi")
    return site


def _phones(check: Checker, data: LineDict) -> tuple[str, ...]:
    """`phone` is one number or a list of numbers."""
    value = data.get("phone")
    if value is None or value == "" or value == []:
        return ()
    if isinstance(value, list):
        numbers = [str(v).strip() for v in value if isinstance(v, (str, int)) and str(v).strip()]
        if len(numbers) != len(value):
            check.error(data.line_of("phone"), "'phone' harus berupa nomor telepon atau daftar nomor telepon")
            return ()
    elif isinstance(value, (str, int)) and not isinstance(value, bool):
        numbers = [str(value).strip()]
    else:
        check.error(data.line_of("phone"), "'phone' harus berupa nomor telepon atau daftar nomor telepon")
        return ()
    for number in numbers:
        _check_number(check, data, "phone", number)
    return tuple(numbers)


def _check_number(check: Checker, data: LineDict, key: str, number: str) -> None:
    digits = sum(c.isdigit() for c in number)
    if number and not (PHONE.match(number) and 6 <= digits <= 15):
        check.error(data.line_of(key), f"'{key}': '{number}' bukan nomor telepon (contoh: {PHONE_EXAMPLE})")
