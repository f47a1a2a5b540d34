"""Who a notification goes to: the resident's answers to the form's email and phone questions.

    contact = contact_for(form, record["values"])
    contact.email       # 'siti@contoh.id' or None
    contact.phone       # '+6281234567890' (E.164, a mobile number) or None

Email is preferred; an SMS goes only to residents who gave no email address (and only
when SMS is switched on). A phone number that cannot take an SMS (a landline) is left
out. Nothing here logs the values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..forms import FormDefinition

__all__ = ["Contact", "contact_for"]


@dataclass(frozen=True)
class Contact:
    """Where to reach the resident; either may be ``None``."""

    email: str | None = None
    phone: str | None = None

    def __repr__(self) -> str:  # never print an address or number by accident
        return f"Contact(email={'yes' if self.email else 'no'}, phone={'yes' if self.phone else 'no'})"


def contact_for(form: FormDefinition | None, values: Mapping[str, Any] | None) -> Contact:
    """The first answered ``email`` field and the first answered ``phone`` field that can take SMS.

    ``values`` are the stored (normalised) answers: phone numbers are E.164 already.
    """
    if form is None or not isinstance(values, Mapping):
        return Contact()
    email = phone = None
    for spec in form.fields:
        answer = values.get(spec.id)
        if not isinstance(answer, str) or not answer.strip():
            continue
        if spec.type == "email" and email is None and "@" in answer:
            email = answer.strip()
        elif spec.type == "phone" and phone is None and _takes_sms(answer.strip()):
            phone = answer.strip()
    return Contact(email, phone)


def _takes_sms(number: str) -> bool:
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number, "ID")
    except phonenumbers.NumberParseException:
        return False
    kinds = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    return phonenumbers.is_valid_number(parsed) and phonenumbers.number_type(parsed) in kinds
