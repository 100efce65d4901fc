"""The police messages as CAP 1.2 (OASIS Common Alerting Protocol) XML: one <alert> each.

Profile (``docs/police-api.md``): ``identifier`` is the message id, ``sender`` names the
front, ``status`` is ``Exercise`` for drills, ``msgType`` is ``Alert`` (created), ``Update``
(updated, closed) or ``Cancel`` (cancelled) with ``<references>`` to the created alert,
``scope`` is ``Private`` addressed to the police quadrant, and one Spanish ``<info>`` holds
one ``<category>`` per emergency (Security, Health, Fire), the event, a headline and description, one ``<resource>`` per evidence file and the front's
``<area>`` (a circle) plus a circle per located sender.

Built from the JSON message dict with ``xml.etree``; this module never parses XML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree as ET

from .cap_notice import notice_alert
from .cap_xml import (
    Judgement,
    address,
    cap_time,
    circle,
    contact,
    front_area,
    parameters,
    response,
    sub,
)
from .messages import MessageType
from .notices import is_notice

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
CONTENT_TYPE = "application/cap+xml"
LANGUAGE = "es-CO"
_MSG_TYPES = {
    MessageType.CREATED: "Alert",
    MessageType.UPDATED: "Update",
    MessageType.CLOSED: "Update",
    MessageType.CANCELLED: "Cancel",
}
_EVENTS = {
    "panic": "Alarma de pánico",
    "silent": "Pánico silencioso (coacción)",
    "drill": "Simulacro",
}
# CAP categories of each emergency; one <category> per emergency of the incident.
CATEGORIES = {"security": "Security", "medical": "Health", "fire": "Fire"}
_EMERGENCY_EVENTS = {
    "medical": "Emergencia médica",
    "fire": "Incendio",
}
_SOURCES = {
    "physical_button": "botón físico",
    "app": "la app",
    "action": "Home Assistant",
    "automation": "una automatización",
    "sensor": "un sensor",
}
_STATES = {
    "triggered": "activada",
    "sent": "enviada a la policía",
    "received": "recibida por la policía",
    "dispatched": "patrulla en camino",
    "on_scene": "policía en el sitio",
    "closed": "cerrada",
    "cancelled": "cancelada",
}
SILENT_INSTRUCTION = (
    "Pánico silencioso: la persona puede estar bajo coacción. No la llame ni le "
    "escriba abiertamente; acuda sin sirena."
)
_CHANGES = {
    "evidence": "nueva evidencia",
    "presses": "más pulsaciones",
    "kind": "cambió el tipo de alarma",
}
_HEADLINE_PREFIX = {
    MessageType.CREATED: "",
    MessageType.UPDATED: "Actualización: ",
    MessageType.CLOSED: "Cerrado: ",
    MessageType.CANCELLED: "Cancelado (falsa alarma): ",
}


def default_sender(front_id: str) -> str:
    """Return the CAP sender of a front's alerts (no spaces, commas, ``<`` or ``&``)."""
    return f"mi-frente-seguro:{front_id}"


def to_cap(message: Mapping[str, Any], sender: str | None = None) -> bytes:
    """Return the CAP 1.2 <alert> document (UTF-8 bytes) for a police message."""
    front = message["front"]
    sender = sender or default_sender(front["id"])
    alert = ET.Element("alert", {"xmlns": CAP_NAMESPACE})
    sub(alert, "identifier", message["id"])
    sub(alert, "sender", sender)
    sub(alert, "sent", cap_time(message["sent_at"]))
    if is_notice(message):  # a trouble message: cap_notice.py
        notice_alert(alert, message)
        notice: bytes = ET.tostring(alert, encoding="utf-8", xml_declaration=True)
        return notice
    message_type = MessageType(message["type"])
    sub(alert, "status", "Exercise" if message["exercise"] else "Actual")
    sub(alert, "msgType", _MSG_TYPES[message_type])
    sub(alert, "scope", "Private")
    sub(alert, "addresses", address(front["cuadrante"]["code"]))
    note = _note(message)
    if note:
        sub(alert, "note", note)
    if (original := message.get("references")) is not None:
        triple = f"{sender},{original['id']},{cap_time(original['sent_at'])}"
        sub(alert, "references", triple)
    sub(alert, "incidents", message["incident_id"])
    _info(alert, message, message_type)
    document: bytes = ET.tostring(alert, encoding="utf-8", xml_declaration=True)
    return document


