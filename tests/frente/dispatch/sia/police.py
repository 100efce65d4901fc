"""Police messages of every kind and change, and the report each must make for SIA."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from custom_components.mi_frente_seguro.frente.dispatch.messages import (
    EvidenceKind,
    MessageType,
    UpdateChange,
    build_message,
)
from custom_components.mi_frente_seguro.frente.dispatch.notices import (
    Notice,
    NoticeType,
    build_notice,
)
from custom_components.mi_frente_seguro.frente.dispatch.sia.codes import SiaEvent
from custom_components.mi_frente_seguro.frente.incident import IncidentKind
from custom_components.mi_frente_seguro.frente.trouble import Device
from tests.frente.dispatch.conftest import (
    EVIDENCE,
    FRONT,
    T0,
    cancelled,
    closed,
    joined,
    make_incident,
)

APP_ZONE, KIT_ZONE = 2, 1
# Ana's phone (make_incident) and the front (a kit press has no location).
ANA_PLACE = (10.4142, -75.5361)
FRONT_PLACE = (10.414, -75.5366)


@dataclass(frozen=True)
class Case:
    """A police message and what an alarm receiver must hear of it."""

    name: str
    message: dict[str, Any]
    event: SiaEvent | None  # None: nothing goes to the receiver
    zone: int = APP_ZONE
    place: tuple[float, float] | None = None


def _message(
    message_type: MessageType, kind: IncidentKind, n: int, **extra: Any
) -> dict[str, Any]:
    incident = make_incident(f"01JDSIA{n:019d}", kind)
    if message_type is MessageType.CANCELLED:
        incident = cancelled(incident)
    elif message_type is MessageType.CLOSED:
        incident = closed(incident)
    elif message_type is MessageType.UPDATED and extra.get("changes") == [
        UpdateChange.PRESSES,
        UpdateChange.KIND,
    ]:
        incident = joined(incident)  # a physical press: a drill becomes a real panic
    return build_message(
        message_type, incident, FRONT, T0 + timedelta(seconds=n), **extra
    )


def cases() -> list[Case]:
    """Return one case for every kind and change an incident has."""
    evidence = [item for item in EVIDENCE if item.kind is EvidenceKind.SNAPSHOT]
    return [
        Case("panic", _message(MessageType.CREATED, IncidentKind.PANIC, 1), SiaEvent.PANIC, place=ANA_PLACE),
        Case("silent", _message(MessageType.CREATED, IncidentKind.SILENT, 2), SiaEvent.DURESS, place=ANA_PLACE),
        Case("drill", _message(MessageType.CREATED, IncidentKind.DRILL, 3), SiaEvent.DRILL, place=ANA_PLACE),
        Case(
            "drill_became_panic",
            _message(MessageType.UPDATED, IncidentKind.DRILL, 4, changes=[UpdateChange.PRESSES, UpdateChange.KIND]),
            SiaEvent.PANIC,
            zone=KIT_ZONE,
            place=FRONT_PLACE,
        ),
        Case("more_presses", _message(MessageType.UPDATED, IncidentKind.PANIC, 5, changes=[UpdateChange.PRESSES]), None),
        Case(
            "evidence",
            _message(MessageType.UPDATED, IncidentKind.PANIC, 6, evidence=evidence, changes=[UpdateChange.EVIDENCE]),
            None,
        ),
        Case("panic_cancelled", _message(MessageType.CANCELLED, IncidentKind.PANIC, 7), SiaEvent.CANCEL),
        Case("silent_cancelled", _message(MessageType.CANCELLED, IncidentKind.SILENT, 8), SiaEvent.CANCEL),
        Case("panic_closed", _message(MessageType.CLOSED, IncidentKind.PANIC, 9), SiaEvent.PANIC_RESTORE),
        Case("silent_closed", _message(MessageType.CLOSED, IncidentKind.SILENT, 10), SiaEvent.DURESS_RESTORE),
        Case("drill_cancelled", _message(MessageType.CANCELLED, IncidentKind.DRILL, 11), None),
        Case("drill_closed", _message(MessageType.CLOSED, IncidentKind.DRILL, 12), None),
    ]  # fmt: skip


def notice_cases() -> list[Case]:
    """Return the trouble and restore of each kind of device (the front went deaf)."""
    found = []
    for device, zone, (trouble, restore) in (
        (Device.kit(), 1, (SiaEvent.KIT_TROUBLE, SiaEvent.KIT_RESTORE)),
        (Device.camera("cam2", "Parque"), 102, (SiaEvent.CAMERA_TROUBLE, SiaEvent.CAMERA_RESTORE)),
        (Device.link(), 0, (SiaEvent.LINK_TROUBLE, SiaEvent.LINK_RESTORE)),
    ):  # fmt: skip
        back = T0 + timedelta(minutes=5)
        found += [
            Case(f"{device.kind}_trouble", build_notice(
                Notice(NoticeType.TROUBLE, device, T0, 90), FRONT, sent_at=T0,
            ), trouble, zone=zone),
            Case(f"{device.kind}_restore", build_notice(
                Notice(NoticeType.RESTORE, device, T0, 90, until=back), FRONT, sent_at=back,
            ), restore, zone=zone),
        ]  # fmt: skip
    return found


def sent_cases() -> list[Case]:
    """Return the cases that reach a receiver."""
    return [case for case in cases() if case.event is not None]
