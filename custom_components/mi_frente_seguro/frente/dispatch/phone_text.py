"""The cuadrante's phone: a police message as a short Spanish text (pure, no HA).

:func:`phone_text` returns the text a phone destination sends for a police message, or
None when the phone has nothing to hear about it:

- ``incident.created`` of a real alarm, or ``incident.updated`` that raised its kind (a
  drill that became real, a silent alarm that became audible): the alarm text;
- ``incident.cancelled`` of a real alarm: the cancel text;
- drills (``exercise``), further presses, evidence and closes: nothing;
- ``front.trouble`` / ``front.restore`` (the front went deaf: its kit, a camera or its
  broker link): a short text naming the front, what failed and since when, or that it
  is back and for how long it was down (``notice_text``).

The text holds the front, barrio and address, the kind, who pressed (name and house) and a
map link. A phone destination is the police's side, so a silent alarm goes too, worded
neutrally: "ALERTA SILENCIOSA / posible coacción, no llame al remitente". The text holds
a resident's name and house (Ley 1581): it is never logged.

Every value comes from a checked incident, and is made safe again here (control
characters and line breaks out, each field cut to a length), so a text stays a few
lines of plain words whatever a name holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
import math
from typing import Any

from ..text import safe_text
from .messages import MessageType
from .notices import NoticeType, is_notice

MAX_FIELD = 60  # characters of one field (a name, an address)
HEADLINES = {
    "panic": "ALERTA DE PÁNICO",
    "silent": "ALERTA SILENCIOSA / posible coacción, no llame al remitente",
}
SOURCES = {
    "physical_button": "botón de la calle",
    "app": "app",
    "action": "Home Assistant",
    "automation": "automatización",
    "sensor": "sensor",
}


def phone_text(message: Mapping[str, Any]) -> str | None:
    """Return the text for the cuadrante's phone, or None (nothing to send)."""
    if is_notice(message):
        return notice_text(message)
    if message.get("exercise"):
        return None  # drills never go
    kind = str(message.get("kind"))
    match message.get("type"):
        case MessageType.CREATED:
            return _alarm(message, kind)
        case MessageType.UPDATED if "kind" in (message.get("changes") or ()):
            return _alarm(message, kind)
        case MessageType.CANCELLED:
            return _cancel(message)
    return None


def _alarm(message: Mapping[str, Any], kind: str) -> str | None:
    headline = HEADLINES.get(kind)
    if headline is None:
        return None  # a kind with no wording does not reach the phone
    front = message.get("front") or {}
    press = _latest_press(message)
    lines = [
        f"{headline} - {_field(front.get('name'))} ({_field(front.get('barrio'))})",
        f"Dirección: {_field(front.get('address'))}",
    ]
    if press is not None:
        lines.append(f"Activó: {_who(press)}")
    total = message.get("presses_total")
    if isinstance(total, int) and total > 1:
        lines.append(f"Pulsaciones: {total}")
    lines.append(f"Cuadrante: {_field((front.get('cuadrante') or {}).get('code'))}")
    if (link := map_link(press, front)) is not None:
        lines.append(f"Mapa: {link}")
    lines.append(f"Hora: {_hour(message.get('opened_at'))}")
    return "\n".join(lines)


def _cancel(message: Mapping[str, Any]) -> str:
    front = message.get("front") or {}
    cancel = message.get("cancel") or {}
    lines = [
        f"CANCELADA: alerta de {_field(front.get('name'))} ({_field(front.get('barrio'))})",
        f"Motivo: {_field(cancel.get('reason')) or '-'}",
    ]
    if by := _field(cancel.get("by_name")):
        lines.append(f"Canceló: {by}")
    lines.append(f"Hora: {_hour(cancel.get('at'))}")
    return "\n".join(lines)


TROUBLES = {
    "kit": "kit de la calle (botones y sirena) sin conexión",
    "camera": "cámara {name} sin imagen",
    "link": "el frente perdió la conexión con su kit de la calle (broker MQTT)",
}
RESTORES = {
    "kit": "kit de la calle en línea de nuevo",
    "camera": "cámara {name} con imagen de nuevo",
    "link": "el frente recuperó la conexión con su kit de la calle",
}
DEAF_WARNING = "Los botones de la calle pueden no llegar: use otros medios."


def notice_text(message: Mapping[str, Any]) -> str | None:
    """Return the text of a trouble or restore message (None: a device it cannot word)."""
    front = message.get("front") or {}
    device = message.get("device") or {}
    kind = str(device.get("kind"))
    restore = message.get("type") == NoticeType.RESTORE
    wording = (RESTORES if restore else TROUBLES).get(kind)
    if wording is None:
        return None
    what = wording.format(name=_field(device.get("name")) or "-")
    place = f"{_field(front.get('name'))} ({_field(front.get('barrio'))})"
    if restore:
        lines = [
            f"RESTABLECIDO - {place}",
            f"{what[0].upper()}{what[1:]} a las {_hour(message.get('until'))}",
        ]
        down = message.get("down_s")
        if isinstance(down, int) and not isinstance(down, bool) and down >= 0:
            lines.append(f"Estuvo caído {_duration(down)}")
        return "\n".join(lines)
    lines = [
        f"FRENTE SIN SUPERVISIÓN - {place}",
        f"Falla: {what} desde las {_hour(message.get('since'))}",
        f"Dirección: {_field(front.get('address'))}",
        f"Cuadrante: {_field((front.get('cuadrante') or {}).get('code'))}",
    ]
    if kind != "camera":
        lines.append(DEAF_WARNING)
    return "\n".join(lines)


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def _latest_press(message: Mapping[str, Any]) -> Mapping[str, Any] | None:
    presses = message.get("presses") or []
    return presses[-1] if presses and isinstance(presses[-1], Mapping) else None


def _who(press: Mapping[str, Any]) -> str:
    sender = press.get("sender") or {}
    name = _field(sender.get("name")) or "sin nombre"
    house = _field(sender.get("house"))
    source = SOURCES.get(str(press.get("source")), _field(press.get("source")))
    where = f", casa {house}" if house else ""
    return f"{name}{where} ({source})"


def map_link(press: Mapping[str, Any] | None, front: Mapping[str, Any]) -> str | None:
    """Return a map link to the press's location if its phone gave one, else the front's."""
    for place in ((press or {}).get("location") or {}, front):
        lat, lon = place.get("lat"), place.get("lon")
        if _coordinate(lat, 90) and _coordinate(lon, 180):
            return f"https://maps.google.com/?q={lat:.6f},{lon:.6f}"
    return None


def _coordinate(value: object, limit: float) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and -limit <= value <= limit
    )


def _hour(value: object) -> str:
    try:
        return datetime.fromisoformat(str(value)).strftime("%H:%M")
    except ValueError:
        return "-"


def _field(value: object) -> str:
    """Return ``value`` as one short line of safe text ('' for None)."""
    if value is None:
        return ""
    text = "".join(c if c.isprintable() else " " for c in safe_text(value))
    return " ".join(text.split())[:MAX_FIELD]
