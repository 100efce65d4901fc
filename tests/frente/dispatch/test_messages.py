"""Police messages: content, and conformance to the published JSON Schema."""

from __future__ import annotations

from datetime import datetime, timedelta
import json
from typing import Any

import pytest

from custom_components.mi_frente_seguro.frente.dispatch.messages import (
    MessageRef,
    MessageType,
    UpdateChange,
    build_message,
    encode_json,
    new_message_id,
)
from custom_components.mi_frente_seguro.frente.incident import (
    Incident,
    IncidentKind,
    IncidentSource,
    Press,
)

from .conftest import EVIDENCE, FRONT, T0, cancelled, closed, joined, make_incident
from .contract import validator

SENT = T0 + timedelta(seconds=1)


def every_message() -> list[dict[str, Any]]:
    """Return one message of every type, and a drill."""
    created = build_message(MessageType.CREATED, make_incident(), FRONT, SENT)
    ref = MessageRef.of(created)
    upgraded, _ = make_incident(
        "01JDDRILL00000000000000000", IncidentKind.DRILL
    ).joined(Press(T0 + timedelta(seconds=9), IncidentKind.PANIC, IncidentSource.APP))
    return [
        created,
        build_message(
            MessageType.UPDATED,
            joined(make_incident()),
            FRONT,
            SENT,
            EVIDENCE,
            changes=[UpdateChange.EVIDENCE, UpdateChange.PRESSES],
            original=ref,
        ),
        build_message(
            MessageType.UPDATED, upgraded, FRONT, SENT, changes=[UpdateChange.KIND]
        ),
        build_message(
            MessageType.CANCELLED, cancelled(make_incident()), FRONT, SENT, original=ref
        ),
        build_message(
            MessageType.CLOSED,
            closed(make_incident()),
            FRONT,
            SENT,
            EVIDENCE,
            original=ref,
        ),
        build_message(
            MessageType.CREATED,
            make_incident("01JDDRILL00000000000000001", IncidentKind.DRILL),
            FRONT,
            SENT,
        ),
    ]


@pytest.mark.parametrize("index", range(6))
def test_messages_follow_the_schema(index: int) -> None:
    """Every message type validates, and the schema documents every field sent."""
    message = every_message()[index]
    round_tripped = json.loads(encode_json(message))
    validator(strict=True).validate(round_tripped)
    validator("message", strict=True).validate(round_tripped)


def test_created_message_content(incident: Incident) -> None:
    """The alarm names the front, the quadrant, the sender, where they were and when."""
    message = build_message(
        MessageType.CREATED, incident, FRONT, SENT, message_id="01JDMSG"
    )
    assert message["version"] == "2"
    assert message["type"] == "incident.created"
    assert message["id"] == "01JDMSG"
    assert message["sent_at"] == "2026-11-26T20:00:01.250000-05:00"
    assert message["front"]["cuadrante"] == {
        "code": "MECAR-E1-C3",
        "name": "Cuadrante 3 Manga",
    }
    assert (message["front"]["lat"], message["front"]["lon"]) == (10.414, -75.5366)
    assert message["exercise"] is False
    assert message["state"] == "triggered"
    assert message["transitions"] == [
        {"state": "triggered", "at": "2026-11-26T20:00:00.250000-05:00"}
    ]
    (press,) = message["presses"]
    assert press["sender"] == {
        "name": "Ana Pérez",
        "house": "12",
        "phone": "+573001234567",
        "is_member": True,
        "device": None,
        "suspended": False,
    }
    assert press["source"] == "app"
    # The fix was 20 s before the press, and the message leaves 1 s after it.
    assert press["location"]["age_s"] == 21
    assert press["location"]["accuracy_m"] == 12.0
    assert press["location"]["outside_area"] is False
    assert "references" not in message
    assert "u-ana" not in json.dumps(message)  # HA user ids stay home


