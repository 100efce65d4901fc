"""The police console's reading of alerts: JSON messages and CAP 1.2, as the page shows them.

``parse_alert`` turns a verified request body into an :class:`Alert` (or raises
:class:`MalformedAlertError`); ``json_view`` and ``cap_view`` give the page's plain view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import json
import re
from typing import Any, Final, Literal
from xml.etree import ElementTree as ET

CAP_NS: Final = "{urn:oasis:names:tc:emergency:cap:1.2}"

type Json = dict[str, Any]


class MalformedAlertError(ValueError):
    """A correctly signed alert whose body is not a message of the contract."""


@dataclass(frozen=True, slots=True)
class CapAlert:
    """What the console reads from a CAP 1.2 alert (the raw XML is kept too)."""

    identifier: str
    sender: str
    sent: str
    status: str
    msg_type: str
    addresses: str
    note: str
    incident_id: str
    sender_name: str
    event: str
    headline: str
    description: str
    contact: str
    parameters: dict[str, str]
    areas: list[tuple[str, float | None, float | None]]
    resources: list[dict[str, str]]
    raw: str


@dataclass(frozen=True, slots=True)
class Alert:
    """One accepted message, as received."""

    webhook_id: str
    received_at: datetime
    format: Literal["json", "cap"]
    type: str
    body: Json | None = None
    cap: CapAlert | None = None


ALERT_VERSIONS = frozenset({"1", "2"})  # 2: presses listed up to 50, with presses_total


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _texts(source: Json, *keys: str) -> dict[str, str]:
    """Return ``source``'s text fields ``keys`` ("" where missing or not text)."""
    return {key: _text(source.get(key)) for key in keys}


def _joined(*values: object) -> str:
    """Return the text values, space-separated, leaving out the missing or empty ones."""
    return " ".join(text for value in values if (text := _text(value)))


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _obj(value: object) -> Json:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def map_url(lat: float, lon: float) -> str:
    """Return an OpenStreetMap link to a point (a link only: nothing is fetched)."""
    return f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=18/{lat:.6f}/{lon:.6f}"


def _location(
    lat: float | None, lon: float | None, accuracy: float | None
) -> Json | None:
    if lat is None or lon is None:
        return None
    return {
        "lat": lat,
        "lon": lon,
        "accuracy_m": accuracy,
        "map_url": map_url(lat, lon),
    }


def json_view(body: Json) -> Json:
    """Return what the page shows of a JSON police message."""
    front = _obj(body.get("front"))
    cuadrante = _obj(front.get("cuadrante"))
    coordinator = _obj(front.get("coordinator"))
    senders = []
    for press in _list(body.get("presses")):
        press_obj = _obj(press)
        sender = _obj(press_obj.get("sender"))
        where = _obj(press_obj.get("location"))
        location = _location(
            _number(where.get("lat")),
            _number(where.get("lon")),
            _number(where.get("accuracy_m")),
        )
        if location is not None:
            location["distance_m"] = _number(where.get("distance_m"))
            location["outside_area"] = where.get("outside_area") is True
        senders.append(
            {
                "name": _text(sender.get("name"))
                or (
                    f"botón {device}" if (device := _text(sender.get("device"))) else ""
                ),
                **_texts(sender, "house", "phone"),
                **_texts(press_obj, "at", "kind", "note"),
                "location": location,
            }
        )
    evidence = [
        _texts(item, "camera", "url", "kind", "mime_type", "captured_at", "sha256")
        for item in map(_obj, _list(body.get("evidence")))
    ]
    front_lat, front_lon = _number(front.get("lat")), _number(front.get("lon"))
    return {
        "front": {
            **_texts(front, "id", "name", "barrio", "address"),
            "cuadrante": _joined(cuadrante.get("code"), cuadrante.get("name")),
            "coordinator": _joined(coordinator.get("name"), coordinator.get("phone")),
            "location": _location(front_lat, front_lon, _number(front.get("radius_m"))),
        },
        "kind": _text(body.get("kind")),
        "exercise": body.get("exercise") is True,
        **_texts(body, "state", "source", "note", "opened_at", "sent_at"),
        "senders": senders,
        "evidence": evidence,
        "cancel": _obj(body.get("cancel")) or None,
        "close": _obj(body.get("close")) or None,
        "description": "",
        "cap": None,
    }


