"""Which police message an incident change sends (none for changes the police need not hear).

``opened`` -> ``incident.created``; more presses or a raised kind -> ``incident.updated``
(``presses``/``kind``, with ``emergency_added`` when a press asked for other help); evidence attached -> ``incident.updated`` with the evidence links;
cancelled or closed -> ``incident.cancelled`` / ``incident.closed``. Answers of members and
other states (``sent``, the police's own updates) send nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..change import Change, IncidentChange
from ..front import Front
from ..incident import Incident, IncidentState
from .messages import Evidence, EvidenceKind, MessageType, UpdateChange, build_message


def message_for_change(
    change: IncidentChange, front: Front, now: datetime
) -> dict[str, Any] | None:
    """Return the message that tells the police of ``change``, or None."""
    incident = change.incident
    match change.change:
        case Change.OPENED:
            return build_message(MessageType.CREATED, incident, front, now)
        case Change.JOINED | Change.KIND_RAISED:
            changes = [UpdateChange.PRESSES]
            if change.kind_change is not None:
                changes.append(UpdateChange.KIND)
            return build_message(
                MessageType.UPDATED,
                incident,
                front,
                now,
                changes=changes,
                emergency_added=change.emergency_added,
            )
        case Change.EVIDENCE:
            return build_message(
                MessageType.UPDATED,
                incident,
                front,
                now,
                evidence_of(incident),
                changes=[UpdateChange.EVIDENCE],
            )
        case Change.ADVANCED if incident.state is IncidentState.CANCELLED:
            return build_message(MessageType.CANCELLED, incident, front, now)
        case Change.ADVANCED if incident.state is IncidentState.CLOSED:
            return build_message(MessageType.CLOSED, incident, front, now)
    return None


def evidence_of(incident: Incident) -> list[Evidence]:
    """Return the incident's evidence files as message evidence."""
    return [
        Evidence(
            camera=item["camera"],
            url=item["media"],
            sha256=item["sha256"],
            captured_at=datetime.fromisoformat(item["captured_at"]),
            kind=EvidenceKind.CLIP if item["kind"] == "clip" else EvidenceKind.SNAPSHOT,
            mime_type="video/mp4" if item["kind"] == "clip" else "image/jpeg",
            size=item.get("bytes"),
            sha1=item.get("sha1"),  # CAP 1.2 <digest>; entries of before have none
        )
        for item in incident.evidence
    ]
