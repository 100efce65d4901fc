"""A security front (frente de seguridad): who, where, and which police quadrant covers it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import re
from typing import Any
import unicodedata

MAX_TEXT = 100
_CUADRANTE = re.compile(r"[A-Z0-9][A-Z0-9 _\-]{0,31}")
_NON_SLUG = re.compile(r"[^a-z0-9]+")


class InvalidFrontError(ValueError):
    """Raised when a front's settings are not valid; ``field`` names the culprit."""

    def __init__(self, field: str, reason: str) -> None:
        """Store which field failed and why (a translation key)."""
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


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
    """Strip ``value`` and check its length; raise :class:`InvalidFrontError` when wrong."""
    text = " ".join(value.split())
    if required and not text:
        raise InvalidFrontError(field, "required")
    if len(text) > MAX_TEXT:
        raise InvalidFrontError(field, "too_long")
    return text


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
        """Build a front from stored settings (a config entry's data and options merged)."""
        return cls(
            front_id=str(data["front_id"]),
            name=str(data["name"]),
            barrio=str(data["barrio"]),
            address=str(data["address"]),
            latitude=float(data["latitude"]),
            longitude=float(data["longitude"]),
            radius=float(data["radius"]),
            cuadrante_code=str(data["cuadrante_code"]),
            cuadrante_name=str(data["cuadrante_name"]),
            cuadrante_phone=str(data["cuadrante_phone"]),
            coordinator_name=str(data["coordinator_name"]),
            coordinator_phone=str(data["coordinator_phone"]),
        )
