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

from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree as ET

from .cap_xml import (
    Judgement,
    address,
    cap_time,
    contact,
    front_area,
    parameters,
    response,
    sub,
)
from .notices import NoticeType
from .phone_text import RESTORES, TROUBLES

EVENTS = {
    "kit": "Frente sin supervisión: kit de la calle sin conexión",
    "camera": "Frente sin supervisión: cámara sin imagen",
    "link": "Frente sin supervisión: sin conexión con su kit de la calle",
}
RESTORED = "Frente restablecido"
TROUBLE = Judgement("Monitor", "Expected", "Moderate")
RESTORE = Judgement("AllClear", "Past", "Minor")


def notice_alert(alert: ET.Element, message: Mapping[str, Any]) -> None:
    """Fill ``alert`` (identifier, sender and sent are set) for a notice."""
    front, device = message["front"], message["device"]
    restore = message["type"] == NoticeType.RESTORE
    kind = str(device["kind"])
    sub(alert, "status", "Actual")
    sub(alert, "msgType", "Update" if restore else "Alert")
    sub(alert, "scope", "Private")
    code = str(front["cuadrante"]["code"])
    sub(alert, "addresses", address(code))
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
    response(info, front, RESTORE if restore else TROUBLE, message["since"])
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
    contact(info, front)
    parameters(
        info,
        (
            ("message_type", str(message["type"])),
            ("device_kind", kind),
            ("device_id", str(device["id"])),
        ),
    )
    front_area(info, front)
