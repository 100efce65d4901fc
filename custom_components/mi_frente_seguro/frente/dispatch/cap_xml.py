"""The CAP 1.2 pieces both renderings use: clean text, times, circles, shared <info> parts.

``cap.py`` renders incidents, ``cap_notice.py`` trouble notices; each ``<info>`` ends the
same way (contact, parameters, the front's area) and states its response the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
import re
from typing import Any, NamedTuple
from xml.etree import ElementTree as ET

# Characters XML 1.0 cannot carry; user text (notes, names) is cleaned of them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def cap_time(value: datetime | str) -> str:
    """Return a CAP dateTime: seconds precision, numeric offset, UTC as ``-00:00``."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("CAP times need a timezone")
    if offset.total_seconds() % 60:  # CAP offsets are hh:mm: use UTC for odd zones
        moment, offset = moment.astimezone(UTC), timedelta(0)
    text = moment.replace(microsecond=0).isoformat()
    return text[:-6] + "-00:00" if not offset else text


def address(code: str) -> str:
    """CAP addresses are space-delimited: quote one that holds a space."""
    return f'"{code}"' if " " in code else code


def circle(lat: float, lon: float, radius_m: float) -> str:
    """CAP circle: ``lat,lon radius`` in WGS 84 with the radius in kilometres."""
    return f"{lat:.6f},{lon:.6f} {max(radius_m, 0.0) / 1000:.3f}"


def sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
    """Append ``<tag>text</tag>`` to ``parent``, the text cleaned for XML."""
    element = ET.SubElement(parent, tag)
    element.text = _NOT_XML.sub("", text)
    return element


class Judgement(NamedTuple):
    """What the police should do about an ``<info>``, how urgent and how grave it is."""

    response_type: str
    urgency: str
    severity: str


def response(
    info: ET.Element, front: Mapping[str, Any], judgement: Judgement, onset: str
) -> None:
    """Append what to do, how urgent and grave, since when (certainly observed), by whom."""
    sub(info, "responseType", judgement.response_type)
    sub(info, "urgency", judgement.urgency)
    sub(info, "severity", judgement.severity)
    sub(info, "certainty", "Observed")
    sub(info, "onset", cap_time(onset))
    sub(info, "senderName", f"Frente de seguridad {front['name']}")


def contact(info: ET.Element, front: Mapping[str, Any]) -> None:
    """Append the front coordinator's name and phone."""
    coordinator = front["coordinator"]
    sub(info, "contact", f"{coordinator['name']} {coordinator['phone']}".strip())


def parameters(info: ET.Element, pairs: Iterable[tuple[str, str]]) -> None:
    """Append one ``<parameter>`` per name and value."""
    for name, value in pairs:
        parameter = ET.SubElement(info, "parameter")
        sub(parameter, "valueName", name)
        sub(parameter, "value", value)


def front_area(info: ET.Element, front: Mapping[str, Any]) -> None:
    """Append the front's area: its barrio and address, and its circle."""
    area = ET.SubElement(info, "area")
    sub(area, "areaDesc", f"{front['barrio']}, {front['address']}")
    sub(area, "circle", circle(front["lat"], front["lon"], front["radius_m"]))
