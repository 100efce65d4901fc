"""The police console's reading of alerts: JSON messages and CAP 1.2, verified bodies.

``parse_alert`` turns a verified request body into an :class:`Alert` (or raises
:class:`MalformedAlertError`); ``views`` gives the page's plain view of it.
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


# CapAlert's text fields and the CAP elements they are read from: of <alert>, of its <info>.
ALERT_TEXTS: Final = {
    "identifier": "identifier",
    "sender": "sender",
    "sent": "sent",
    "status": "status",
    "msg_type": "msgType",
    "addresses": "addresses",
    "note": "note",
}
INFO_TEXTS: Final = {
    "sender_name": "senderName",
    "event": "event",
    "headline": "headline",
    "description": "description",
    "contact": "contact",
}
ALERT_VERSIONS = frozenset({"1", "2"})  # 2: presses listed up to 50, with presses_total


def as_text(value: object) -> str:
    """Return ``value`` if it is text, else ""."""
    return value if isinstance(value, str) else ""


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
    texts = {field: child(root, tag) for field, tag in ALERT_TEXTS.items()}
    texts |= {field: child(info, tag) for field, tag in INFO_TEXTS.items()}
    incident_id = child(root, "incidents") or parameters.get("incident_id", "")
    if not texts["identifier"] or not incident_id:
        raise MalformedAlertError("CAP alert without identifier or incidents")
    return CapAlert(
        **texts,
        incident_id=incident_id,
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
        webhook_id, received_at, "json", as_text(message.get("type")), body=message
    )
