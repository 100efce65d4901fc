"""The kit protocol, version 2 (docs/kit-protocol.md): topics and payloads.

Version 2 only adds to version 1, so a kit of version 1 works as it did: presses of kind
``medical`` and ``fire`` (an audible panic asking for that help), the siren tone
``medical``, and the siren command's ``emergency`` key.

Every topic is configurable so Tasmota, ESPHome or zigbee2mqtt devices can be adopted as
they are; the defaults hang under ``<base>/<front_id>/``. Parsing never raises anything but
:class:`MalformedPayloadError`, whose ``problem`` names the kind of problem (for counting and
for logging each kind once).

Every payload is hostile until checked (``frente/text.py``):

- JSON is read with :func:`~..text.strict_json`: a document with ``NaN`` / ``Infinity``, a
  number too large for a float (``1e999``), a lone UTF-16 surrogate (U+D800 alone, written
  as a JSON escape) anywhere in it, or nested deeper than 32 levels is refused whole as
  ``bad_json``, like text that is not JSON at all;
- a press's ``button`` must be storable one-line text of 1-32 characters (no control
  characters), else ``bad_button``;
- telemetry's unknown keys are kept in :attr:`Telemetry.extra` (for diagnostics) only when
  both key and value are storable: the value a string without control characters, a
  boolean, a finite number or null. Any other unknown key (a nested object or array, text
  with control characters) is dropped, never refused: a kit that sends more than we know
  keeps reporting its battery, tamper and signal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
import json
import math
from typing import Any

from ..text import InvalidInputError, checked_text, strict_json, text_problem
from ..values import Emergency, IncidentKind

PROTOCOL_VERSION = 2
MAX_PAYLOAD = 4096  # bytes; anything larger is refused unread
MAX_BUTTON = 32  # characters of a press's button id
DEFAULT_BASE = "mfs"
SIMPLE_PRESS = frozenset({"PRESS", "ON", "1", "TRUE", "SINGLE", "PANIC"})
# A press's ``kind``: how the alarm is raised (incident kind) and what the help is for.
PRESS_MEANINGS: dict[str, tuple[IncidentKind, Emergency]] = {
    "panic": (IncidentKind.PANIC, Emergency.SECURITY),
    "silent": (IncidentKind.SILENT, Emergency.SECURITY),
    "medical": (IncidentKind.PANIC, Emergency.MEDICAL),  # version 2
    "fire": (IncidentKind.PANIC, Emergency.FIRE),  # version 2
}
PRESS_KINDS = frozenset(PRESS_MEANINGS)
SIREN_TONES = ("alarm", "fire", "chime", "medical")  # medical: version 2
# The tone each emergency sounds; security sounds the front's chosen tone.
EMERGENCY_TONES = {Emergency.MEDICAL: "medical", Emergency.FIRE: "fire"}

TOPIC_KEYS = ("panic", "siren_set", "siren_state", "availability", "telemetry")
DEFAULT_TOPICS = {
    "panic": "{base}/{front_id}/panic",
    "siren_set": "{base}/{front_id}/siren/set",
    "siren_state": "{base}/{front_id}/siren/state",
    "availability": "{base}/{front_id}/availability",
    "telemetry": "{base}/{front_id}/telemetry",
}


class MalformedPayloadError(ValueError):
    """A payload we cannot use; ``problem`` is a short stable name for its kind."""

    def __init__(self, problem: str, detail: str = "") -> None:
        """Name the problem (e.g. ``bad_json``) and keep a short detail for the log."""
        super().__init__(f"{problem}: {detail}" if detail else problem)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class KitTopics:
    """The MQTT topics of one front's kit."""

    panic: str
    siren_set: str
    siren_state: str
    availability: str
    telemetry: str

    @classmethod
    def build(
        cls,
        front_id: str,
        base: str = DEFAULT_BASE,
        overrides: Mapping[str, str] | None = None,
    ) -> KitTopics:
        """Return the default topics for ``front_id`` under ``base``, with overrides."""
        topics = {
            key: template.format(base=base.strip("/"), front_id=front_id)
            for key, template in DEFAULT_TOPICS.items()
        }
        for key, value in (overrides or {}).items():
            if key not in topics:
                raise ValueError(f"unknown topic {key}")
            if value:
                topics[key] = value
        return cls(**topics)

    def subscriptions(self) -> list[str]:
        """Return the topics the integration listens to."""
        return [self.panic, self.siren_state, self.availability, self.telemetry]


@dataclass(frozen=True, slots=True)
class PressMessage:
    """A press of the physical button."""

    button: str
    seq: int | None
    kind: str  # panic | silent | medical | fire

    @property
    def incident_kind(self) -> IncidentKind:
        """Return how the press raises the alarm (fire and medical are audible)."""
        return PRESS_MEANINGS[self.kind][0]

    @property
    def emergency(self) -> Emergency:
        """Return what the help is for."""
        return PRESS_MEANINGS[self.kind][1]

    @property
    def key(self) -> str | None:
        """Return the dedupe key (button and sequence number), if the kit sent one."""
        return None if self.seq is None else f"{self.button}:{self.seq}"


