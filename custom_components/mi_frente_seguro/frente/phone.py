"""Phone numbers of coordinators, members and police quadrants, normalised to E.164.

Colombian numbers are written many ways ("300 123 4567", "+57 300-123-4567", "(605) 660 1234");
we store one form, ``+<country><number>``, so messages to the police and notification
services get a number they can dial. Only ASCII digits count: a regex's Unicode digit class
would also take Arabic-Indic or Devanagari digits, and "+57٣٠٠..." is not a number to dial.
"""

from __future__ import annotations

import re

COLOMBIA_CODE = "57"
_SEPARATORS = re.compile(r"[\s().\-/]")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
# Colombian national numbers have 10 digits: mobiles start with 3, landlines with 60.
_CO_NATIONAL = re.compile(r"(3[0-9]{9}|60[0-9]{8})")


class InvalidPhoneError(ValueError):
    """Raised when a text is not a phone number we can dial."""


def normalize_phone(raw: object) -> str:
    """Return ``raw`` as an E.164 number, or raise :class:`InvalidPhoneError`.

    International numbers (``+`` or ``00`` prefix) are kept as given; a 10-digit Colombian
    mobile (3xx) or landline (60x) number gets the +57 prefix. Anything but text is not a
    phone number either.
    """
    if not isinstance(raw, str):
        raise InvalidPhoneError(repr(raw)[:40])
    text = _SEPARATORS.sub("", raw.strip())
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("+"):
        if text.startswith("+" + COLOMBIA_CODE):
            national = text[1 + len(COLOMBIA_CODE) :]
            if not _CO_NATIONAL.fullmatch(national):
                raise InvalidPhoneError(raw)
        if not _E164.fullmatch(text):
            raise InvalidPhoneError(raw)
        return text
    if _CO_NATIONAL.fullmatch(text):
        return f"+{COLOMBIA_CODE}{text}"
    raise InvalidPhoneError(raw)
