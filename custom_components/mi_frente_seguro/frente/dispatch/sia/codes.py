"""What a front tells an alarm receiver, and its SIA-DCS and Contact ID codes.

:class:`SiaEvent` names each report independently of the content format; :data:`CODES`
gives its SIA-DCS event code (SIA DC-03 two-letter codes) and its Contact ID (ADM-CID,
SIA DC-05) event qualifier and three-digit event code. The two columns agree with the
DC-05 translation that receivers apply (pysiaalarm turns Contact ID 1 120 into ``PA`` and
3 120 into ``PH``), so a receiver shows the same event whichever format a front uses.
``docs/sia.md`` has the table and the reasons.

Contact ID qualifiers: 1 new event (or opening), 3 restore (or closing), 6 previously
reported condition still present (status). This integration sends 1 and 3.

The three-digit zone/user field says where the press came from (:data:`SOURCE_ZONES`):
receivers show it as the zone of the alarm.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from ...incident import Emergency, IncidentKind, IncidentSource


class SiaEvent(StrEnum):
    """One report to an alarm receiver (stored in the outbox by this name)."""

    PANIC = "panic"  # audible panic alarm
    PANIC_RESTORE = "panic_restore"  # the incident was closed
    DURESS = "duress"  # silent panic: the sender may be under duress
    DURESS_RESTORE = "duress_restore"
    CANCEL = "cancel"  # false alarm, cancelled by a member
    DRILL = "drill"  # simulacro: a manual test report, never an alarm
    LINK_TEST = "link_test"  # periodic supervision (when not a NULL message)
    MEDICAL = "medical"  # a panic press asking for medical help
    MEDICAL_RESTORE = "medical_restore"
    FIRE = "fire"  # a panic press reporting a fire
    FIRE_RESTORE = "fire_restore"
    # The front went deaf (docs/police-api.md, trouble messages): a device down past its
    # supervision time, and its restore. The zone says which device (DEVICE_ZONES).
    KIT_TROUBLE = "kit_trouble"  # the street kit (buttons, siren) is missing
    KIT_RESTORE = "kit_restore"
    CAMERA_TROUBLE = "camera_trouble"
    CAMERA_RESTORE = "camera_restore"
    LINK_TROUBLE = "link_trouble"  # the front lost its broker: it hears no street
    LINK_RESTORE = "link_restore"


class Qualifier(IntEnum):
    """Contact ID event qualifier."""

    NEW = 1  # new event or opening
    RESTORE = 3  # restore or closing
    PREVIOUS = 6  # previously reported condition still present


@dataclass(frozen=True, slots=True)
class EventCodes:
    """The codes of one report: SIA-DCS, then Contact ID qualifier and event."""

    sia: str
    qualifier: Qualifier
    cid: int  # three-digit Contact ID event code
    meaning: str  # the code's name in the SIA / Contact ID lists


CODES: dict[SiaEvent, EventCodes] = {
    SiaEvent.PANIC: EventCodes("PA", Qualifier.NEW, 120, "Panic alarm"),
    SiaEvent.PANIC_RESTORE: EventCodes(
        "PH", Qualifier.RESTORE, 120, "Panic alarm restore"
    ),
    SiaEvent.DURESS: EventCodes("HA", Qualifier.NEW, 122, "Hold-up / silent panic"),
    SiaEvent.DURESS_RESTORE: EventCodes(
        "HH", Qualifier.RESTORE, 122, "Hold-up alarm restore"
    ),
    SiaEvent.CANCEL: EventCodes("OC", Qualifier.NEW, 406, "Cancel report"),
    SiaEvent.DRILL: EventCodes("RX", Qualifier.NEW, 601, "Manual test report"),
    SiaEvent.LINK_TEST: EventCodes("RP", Qualifier.NEW, 602, "Automatic test report"),
    SiaEvent.MEDICAL: EventCodes("MA", Qualifier.NEW, 100, "Medical alarm"),
    SiaEvent.MEDICAL_RESTORE: EventCodes(
        "MH", Qualifier.RESTORE, 100, "Medical alarm restore"
    ),
    SiaEvent.FIRE: EventCodes("FA", Qualifier.NEW, 110, "Fire alarm"),
    SiaEvent.FIRE_RESTORE: EventCodes(
        "FH", Qualifier.RESTORE, 110, "Fire alarm restore"
    ),
    SiaEvent.KIT_TROUBLE: EventCodes(
        "ET", Qualifier.NEW, 333, "Expansion module failure / expansion trouble"
    ),
    SiaEvent.KIT_RESTORE: EventCodes(
        "ER", Qualifier.RESTORE, 333, "Expansion module restore / expansion restoral"
    ),
    SiaEvent.CAMERA_TROUBLE: EventCodes(
        "YX", Qualifier.NEW, 330, "System peripheral trouble / service required"
    ),
    SiaEvent.CAMERA_RESTORE: EventCodes(
        "YZ", Qualifier.RESTORE, 330, "System peripheral restore / service completed"
    ),
    SiaEvent.LINK_TROUBLE: EventCodes(
        "YC", Qualifier.NEW, 350, "Communication trouble / communications fail"
    ),
    SiaEvent.LINK_RESTORE: EventCodes(
        "YK", Qualifier.RESTORE, 350, "Communication restore / communications restoral"
    ),
}

# Trouble and restore of each kind of device (``frente/trouble.py``'s DeviceKind values).
DEVICE_TROUBLE: dict[str, tuple[SiaEvent, SiaEvent]] = {
    "kit": (SiaEvent.KIT_TROUBLE, SiaEvent.KIT_RESTORE),
    "camera": (SiaEvent.CAMERA_TROUBLE, SiaEvent.CAMERA_RESTORE),
    "link": (SiaEvent.LINK_TROUBLE, SiaEvent.LINK_RESTORE),
}
# The zone of a trouble: the kit is the physical button's zone (001), the link the
# front itself (000), camera n (its place in the front's list, from 1) is 100 + n.
KIT_ZONE = 1
LINK_ZONE = 0
CAMERA_ZONE_BASE = 100

# What an incident of each kind reports when it opens (or rises to that kind), and when
# it is closed. A drill is a one-shot test report: it has no restore. An audible panic
# reports its emergency (EMERGENCY_ALARM); silent (duress) and drill reports are the same
# whatever the emergency.
ALARM: dict[IncidentKind, SiaEvent] = {
    IncidentKind.PANIC: SiaEvent.PANIC,
    IncidentKind.SILENT: SiaEvent.DURESS,
    IncidentKind.DRILL: SiaEvent.DRILL,
}
RESTORE: dict[IncidentKind, SiaEvent] = {
    IncidentKind.PANIC: SiaEvent.PANIC_RESTORE,
    IncidentKind.SILENT: SiaEvent.DURESS_RESTORE,
}

EMERGENCY_ALARM: dict[Emergency, SiaEvent] = {
    Emergency.SECURITY: SiaEvent.PANIC,
    Emergency.MEDICAL: SiaEvent.MEDICAL,
    Emergency.FIRE: SiaEvent.FIRE,
}
EMERGENCY_RESTORE: dict[Emergency, SiaEvent] = {
    Emergency.SECURITY: SiaEvent.PANIC_RESTORE,
    Emergency.MEDICAL: SiaEvent.MEDICAL_RESTORE,
    Emergency.FIRE: SiaEvent.FIRE_RESTORE,
}

# The zone/user number of each source of a press; 0 for reports of no press.
SOURCE_ZONES: dict[IncidentSource, int] = {
    IncidentSource.PHYSICAL_BUTTON: 1,
    IncidentSource.APP: 2,
    IncidentSource.ACTION: 3,
    IncidentSource.AUTOMATION: 4,
    IncidentSource.SENSOR: 5,
}
NO_ZONE = 0