@dataclass(frozen=True, slots=True)
class Telemetry:
    """What the kit reports about itself; None for what it did not send."""

    battery: int | None = None
    tamper: bool | None = None
    rssi: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _decode(payload: bytes) -> str:
    if len(payload) > MAX_PAYLOAD:
        raise MalformedPayloadError("too_large", f"{len(payload)} bytes")
    try:
        return payload.decode("utf-8").strip()
    except UnicodeDecodeError as err:
        raise MalformedPayloadError("not_utf8") from err


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = strict_json(text)
    except InvalidInputError as err:  # NaN, 1e999, a lone surrogate, too deep
        raise MalformedPayloadError("bad_json", err.problem) from err
    except (ValueError, RecursionError) as err:  # not JSON at all
        raise MalformedPayloadError("bad_json", text[:60]) from err
    if not isinstance(value, dict):
        raise MalformedPayloadError("not_an_object", type(value).__name__)
    return value


def parse_press(payload: bytes, default_button: str = "b1") -> PressMessage:
    """Parse a press: JSON ``{"button", "seq", "kind"}`` or a bare PRESS/ON/1."""
    text = _decode(payload)
    if not text.startswith(("{", "[")):
        if text.upper() in SIMPLE_PRESS:
            return PressMessage(default_button, None, "panic")
        raise MalformedPayloadError("unknown_command", text[:20])
    data = _json_object(text)
    try:
        button = checked_text(
            data.get("button", default_button), "button", max_length=MAX_BUTTON
        )
    except InvalidInputError as err:
        raise MalformedPayloadError("bad_button", err.problem) from err
    if not button:
        raise MalformedPayloadError("bad_button", "empty")
    seq = data.get("seq")
    if seq is not None and (
        isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq < 2**32
    ):
        raise MalformedPayloadError("bad_seq", repr(seq)[:40])
    kind = data.get("kind", "panic")
    if not isinstance(kind, str) or kind not in PRESS_KINDS:
        raise MalformedPayloadError("unknown_kind", repr(kind)[:40])
    return PressMessage(button, seq, kind)


def parse_on_off(payload: bytes) -> bool:
    """Parse a siren state: ON/OFF (any case) or JSON ``{"state": "ON"}``."""
    text = _decode(payload)
    if text.startswith("{"):
        text = str(_json_object(text).get("state", ""))
    upper = text.upper()
    if upper in {"ON", "1", "TRUE"}:
        return True
    if upper in {"OFF", "0", "FALSE"}:
        return False
    raise MalformedPayloadError("bad_state", text[:20])


def parse_availability(payload: bytes) -> bool:
    """Parse ``online`` / ``offline`` (the kit's retained last will)."""
    text = _decode(payload).lower()
    if text in {"online", "1", "true"}:
        return True
    if text in {"offline", "0", "false"}:
        return False
    raise MalformedPayloadError("bad_availability", text[:20])


def _number(
    data: dict[str, Any], key: str, low: float, high: float
) -> int | float | None:
    value = data.pop(key, None)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedPayloadError(f"bad_{key}", repr(value)[:20])
    if not low <= value <= high:
        raise MalformedPayloadError(f"bad_{key}", repr(value)[:20])
    return value


def parse_telemetry(payload: bytes) -> Telemetry:
    """Parse ``{"battery": 0-100, "tamper": bool, "rssi": dBm}``; all keys optional."""
    data = _json_object(_decode(payload))
    battery = _number(data, "battery", 0, 100)
    rssi = _number(data, "rssi", -150, 0)
    tamper = data.pop("tamper", None)
    if tamper is not None and not isinstance(tamper, bool):
        raise MalformedPayloadError("bad_tamper", repr(tamper)[:20])
    return Telemetry(
        battery=None if battery is None else round(battery),
        tamper=tamper,
        rssi=None if rssi is None else round(rssi),
        extra={key: value for key, value in data.items() if _storable(key, value)},
    )


def _storable(key: str, value: object) -> bool:
    """Return True for an unknown telemetry key worth keeping for diagnostics."""
    if text_problem(key) is not None:
        return False
    if value is None or isinstance(value, bool | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str) and text_problem(value) is None


def siren_tone(emergency: Emergency, security_tone: str) -> str:
    """Return the tone of ``emergency`` (the front's own tone for security)."""
    return EMERGENCY_TONES.get(emergency, security_tone)


def siren_command(
    on: bool,
    *,
    duration: int | None = None,
    tone: str | None = None,
    plain: bool = False,
    emergency: Emergency | None = None,
) -> bytes:
    """Return the siren/set payload: JSON by default, bare ON/OFF for simple firmware.

    ``emergency`` (version 2) names what a medical or fire alarm is for, so a kit that
    does not know a tone can still choose its own sound; it is left out for security, so
    that command is exactly version 1's.
    """
    if plain:
        return b"ON" if on else b"OFF"
    command: dict[str, Any] = {"state": "ON" if on else "OFF"}
    if on and duration is not None:
        command["duration"] = duration
    if on and tone is not None:
        command["tone"] = tone
    if on and emergency is not None and emergency is not Emergency.SECURITY:
        command["emergency"] = str(emergency)
    return json.dumps(command, separators=(",", ":")).encode()
