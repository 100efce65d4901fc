"""CAP 1.2 rendering, validated against the official OASIS schema."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from custom_components.mi_frente_seguro.frente.dispatch.cap import (
    SILENT_INSTRUCTION,
    cap_time,
    to_cap,
)
from custom_components.mi_frente_seguro.frente.dispatch.messages import (
    MessageRef,
    MessageType,
    build_message,
)
from custom_components.mi_frente_seguro.frente.incident import IncidentKind

from .conftest import FRONT, T0, make_incident
from .contract import cap_schema
from .test_messages import SENT, every_message


def decoded(message: dict[str, Any], sender: str | None = None) -> dict[str, Any]:
    """Render ``message`` as CAP, validate it against the XSD and return it as a dict."""
    document = to_cap(message, sender).decode()
    cap_schema().validate(document)
    data: dict[str, Any] = cap_schema().to_dict(document)
    return data


@pytest.mark.parametrize("index", range(6))
def test_every_message_is_valid_cap(index: int) -> None:
    """Every message type renders to an alert the OASIS CAP 1.2 schema accepts."""
    message = every_message()[index]
    alert = decoded(message)
    assert alert["identifier"] == message["id"]
    assert alert["incidents"] == message["incident_id"]
    assert alert["scope"] == "Private"
    assert alert["addresses"] == "MECAR-E1-C3"


def test_alert_update_cancel_and_references() -> None:
    """Created -> Alert; updated/closed -> Update and cancelled -> Cancel, referencing it."""
    created, updated, _, cancel, close, drill = every_message()
    sender = "mi-frente-seguro:manga_calle_real"
    assert decoded(created)["msgType"] == "Alert"
    assert "references" not in decoded(created)
    original = f"{sender},{created['id']},2026-11-26T20:00:01-05:00"
    for message, msg_type in (
        (updated, "Update"),
        (cancel, "Cancel"),
        (close, "Update"),
    ):
        alert = decoded(message)
        assert alert["msgType"] == msg_type
        assert alert["references"] == original
    assert decoded(cancel)["note"] == "Falsa alarma: Se activó por error"
    assert decoded(cancel)["info"][0]["urgency"] == "Past"
    assert decoded(close)["note"] == "Sin novedad"
    assert decoded(drill)["status"] == "Exercise"
    assert decoded(drill)["info"][0]["severity"] == "Minor"
    assert decoded(created)["status"] == "Actual"


def test_info_area_and_resources() -> None:
    """Spanish info: the front's circle in km, the sender's location, SHA-1 digests."""
    alert = decoded(every_message()[1])
    assert alert["sent"] == "2026-11-26T20:00:01-05:00"  # no fractional seconds
    (info,) = alert["info"]
    assert info["language"] == "es-CO"
    assert info["category"] == ["Security"]
    assert (info["urgency"], info["severity"], info["certainty"]) == (
        "Immediate",
        "Extreme",
        "Observed",
    )
    front_area, sender_area = info["area"]
    assert front_area == {
        "areaDesc": "Manga, Calle 25 # 20-30",
        "circle": ["10.414000,-75.536600 0.150"],
    }
    assert sender_area["circle"] == ["10.414200,-75.536100 0.012"]
    snapshot, clip = info["resource"]
    assert snapshot["digest"] == "b" * 40  # CAP 1.2 <digest> is SHA-1, not SHA-256
    assert snapshot["size"] == 48_213
    assert snapshot["mimeType"] == "image/jpeg"
    assert "digest" not in clip  # no SHA-1 known: no digest rather than a wrong one
    assert "Ana Pérez, casa 12, +573001234567" in info["description"]
    assert "Pulsaciones: 2" in info["description"]


def test_silent_alarm_warns_not_to_call() -> None:
    """A silent alarm tells the police not to contact the sender openly."""
    silent = make_incident(kind=IncidentKind.SILENT)
    info = decoded(build_message(MessageType.CREATED, silent, FRONT, SENT))["info"][0]
    assert info["event"] == "Pánico silencioso (coacción)"
    assert info["instruction"] == SILENT_INSTRUCTION


def test_user_text_cannot_break_the_xml() -> None:
    """Control characters are dropped and markup is escaped; the alert stays valid."""
    incident = replace(make_incident(), note="<b>&amp;</b>\x00\x07 ok")
    front = replace(FRONT, cuadrante_code="MECAR E1 C3", name="Calle <Real> & Co")
    alert = decoded(build_message(MessageType.CREATED, incident, front, SENT))
    assert alert["addresses"] == '"MECAR E1 C3"'  # CAP addresses are space-separated
    assert "Nota: <b>&amp;</b> ok" in alert["info"][0]["description"]
    assert alert["info"][0]["senderName"] == "Frente de seguridad Calle <Real> & Co"


def test_custom_sender_is_used_in_references() -> None:
    """The CAP sender can be set per outbox; references use the same sender."""
    created = every_message()[0]
    update = every_message()[1]
    update["references"] = MessageRef.of(created).to_dict()
    alert = decoded(update, sender="cartagena.frentes.example")
    assert alert["sender"] == "cartagena.frentes.example"
    assert alert["references"].startswith(f"cartagena.frentes.example,{created['id']},")


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (T0, "2026-11-26T20:00:00-05:00"),
        (
            datetime(2026, 11, 27, 1, 0, 0, 999_999, tzinfo=UTC),
            "2026-11-27T01:00:00-00:00",
        ),
        (
            datetime(
                2026, 1, 1, 9, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))
            ),
            "2026-01-01T09:30:00+05:30",
        ),
        (
            datetime(2026, 1, 1, 12, 0, tzinfo=timezone(timedelta(seconds=3_725))),
            "2026-01-01T10:57:55-00:00",
        ),
        ("2026-11-26T20:00:00.250000-05:00", "2026-11-26T20:00:00-05:00"),
    ],
)
def test_cap_time(moment: datetime | str, expected: str) -> None:
    """CAP dateTime: seconds, numeric offset, UTC as -00:00 (never Z)."""
    assert cap_time(moment) == expected


def test_cap_time_needs_an_offset() -> None:
    """A naive time is refused."""
    with pytest.raises(ValueError, match="timezone"):
        cap_time("2026-11-26T20:00:00")


def test_schema_rejects_a_broken_alert() -> None:
    """The XSD check is real: an alert with a fractional-second <sent> is refused."""
    document = to_cap(every_message()[0]).decode()
    broken = document.replace(
        "<sent>2026-11-26T20:00:01-05:00", "<sent>2026-11-26T20:00:01.5Z"
    )
    assert broken != document
    assert not cap_schema().is_valid(broken)
    assert cap_schema().is_valid(document)