def cap_view(cap: CapAlert) -> Json:
    """Return what the page shows of a CAP 1.2 alert."""
    front_area = cap.areas[0] if cap.areas else ("", None, None)
    senders = [
        {
            "name": desc.removeprefix("Ubicación de ").split(" (")[0],
            "house": "",
            "phone": "",
            "at": "",
            "kind": "",
            "note": "",
            "location": _location(lat, lon, None),
        }
        for desc, lat, lon in cap.areas[1:]
    ]
    evidence = [
        {
            "camera": resource.get("resourceDesc", ""),
            "url": resource.get("uri", ""),
            "kind": "",
            "mime_type": resource.get("mimeType", ""),
            "captured_at": "",
            "sha256": "",
        }
        for resource in cap.resources
    ]
    return {
        "front": {
            "id": cap.sender.removeprefix("mi-frente-seguro:"),
            "name": cap.sender_name.removeprefix("Frente de seguridad "),
            "barrio": front_area[0].split(",")[0],
            "address": front_area[0],
            "cuadrante": cap.addresses,
            "coordinator": cap.contact,
            "location": _location(front_area[1], front_area[2], None),
        },
        "kind": cap.parameters.get("kind", ""),
        "exercise": cap.status == "Exercise",
        "state": cap.parameters.get("state", ""),
        "source": "",
        "note": cap.note,
        "opened_at": "",
        "sent_at": cap.sent,
        "senders": senders,
        "evidence": evidence,
        "cancel": None,
        "close": None,
        "description": cap.description,
        "cap": {"identifier": cap.identifier, "msg_type": cap.msg_type, "raw": cap.raw},
    }


def parse_cap(raw: str) -> CapAlert:
    """Read the parts of a CAP 1.2 alert the console shows; raise MalformedAlertError."""
    if "<!DOCTYPE" in raw or "<!ENTITY" in raw:
        raise MalformedAlertError("CAP with a DOCTYPE or entities is refused")
    try:
        # Only parsed once its signature verified, and without DTDs (checked above).
        root = ET.fromstring(raw)  # noqa: S314
    except ET.ParseError as err:
        raise MalformedAlertError(f"not XML: {err}") from err
    if root.tag != f"{CAP_NS}alert":
        raise MalformedAlertError("not a CAP 1.2 alert")

    def child(parent: ET.Element | None, name: str) -> str:
        found = None if parent is None else parent.find(f"{CAP_NS}{name}")
        return (found.text or "").strip() if found is not None else ""

    info = root.find(f"{CAP_NS}info")
    parameters = {}
    areas: list[tuple[str, float | None, float | None]] = []
    resources: list[dict[str, str]] = []
    if info is not None:
        for parameter in info.findall(f"{CAP_NS}parameter"):
            parameters[child(parameter, "valueName")] = child(parameter, "value")
        for area in info.findall(f"{CAP_NS}area"):
            match = re.match(r"\s*(-?[\d.]+),(-?[\d.]+)", child(area, "circle"))
            lat = float(match[1]) if match else None
            lon = float(match[2]) if match else None
            areas.append((child(area, "areaDesc"), lat, lon))
        resources = [
            {
                name: child(resource, name)
                for name in ("resourceDesc", "mimeType", "uri")
            }
            for resource in info.findall(f"{CAP_NS}resource")
        ]
    incident_id = child(root, "incidents") or parameters.get("incident_id", "")
    if not child(root, "identifier") or not incident_id:
        raise MalformedAlertError("CAP alert without identifier or incidents")
    return CapAlert(
        identifier=child(root, "identifier"),
        sender=child(root, "sender"),
        sent=child(root, "sent"),
        status=child(root, "status"),
        msg_type=child(root, "msgType"),
        addresses=child(root, "addresses"),
        note=child(root, "note"),
        incident_id=incident_id,
        sender_name=child(info, "senderName"),
        event=child(info, "event"),
        headline=child(info, "headline"),
        description=child(info, "description"),
        contact=child(info, "contact"),
        parameters=parameters,
        areas=areas,
        resources=resources,
        raw=raw,
    )


def parse_alert(
    webhook_id: str, content_type: str, body: bytes, received_at: datetime
) -> tuple[str, Alert]:
    """Return ``(incident_id, alert)`` for a verified body; raise MalformedAlertError."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise MalformedAlertError("body is not UTF-8") from err
    if "xml" in content_type or text.lstrip().startswith("<"):
        cap = parse_cap(text)
        if cap.identifier != webhook_id:
            raise MalformedAlertError("CAP identifier differs from webhook-id")
        message_type = cap.parameters.get("message_type", cap.msg_type)
        return cap.incident_id, Alert(
            webhook_id, received_at, "cap", message_type, cap=cap
        )
    try:
        message = json.loads(text)
    except ValueError as err:
        raise MalformedAlertError("body is not JSON") from err
    if not isinstance(message, dict):
        raise MalformedAlertError("body is not a JSON object")
    if message.get("version") not in ALERT_VERSIONS:
        raise MalformedAlertError("version is not '1' or '2'")
    incident_id = message.get("incident_id")
    if not isinstance(incident_id, str) or not incident_id:
        raise MalformedAlertError("incident_id missing")
    if message.get("id") != webhook_id:
        raise MalformedAlertError("id differs from webhook-id")
    return incident_id, Alert(
        webhook_id, received_at, "json", _text(message.get("type")), body=message
    )
