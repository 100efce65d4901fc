"""Which report a police message makes for an alarm receiver, and how it is stored.

:func:`report_for_message` reads a police message (``messages.py``'s dict, as ``cap.py``
does) and returns the :class:`Report` it makes, or None when an alarm receiver has nothing
to hear about it:

- ``incident.created``: the kind's alarm (panic -> ``PANIC``, ``MEDICAL`` or ``FIRE`` by
  its emergency, silent -> ``DURESS``, drill -> ``DRILL``, a test report);
- ``incident.updated`` with ``kind``: the new kind's alarm (a drill that became real, a
  silent panic that became audible), by the emergency of the press that raised it;
- ``incident.updated`` with ``emergency_added`` on a panic: that emergency's alarm (a
  medical press joining a panic sends ``MEDICAL``); other updates (more presses,
  evidence): none;
- ``incident.cancelled``: ``CANCEL``; ``incident.closed``: the restore of the kind (of the
  incident's first emergency for a panic); neither for a drill (its test report has no
  restore). Messages queued by older versions have no emergency: ``security``;
- ``front.trouble`` / ``front.restore`` (the front went deaf, ``notices.py``): the
  trouble or restore of the device's kind (kit, camera, broker link), in the device's
  zone (:func:`device_zone`).

A report is stored in the outbox as :meth:`Report.encode` (small JSON), not as a DC-09
frame: the sequence number and timestamp are set at each attempt (``client.py``), and the
account, key and content format at send time come from the destination's settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import json
import math
from typing import Any

from ...incident import Emergency, IncidentKind, IncidentSource
from ..messages import MessageType
from ..notices import NoticeType, is_notice
from .codes import (
    ALARM,
    CAMERA_ZONE_BASE,
    DEVICE_TROUBLE,
    EMERGENCY_ALARM,
    EMERGENCY_RESTORE,
    KIT_ZONE,
    LINK_ZONE,
    NO_ZONE,
    RESTORE,
    SOURCE_ZONES,
    SiaEvent,
)

STORED_VERSION = 1
MAX_ZONE = 999  # three digits in Contact ID


class InvalidReportError(ValueError):
    """Raised for stored bytes that are not a report this module wrote."""


@dataclass(frozen=True, slots=True)
class Report:
    """One report: the event, the zone it came from, and where it happened (if known)."""

    event: SiaEvent
    zone: int = NO_ZONE
    latitude: float | None = None
    longitude: float | None = None

    def __post_init__(self) -> None:
        """Check the zone and the coordinates (both or neither, finite, in range)."""
        if not isinstance(self.zone, int) or not 0 <= self.zone <= MAX_ZONE:
            raise InvalidReportError("zone must be 0-999")
        latitude, longitude = self.latitude, self.longitude
        if latitude is None or longitude is None:
            if latitude is not None or longitude is not None:
                raise InvalidReportError("latitude and longitude go together")
        elif not _coordinates_ok(latitude, longitude):
            raise InvalidReportError("latitude/longitude out of range")

    @property
    def located(self) -> bool:
        """Return True when the report says where it happened."""
        return self.latitude is not None

    def encode(self) -> bytes:
        """Return the bytes the outbox stores for this report."""
        stored: dict[str, Any] = {
            "v": STORED_VERSION,
            "event": str(self.event),
            "zone": self.zone,
        }
        if self.located:
            stored |= {"lat": self.latitude, "lon": self.longitude}
        return json.dumps(stored, separators=(",", ":")).encode("ascii")

    @classmethod
    def decode(cls, body: bytes) -> Report:
        """Return the report stored as ``body``; raises :class:`InvalidReportError`."""
        try:
            stored = json.loads(body.decode("ascii"))
        except UnicodeDecodeError, ValueError, RecursionError:
            raise InvalidReportError("stored report is not JSON") from None
        if not isinstance(stored, dict) or stored.get("v") != STORED_VERSION:
            raise InvalidReportError("stored report has no known version")
        try:
            event = SiaEvent(stored["event"])
        except KeyError, TypeError, ValueError:
            raise InvalidReportError("stored report has no known event") from None
        zone, lat, lon = stored.get("zone"), stored.get("lat"), stored.get("lon")
        if isinstance(zone, bool) or not isinstance(zone, int):
            raise InvalidReportError("stored zone is not a number")
        for value in (lat, lon):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float))
            ):
                raise InvalidReportError("stored coordinates are not numbers")
        try:
            return cls(
                event,
                zone,
                None if lat is None else float(lat),
                None if lon is None else float(lon),
            )
        except OverflowError:  # an integer too big for a float
            raise InvalidReportError("stored coordinates out of range") from None


def _coordinates_ok(latitude: float, longitude: float) -> bool:
    return (
        math.isfinite(latitude)
        and math.isfinite(longitude)
        and -90.0 <= latitude <= 90.0
        and -180.0 <= longitude <= 180.0
    )


def report_for_message(message: Mapping[str, Any]) -> Report | None:
    """Return the report a police message makes for an alarm receiver, or None.

    Raises ``ValueError`` for a kind with no SIA mapping (a new kind must get one before
    it can reach a receiver).
    """
    if is_notice(message):
        return _notice(message)
    kind = IncidentKind(message["kind"])
    first = Emergency(message.get("emergency", Emergency.SECURITY))
    match MessageType(message["type"]):
        case MessageType.CREATED:
            return _alarm(kind, first, _first(message), message)
        case MessageType.UPDATED if "kind" in (message.get("changes") or ()):
            press = _latest(message)
            emergency = Emergency((press or {}).get("emergency", first))
            return _alarm(kind, emergency, press, message)
        case MessageType.UPDATED if (
            added := message.get("emergency_added")
        ) and kind is IncidentKind.PANIC:
            return _alarm(kind, Emergency(added), _latest(message), message)
        case MessageType.CANCELLED if kind is not IncidentKind.DRILL:
            return Report(SiaEvent.CANCEL, _zone(message["source"]))
        case MessageType.CLOSED if kind is IncidentKind.PANIC:
            return Report(EMERGENCY_RESTORE[first], _zone(message["source"]))
        case MessageType.CLOSED if kind is not IncidentKind.DRILL:
            return Report(_mapped(RESTORE, kind), _zone(message["source"]))
    return None


def _alarm(
    kind: IncidentKind,
    emergency: Emergency,
    press: Mapping[str, Any] | None,
    message: Mapping[str, Any],
) -> Report:
    if kind is IncidentKind.PANIC:
        event = EMERGENCY_ALARM[emergency]
    else:
        event = _mapped(ALARM, kind)
    source = press["source"] if press is not None else message["source"]
    where = _where(press, message["front"])
    return Report(event, _zone(source), *where)


def _mapped(table: Mapping[IncidentKind, SiaEvent], kind: IncidentKind) -> SiaEvent:
    if kind not in table:
        raise ValueError(f"no SIA report for incident kind {kind}")
    return table[kind]


def _first(message: Mapping[str, Any]) -> Mapping[str, Any] | None:
    presses = message.get("presses") or []
    return presses[0] if presses else None


def _latest(message: Mapping[str, Any]) -> Mapping[str, Any] | None:
    presses = message.get("presses") or []
    return presses[-1] if presses else None


def _zone(source: str) -> int:
    try:
        return SOURCE_ZONES[IncidentSource(source)]
    except ValueError:
        return NO_ZONE


def _where(
    press: Mapping[str, Any] | None, front: Mapping[str, Any]
) -> tuple[float | None, float | None]:
    """Return the press's location if its phone gave one, else the front's."""
    for place, lat_key, lon_key in (
        ((press or {}).get("location") or {}, "lat", "lon"),
        (front, "lat", "lon"),
    ):
        lat, lon = place.get(lat_key), place.get(lon_key)
        if isinstance(lat, (int, float)) and isinstance(lon, (int, float)):
            if _coordinates_ok(float(lat), float(lon)):
                return float(lat), float(lon)
    return None, None


def _notice(message: Mapping[str, Any]) -> Report:
    """Return the trouble or restore report of a device (raises ValueError if unknown)."""
    device = message["device"]
    events = DEVICE_TROUBLE.get(str(device["kind"]))
    if events is None:
        raise ValueError(f"no SIA report for device kind {device['kind']}")
    restore = NoticeType(message["type"]) is NoticeType.RESTORE
    return Report(events[restore], device_zone(str(device["kind"]), str(device["id"])))


def device_zone(kind: str, device_id: str) -> int:
    """Return the zone of a device: kit 001, link 000, camera ``camN`` 100 + N."""
    if kind == "kit":
        return KIT_ZONE
    if kind == "link":
        return LINK_ZONE
    digits = device_id[len(device_id.rstrip("0123456789")) :]
    number = int(digits) if digits and len(digits) <= 3 else 0
    return (
        CAMERA_ZONE_BASE + number
        if number <= MAX_ZONE - CAMERA_ZONE_BASE
        else CAMERA_ZONE_BASE
    )
