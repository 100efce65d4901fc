"""A security front (frente de seguridad): who, where, and which police quadrant covers it.

Every setting is hostile until checked: text that cannot be stored or sent (a lone UTF-16
surrogate, control characters other than the tabs and line breaks that are folded into
spaces) is refused as ``invalid_text``, and a latitude, longitude or radius that is not a
finite number in range as ``invalid_number``, each with an :class:`InvalidFrontError`
naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import re
from typing import Any
import unicodedata

from .text import (
    InvalidFieldError,
    InvalidInputError,
    finite_number,
    safe_text,
    text_problem,
)

MAX_TEXT = 100
# What each number of a front may be: degrees of WGS 84, and metres (the CAP circle).
NUMBER_RANGES = {
    "latitude": (-90.0, 90.0),
    "longitude": (-180.0, 180.0),
    "radius": (0.0, 1_000_000.0),
    "drill_day": (0.0, 28.0),  # day of the month of the drill reminder (0: none)
    "cancel_window": (0.0, 900.0),  # seconds a sender may cancel their own alarm
}
_CUADRANTE = re.compile(r"[A-Z0-9][A-Z0-9 _\-]{0,31}")
_NON_SLUG = re.compile(r"[^a-z0-9]+")


class InvalidFrontError(InvalidFieldError):
    """Raised when a front's settings are not valid; ``field`` names the culprit.

    ``reason`` is a translation key.
    """


def slugify(text: str) -> str:
    """Return a lowercase ASCII slug: accents dropped, runs of other characters as ``_``."""
    ascii_text = (
        unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    )
    return _NON_SLUG.sub("_", ascii_text.lower()).strip("_")


def make_front_id(barrio: str, name: str) -> str:
    """Return the stable id of a front, used in unique ids and MQTT topics.

    It is derived once, when the front is created, and never changes afterwards, even if
    the front is renamed.
    """
    slug = slugify(f"{barrio} {name}")
    if not slug:
        raise InvalidFrontError("name", "invalid_name")
    return slug


def clean_text(field: str, value: str, *, required: bool = True) -> str:
    """Fold ``value``'s whitespace and check it; raise :class:`InvalidFrontError` when wrong.

    Tabs and line breaks become single spaces; other control characters and lone
    surrogates are refused (``invalid_text``), as are empty (when ``required``) and long
    texts.
    """
    if not isinstance(value, str) or text_problem(value, multiline=True) is not None:
        raise InvalidFrontError(field, "invalid_text")
    text = " ".join(value.split())
    if required and not text:
        raise InvalidFrontError(field, "required")
    if len(text) > MAX_TEXT:
        raise InvalidFrontError(field, "too_long")
    return text


def clean_number(field: str, value: object) -> float:
    """Return ``value`` (a number, or its text) as a finite float in ``field``'s range.

    ``field`` is a key of :data:`NUMBER_RANGES` (latitude, longitude, radius...); NaN,
    infinities, booleans, other types and numbers out of range raise
    :class:`InvalidFrontError` (``invalid_number``).
    """
    low, high = NUMBER_RANGES[field]
    number = value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError as err:
            raise InvalidFrontError(field, "invalid_number") from err
    try:
        return finite_number(number, field, low=low, high=high)
    except (InvalidInputError, OverflowError) as err:  # OverflowError: float(10**400)
        raise InvalidFrontError(field, "invalid_number") from err


def clean_cuadrante_code(value: str) -> str:
    """Return a police quadrant code in upper case (e.g. ``MECAR-E1-C3``) or raise."""
    code = " ".join(value.split()).upper()
    if not _CUADRANTE.fullmatch(code):
        raise InvalidFrontError("cuadrante_code", "invalid_cuadrante")
    return code


@dataclass(frozen=True, slots=True)
class Front:
    """The settings of one front, as the coordinator entered them."""

    front_id: str
    name: str
    barrio: str
    address: str
    latitude: float
    longitude: float
    radius: float
    cuadrante_code: str
    cuadrante_name: str
    cuadrante_phone: str
    coordinator_name: str
    coordinator_phone: str

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Front:
        """Build a front from stored settings (a config entry's data and options merged).

        Stored settings are checked again (an entry may predate the checks or have been
        edited by hand): a front id or a latitude, longitude or radius that is not what it
        should be raises :class:`InvalidFrontError`; text that could not be stored or sent
        (control characters) is cleaned with :func:`~.text.safe_text`, so no message is
        ever refused for a front's name.
        """
        front_id = str(data["front_id"])
        if not front_id or text_problem(front_id) is not None:
            raise InvalidFrontError("front_id", "invalid_text")
        return cls(
            front_id=front_id,
            name=safe_text(data["name"]),
            barrio=safe_text(data["barrio"]),
            address=safe_text(data["address"]),
            latitude=clean_number("latitude", data["latitude"]),
            longitude=clean_number("longitude", data["longitude"]),
            radius=clean_number("radius", data["radius"]),
            cuadrante_code=safe_text(data["cuadrante_code"]),
            cuadrante_name=safe_text(data["cuadrante_name"]),
            cuadrante_phone=safe_text(data["cuadrante_phone"]),
            coordinator_name=safe_text(data["coordinator_name"]),
            coordinator_phone=safe_text(data["coordinator_phone"]),
        )