def test_update_lists_changes_and_evidence() -> None:
    """An update says what is new and links every evidence file with its digests."""
    created = build_message(MessageType.CREATED, make_incident(), FRONT, SENT)
    message = build_message(
        MessageType.UPDATED,
        joined(make_incident()),
        FRONT,
        SENT,
        EVIDENCE,
        changes=[UpdateChange.PRESSES, UpdateChange.EVIDENCE, UpdateChange.PRESSES],
        original=MessageRef.of(created),
    )
    assert message["changes"] == ["evidence", "presses"]
    assert len(message["presses"]) == 2
    assert message["presses"][1]["location"] is None
    assert message["evidence"][0] == {
        "camera": "Portería",
        "url": "https://evidence.example.org/f/01JD/porteria.jpg",
        "sha256": "a" * 64,
        "sha1": "b" * 40,
        "captured_at": "2026-11-26T20:00:03.250000-05:00",
        "kind": "snapshot",
        "mime_type": "image/jpeg",
        "size_bytes": 48_213,
    }
    assert message["references"] == {"id": created["id"], "sent_at": created["sent_at"]}
    with pytest.raises(ValueError, match="at least one change"):
        build_message(MessageType.UPDATED, make_incident(), FRONT, SENT, changes=[])


def test_cancel_and_close_carry_reason_and_note() -> None:
    """Cancel has the reason and who; close has the note; internal details stay home."""
    cancel = build_message(
        MessageType.CANCELLED, cancelled(make_incident()), FRONT, SENT
    )
    assert cancel["state"] == "cancelled"
    assert cancel["cancel"] == {
        "at": "2026-11-26T20:02:00.250000-05:00",
        "reason": "Se activó por error",
        "by_name": "Ana Pérez",
    }
    close = build_message(MessageType.CLOSED, closed(make_incident()), FRONT, SENT)
    assert close["close"]["note"] == "Sin novedad"
    dispatched = close["transitions"][2]
    assert dispatched == {
        "state": "dispatched",
        "at": "2026-11-26T20:01:00.250000-05:00",
        "unit": "Patrulla 12",
        "eta_minutes": 6,
    }
    assert "relayed_by" not in json.dumps(close)
    with pytest.raises(ValueError, match="is not cancelled"):
        build_message(MessageType.CANCELLED, make_incident(), FRONT, SENT)
    with pytest.raises(ValueError, match="is not closed"):
        build_message(MessageType.CLOSED, make_incident(), FRONT, SENT)


def test_drill_is_an_exercise_until_a_real_press() -> None:
    """A drill is marked exercise; a real press during it makes the incident real."""
    drill = make_incident("01JDDRILL00000000000000000", IncidentKind.DRILL)
    assert build_message(MessageType.CREATED, drill, FRONT, SENT)["exercise"] is True
    drill, _ = drill.joined(Press(T0, IncidentKind.SILENT, IncidentSource.APP))
    upgraded = build_message(
        MessageType.UPDATED, drill, FRONT, SENT, changes=[UpdateChange.KIND]
    )
    assert upgraded["exercise"] is False
    assert upgraded["kind"] == "silent"
    assert upgraded["kind_changes"] == [
        {"at": "2026-11-26T20:00:00.250000-05:00", "old": "drill", "new": "silent"}
    ]


def test_naive_times_are_refused(incident: Incident) -> None:
    """A message time without offset would be ambiguous to the police."""
    with pytest.raises(ValueError, match="timezone-aware"):
        build_message(
            MessageType.CREATED, incident, FRONT, datetime(2026, 11, 26, 20, 0)
        )  # noqa: DTZ001


def test_message_ids_are_unique_and_sorted() -> None:
    """Ids made in one millisecond still differ and sort in creation order."""
    ids = [new_message_id(T0) for _ in range(100)]
    assert len(set(ids)) == 100
    assert ids == sorted(ids)


def test_json_bytes_are_compact_utf8(incident: Incident) -> None:
    """The signed bytes are compact UTF-8 (accents as themselves, not escapes)."""
    message = build_message(MessageType.CREATED, incident, FRONT, SENT)
    body = encode_json(message)
    assert "Pérez".encode() in body
    assert b'": ' not in body
    assert json.loads(body) == message


def test_strict_schema_catches_undocumented_fields(incident: Incident) -> None:
    """The check above means something: an undocumented field fails the strict schema."""
    message = build_message(MessageType.CREATED, incident, FRONT, SENT)
    message["front"]["secret_field"] = 1
    assert not validator(strict=True).is_valid(message)
    assert validator().is_valid(
        message
    )  # the published schema lets receivers ignore it