def _info(alert: ET.Element, message: Mapping[str, Any], kind: MessageType) -> None:
    front = message["front"]
    done = kind in (MessageType.CLOSED, MessageType.CANCELLED)
    real = not message["exercise"]
    info = ET.SubElement(alert, "info")
    sub(info, "language", LANGUAGE)
    for emergency in emergencies(message):
        sub(info, "category", CATEGORIES[emergency])
    sub(info, "event", event_name(message))
    judgement = Judgement(
        "AllClear" if done else "Execute",
        "Past" if done else "Immediate",
        "Extreme" if real else "Minor",
    )
    response(info, front, judgement, message["opened_at"])
    sub(info, "headline", _headline(message, kind)[:160])
    sub(info, "description", _description(message))
    if message["kind"] == "silent" and not done:
        sub(info, "instruction", SILENT_INSTRUCTION)
    contact(info, front)
    parameters(
        info,
        (
            ("incident_id", message["incident_id"]),
            ("message_type", message["type"]),
            ("kind", message["kind"]),
            ("emergency", ",".join(emergencies(message))),
            ("state", message["state"]),
            ("presses", str(_total(message))),
        ),
    )
    for item in message["evidence"]:
        resource = ET.SubElement(info, "resource")
        what = "Video" if item["kind"] == "clip" else "Foto"
        taken = cap_time(item["captured_at"])
        sub(resource, "resourceDesc", f"{what} de la cámara {item['camera']} ({taken})")
        sub(resource, "mimeType", item["mime_type"])
        if item.get("size_bytes") is not None:
            sub(resource, "size", str(item["size_bytes"]))
        # The link the police can open (a signed, expiring one) when the front gave one.
        sub(resource, "uri", item.get("download_url") or item["url"])
        if item.get("deref_base64"):  # a small still, inline (CAP 1.2 derefUri: base64)
            sub(resource, "derefUri", item["deref_base64"])
        if item.get("sha1"):
            sub(resource, "digest", item["sha1"])  # CAP 1.2: SHA-1 of the file
    front_area(info, front)
    for press in message["presses"]:
        location = press["location"]
        if location is None:
            continue
        area = ET.SubElement(info, "area")
        who = press["sender"]["name"] or press["sender"]["device"] or "remitente"
        sub(area, "areaDesc", f"Ubicación de {who} ({cap_time(press['at'])})")
        accuracy = location["accuracy_m"] or 0.0
        sub(area, "circle", circle(location["lat"], location["lon"], accuracy))


def emergencies(message: Mapping[str, Any]) -> list[str]:
    """Return a message's emergencies (``security`` for one queued by an older version)."""
    return list(message.get("emergencies") or ["security"])


def event_name(message: Mapping[str, Any]) -> str:
    """Return the CAP event: the kind, or the emergency of a panic or a drill."""
    kind, emergency = message["kind"], emergencies(message)[0]
    if emergency not in _EMERGENCY_EVENTS or kind == "silent":
        return _EVENTS[kind]
    if kind == "drill":
        return f"{_EVENTS[kind]}: {_EMERGENCY_EVENTS[emergency].lower()}"
    return _EMERGENCY_EVENTS[emergency]


def _headline(message: Mapping[str, Any], kind: MessageType) -> str:
    front = message["front"]
    prefix = "" if not message["exercise"] else "SIMULACRO - "
    event = event_name(message)
    return f"{prefix}{_HEADLINE_PREFIX[kind]}{event} en {front['name']} ({front['barrio']})"


def _description(message: Mapping[str, Any]) -> str:
    front = message["front"]
    presses = message["presses"]
    first = presses[0] if presses else None
    event = event_name(message)
    lines = [
        f"{event} en el frente {front['name']}, {front['barrio']}, {front['address']}."
    ]
    if first is not None:
        source = _SOURCES.get(first["source"], first["source"])
        lines.append(f"Activada {cap_time(first['at'])} desde {source}.")
    state = _STATES.get(message["state"], message["state"])
    if len(found := emergencies(message)) > 1:
        names = ", ".join(_EMERGENCY_EVENTS.get(item, "Seguridad") for item in found)
        lines.append(f"Emergencias: {names}.")
    lines.append(f"Estado: {state}. Pulsaciones: {_total(message)}.")
    lines.extend("- " + _who(press) for press in presses)
    if (unlisted := _total(message) - len(presses)) > 0:
        lines.append(f"(y {unlisted} pulsaciones más, no listadas)")
    if message["note"]:
        lines.append(f"Nota: {message['note']}")
    if "cancel" in message:
        cancel = message["cancel"]
        by = f" por {cancel['by_name']}" if cancel.get("by_name") else ""
        lines.append(f"Cancelada{by}: {cancel['reason']}")
    if "close" in message:
        lines.append(f"Cerrada: {message['close']['note']}".rstrip(": "))
    if message["evidence"]:
        lines.append(f"Evidencia: {len(message['evidence'])} archivo(s) adjunto(s).")
    return "\n".join(lines)


def _total(message: Mapping[str, Any]) -> int:
    """Return how many presses the incident has (a message lists at most 50)."""
    return int(message.get("presses_total", len(message["presses"])))


def _who(press: Mapping[str, Any]) -> str:
    sender = press["sender"]
    parts = [sender["name"] or sender["device"] or "Desconocido"]
    if sender["house"]:
        parts.append(f"casa {sender['house']}")
    if sender["phone"]:
        parts.append(sender["phone"])
    parts.append("integrante" if sender["is_member"] else "no integrante")
    if sender.get("suspended"):
        parts.append("suspendido por el coordinador")
    location = press["location"]
    if location is not None:
        where = f"ubicación {location['lat']:.6f},{location['lon']:.6f}"
        if location["accuracy_m"] is not None:
            where += f" (±{location['accuracy_m']:.0f} m)"
        if location["age_s"] is not None:
            where += f", hace {location['age_s']} s"
        if location["outside_area"]:
            where += ", FUERA del área del frente"
        parts.append(where)
    return ", ".join(parts) + f" ({cap_time(press['at'])})"


def _note(message: Mapping[str, Any]) -> str:
    if "cancel" in message:
        return f"Falsa alarma: {message['cancel']['reason']}"
    if "close" in message:
        return str(message["close"]["note"])
    if "changes" in message:
        return "Novedades: " + ", ".join(_CHANGES[item] for item in message["changes"])
    return ""
