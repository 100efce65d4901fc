"""Police messages (version 2): what an incident tells the police quadrant, as JSON dicts.

One message per event of an incident: ``incident.created`` (the first press),
``incident.updated`` (evidence added, more presses, kind upgraded), ``incident.cancelled``
(false alarm) and ``incident.closed``. Every message carries the whole picture (front,
transitions, evidence links and the presses with their senders), so a receiver that missed
one can rebuild the incident from the next. A message lists at most
:data:`MAX_LISTED_PRESSES` presses (the first, then the latest) and says how many there
are in all (``presses_total``): its size, and the work to make it, stay the same however
many presses an incident gathers. ``docs/police-api.md`` is the contract and
``docs/police-api.schema.json`` its JSON Schema.

:func:`build_message` is pure: it takes the incident, the front, the evidence and the send time and
returns a JSON-ready dict. :func:`encode_json` gives the exact bytes to sign and send.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
import json
from typing import Any

from ..cancels import continues
from ..front import Front
from ..incident import Emergency, Incident, IncidentState, Location, Press
from ..ulid import UlidGenerator

# 2: presses listed up to MAX_LISTED_PRESSES, with presses_total; gained (receivers ignore
# fields they do not know) ``emergency``, ``emergencies``, ``emergency_added`` and each
# press's ``emergency`` (docs/police-api.md, "Emergencies").
VERSION = "2"
MAX_LISTED_PRESSES = 50
# Transition details that reach the police; anything else (HA user ids...) stays home.
_PUBLIC_DETAILS = ("reason", "by_name", "note", "unit", "eta_minutes")
_ids = UlidGenerator()


class MessageType(StrEnum):
    """The kinds of police message."""

    CREATED = "incident.created"
    UPDATED = "incident.updated"
    CANCELLED = "incident.cancelled"
    CLOSED = "incident.closed"


class UpdateChange(StrEnum):
    """What an ``incident.updated`` message brings that the previous one did not."""

    EVIDENCE = "evidence"  # new evidence links
    PRESSES = "presses"  # more presses joined
    KIND = "kind"  # a press raised the kind (drill -> silent -> panic)


class EvidenceKind(StrEnum):
    """What an evidence file is."""

    SNAPSHOT = "snapshot"
    CLIP = "clip"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One evidence file the police can fetch: a camera snapshot or clip."""

    camera: str  # the camera's name as residents know it
    url: str
    sha256: str  # hex digest of the file
    captured_at: datetime
    kind: EvidenceKind = EvidenceKind.SNAPSHOT
    mime_type: str = "image/jpeg"
    size: int | None = None  # bytes
    sha1: str | None = None  # hex; CAP 1.2 <digest> is specified as SHA-1


@dataclass(frozen=True, slots=True)
class MessageRef:
    """The id and send time of an incident's ``incident.created`` message.

    Later messages reference it (CAP ``<references>`` needs both).
    """

    message_id: str
    sent_at: datetime

    @classmethod
    def of(cls, message: Mapping[str, Any]) -> MessageRef:
        """Return the reference to ``message`` (a dict built by this module)."""
        return cls(str(message["id"]), datetime.fromisoformat(message["sent_at"]))

    def to_dict(self) -> dict[str, str]:
        """Return the ``references`` field of a message."""
        return {"id": self.message_id, "sent_at": _iso(self.sent_at)}


def new_message_id(at: datetime) -> str:
    """Return a new message id (a ULID: unique, sorts by time)."""
    return _ids.new(int(at.timestamp() * 1000))


