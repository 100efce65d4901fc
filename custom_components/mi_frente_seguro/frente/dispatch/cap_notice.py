"""Trouble messages as CAP 1.2: a front gone deaf, or back, as one ``<alert>``.

Profile (docs/police-api.md, *Trouble messages*): ``status`` Actual (never Exercise),
``msgType`` Alert for ``front.trouble`` and Update for ``front.restore`` (with
``<references>`` to the trouble it ends), ``scope`` Private to the cuadrante, no
``<incidents>`` (it is no incident), one Spanish ``<info>`` of category ``Infra``:
``responseType`` Monitor, ``urgency`` Expected, ``severity`` Moderate for a trouble;
AllClear, Past, Minor for a restore; the front's area. ``to_cap`` (``cap.py``) hands
notices here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from xml.etree import ElementTree as ET

from .notices import NoticeType
from .phone_text import RESTORES, TROUBLES

EVENTS = {
    "kit": "Frente sin supervisión: kit de la calle sin conexión",
    "camera": "Frente sin supervisión: cámara sin imagen",
    "link": "Frente sin supervisión: sin conexión con su kit de la calle",
}
RESTORED = "Frente restablecido"


def notice_alert(
    alert: ET.Element,
    message: Mapping[str, Any],
    sub: Callable[[ET.Element, str, str], ET.Element],
    cap_time: Callable[[str], str],
    circle: Callable[[float, float, float], str],
) -> None:
    """Fill ``alert`` (identifier, sender and sent are set) for a notice.

    ``sub``, ``cap_time`` and ``circle`` are ``cap.py``'s (XML-safe text, CAP times).
    """
    front, device = message["front"], message["device"]
    restore = message["type"] == NoticeType.RESTORE
    kind = str(device["kind"])
    sub(alert, "status", "Actual")
    sub(alert, "msgType", "Update" if restore else "Alert")
    sub(alert, "scope", "Private")
    code = str(front["cuadrante"]["code"])
    sub(alert, "addresses", f'"{code}"' if " " in code else code)
    what = (RESTORES if restore else TROUBLES)[kind].format(name=device["name"])
    sub(alert, "note", what)
    if (original := message.get("references")) is not None:
        sender = alert.findtext("sender") or ""
        sub(
            alert,
            "references",
            f"{sender},{original['id']},{cap_time(original['sent_at'])}",
        )
    info = ET.SubElement(alert, "info")
    sub(info, "language", "es-CO")
    sub(info, "category", "Infra")
    event = RESTORED if restore else EVENTS[kind]
    sub(info, "event", event)
    sub(info, "responseType", "AllClear" if restore else "Monitor")
    sub(info, "urgency", "Past" if restore else "Expected")
    sub(info, "severity", "Minor" if restore else "Moderate")
    sub(info, "certainty", "Observed")
    sub(info, "onset", cap_time(message["since"]))
    sub(info, "senderName", f"Frente de seguridad {front['name']}")
    sub(info, "headline", f"{event} en {front['name']} ({front['barrio']})"[:160])
    lines = [
        f"Frente {front['name']}, {front['barrio']}, {front['address']}.",
        f"{what[0].upper()}{what[1:]} desde {cap_time(message['since'])}.",
    ]
    if restore:
        lines.append(f"De nuevo a las {cap_time(message['until'])}.")
    elif kind != "camera":
        lines.append("Los botones de la calle pueden no llegar a la policía.")
    sub(info, "description", "\n".join(lines))
    coordinator = front["coordinator"]
    sub(info, "contact", f"{coordinator['name']} {coordinator['phone']}".strip())
    for name, value in (
        ("message_type", message["type"]),
        ("device_kind", kind),
        ("device_id", device["id"]),
    ):
        parameter = ET.SubElement(info, "parameter")
        sub(parameter, "valueName", name)
        sub(parameter, "value", str(value))
    area = ET.SubElement(info, "area")
    sub(area, "areaDesc", f"{front['barrio']}, {front['address']}")
    sub(area, "circle", circle(front["lat"], front["lon"], front["radius_m"]))