def encode_json(message: Mapping[str, Any]) -> bytes:
    """Return the exact UTF-8 bytes sent (and signed) for ``message``.

    Raises ``ValueError`` for what is not JSON (NaN, infinities) or not UTF-8 (a lone
    surrogate): such a message must never be queued.
    """
    text = json.dumps(
        message, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return text.encode("utf-8")


def build_message(
    message_type: MessageType,
    incident: Incident,
    front: Front,
    sent_at: datetime,
    evidence: Iterable[Evidence] = (),
    *,
    changes: Iterable[UpdateChange] = (),
    original: MessageRef | None = None,
    message_id: str | None = None,
    emergency_added: Emergency | None = None,
) -> dict[str, Any]:
    """Return the police message of ``message_type`` about ``incident``.

    ``emergency_added``: the emergency a joined press added (an update's news).

    Raises ``ValueError`` for a cancelled/closed message about an incident that is not
    cancelled/closed, an update without changes, or a naive ``sent_at``.
    """
    if sent_at.tzinfo is None:
        raise ValueError("sent_at must be timezone-aware")
    message: dict[str, Any] = {
        "version": VERSION,
        "type": str(message_type),
        "id": message_id or new_message_id(sent_at),
        "sent_at": _iso(sent_at),
        "incident_id": incident.incident_id,
        "front": front_dict(front),
        "kind": str(incident.kind),
        "emergency": str(incident.emergency),
        "emergencies": [str(item) for item in incident.emergencies],
        "source": str(incident.source),
        "exercise": incident.exercise,
        "state": str(incident.state),
        "opened_at": _iso(incident.opened_at),
        "transitions": [
            {
                "state": str(step.state),
                "at": _iso(step.at),
                **{
                    key: step.details[key]
                    for key in _PUBLIC_DETAILS
                    if step.details.get(key) is not None
                },
            }
            for step in incident.transitions
        ],
        "kind_changes": [
            {"at": _iso(change.at), "old": str(change.old), "new": str(change.new)}
            for change in incident.kind_changes
        ],
        "presses": [_press(press, sent_at) for press in listed_presses(incident)],
        "presses_total": len(incident.presses),
        "evidence": [_evidence(item) for item in evidence],
        "note": incident.note,
    }
    if (continued := continues(incident)) is not None:
        message["continues"] = continued  # a duress cancel's silent alarm (cancels.py)
    if message_type is MessageType.UPDATED:
        wanted = sorted({str(UpdateChange(change)) for change in changes})
        if not wanted:
            raise ValueError("an update needs at least one change")
        message["changes"] = wanted
        if emergency_added is not None:
            message["emergency_added"] = str(emergency_added)
    if message_type is MessageType.CANCELLED:
        message["cancel"] = _final(incident, IncidentState.CANCELLED, "reason")
    if message_type is MessageType.CLOSED:
        message["close"] = _final(incident, IncidentState.CLOSED, "note")
    if original is not None and message_type is not MessageType.CREATED:
        message["references"] = original.to_dict()
    return message


def listed_presses(incident: Incident) -> list[Press]:
    """Return the presses a message lists: all, or the first and the latest ones."""
    presses = incident.presses
    if len(presses) <= MAX_LISTED_PRESSES:
        return list(presses)
    return [presses[0], *presses.tail(MAX_LISTED_PRESSES - 1)]


def front_dict(front: Front) -> dict[str, Any]:
    """Return the ``front`` part of a message."""
    return {
        "id": front.front_id,
        "name": front.name,
        "barrio": front.barrio,
        "address": front.address,
        "lat": front.latitude,
        "lon": front.longitude,
        "radius_m": front.radius,
        "cuadrante": {"code": front.cuadrante_code, "name": front.cuadrante_name},
        "coordinator": {
            "name": front.coordinator_name,
            "phone": front.coordinator_phone,
        },
    }


def _final(incident: Incident, state: IncidentState, text_key: str) -> dict[str, Any]:
    at = incident.time_of(state)
    if at is None:
        raise ValueError(f"incident {incident.incident_id} is not {state}")
    details = incident.details_of(state)
    return {
        "at": _iso(at),
        text_key: str(details.get(text_key) or ""),
        "by_name": details.get("by_name"),
    }


def _press(press: Press, sent_at: datetime) -> dict[str, Any]:
    sender = press.sender
    return {
        "at": _iso(press.at),
        "kind": str(press.kind),
        "emergency": str(press.emergency),
        "source": str(press.source),
        "sender": {
            "name": sender.name,
            "house": sender.house,
            "phone": sender.phone,
            "is_member": sender.is_member,
            "device": sender.device,
            "suspended": sender.suspended,
        },
        "location": _location(press.location, sent_at) if press.location else None,
        "note": press.note,
    }


def _location(location: Location, sent_at: datetime) -> dict[str, Any]:
    age = None
    if location.fix_time is not None:
        age = max(0, round((sent_at - location.fix_time).total_seconds()))
    return {
        "lat": location.latitude,
        "lon": location.longitude,
        "accuracy_m": location.accuracy,
        "age_s": age,
        "distance_m": location.distance,
        "outside_area": location.outside_area,
    }


def _evidence(item: Evidence) -> dict[str, Any]:
    return {
        "camera": item.camera,
        "url": item.url,
        "sha256": item.sha256,
        "sha1": item.sha1,
        "captured_at": _iso(item.captured_at),
        "kind": str(item.kind),
        "mime_type": item.mime_type,
        "size_bytes": item.size,
    }


def _iso(value: datetime) -> str:
    """Return ISO 8601 with offset (the clock gives aware datetimes)."""
    if value.tzinfo is None:
        raise ValueError("datetimes in police messages must be timezone-aware")
    return value.isoformat()
