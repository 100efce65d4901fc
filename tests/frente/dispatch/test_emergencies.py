"""Emergencies reach the police: JSON fields (schema), CAP categories (XSD), SIA codes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from custom_components.mi_frente_seguro.frente.book import IncidentBook
from custom_components.mi_frente_seguro.frente.dispatch.cap import to_cap
from custom_components.mi_frente_seguro.frente.dispatch.changes import (
    message_for_change,
)
from custom_components.mi_frente_seguro.frente.dispatch.messages import (
    MessageType,
    build_message,
)
from custom_components.mi_frente_seguro.frente.dispatch.sia.codes import (
    CODES,
    Qualifier,
    SiaEvent,
)
from custom_components.mi_frente_seguro.frente.dispatch.sia.report import (
    report_for_message,
)
from custom_components.mi_frente_seguro.frente.incident import (
    Emergency,
    IncidentKind,
    IncidentState,
)
from tests.frente.presses import app_press

from .conftest import ANA, FRONT, LUIS, T0, closed
from .contract import cap_schema, validator

SENT = T0 + timedelta(seconds=1)


def messages_of(
    *presses: tuple[IncidentKind, Emergency], close: bool = False
) -> list[dict[str, Any]]:
    """Press each (kind, emergency) on one front; return the police messages made."""
    book = IncidentBook(FRONT.front_id, lambda: SENT)
    sent = []
    for n, (kind, emergency) in enumerate(presses):
        sender = ANA if n == 0 else LUIS
        press = app_press(T0 + timedelta(seconds=n), kind, sender, emergency=emergency)
        change = book.decide_press(press)
        book.apply(change)
        if (message := message_for_change(change, FRONT, SENT)) is not None:
            sent.append(message)
    if close:
        incident = closed(book.get(None))
        sent.append(build_message(MessageType.CLOSED, incident, FRONT, SENT))
    return sent


def cap(message: dict[str, Any]) -> dict[str, Any]:
    """Render ``message`` as CAP, validate it against the OASIS XSD, return it as a dict."""
    document = to_cap(message).decode()
    cap_schema().validate(document)
    data: dict[str, Any] = cap_schema().to_dict(document)
    return data


def info_of(message: dict[str, Any]) -> dict[str, Any]:
    """Return the (one) CAP <info> of ``message``."""
    (info,) = cap(message)["info"]
    return info  # type: ignore[no-any-return]


def categories(message: dict[str, Any]) -> list[str]:
    """Return the CAP categories of ``message``."""
    found = info_of(message)["category"]
    return found if isinstance(found, list) else [found]


@pytest.mark.parametrize(
    ("emergency", "category", "event"),
    [
        (Emergency.SECURITY, "Security", "Alarma de pánico"),
        (Emergency.MEDICAL, "Health", "Emergencia médica"),
        (Emergency.FIRE, "Fire", "Incendio"),
    ],
)
def test_each_emergency_has_its_cap_category(
    emergency: Emergency, category: str, event: str
) -> None:
    """A medical alarm is CAP category Health, a fire Fire; valid against the XSD."""
    (created,) = messages_of((IncidentKind.PANIC, emergency))
    validator(strict=True).validate(created)
    assert (created["emergency"], created["emergencies"]) == (emergency, [emergency])
    assert created["presses"][0]["emergency"] == emergency
    assert categories(created) == [category]
    info = info_of(created)
    assert info["event"] == event
    assert {"valueName": "emergency", "value": str(emergency)} in info["parameter"]


def test_a_medical_press_on_a_panic_updates_with_the_new_emergency() -> None:
    """The update says ``emergency_added``; CAP lists both categories, first first."""
    created, updated = messages_of(
        (IncidentKind.PANIC, Emergency.SECURITY),
        (IncidentKind.PANIC, Emergency.MEDICAL),
    )
    for message in (created, updated):
        validator(strict=True).validate(message)
    assert "emergency_added" not in created
    assert updated["emergency_added"] == "medical"
    assert updated["changes"] == ["presses"]
    assert updated["emergencies"] == ["security", "medical"]
    assert categories(updated) == ["Security", "Health"]
    assert (
        "Emergencias: Seguridad, Emergencia médica." in info_of(updated)["description"]
    )


def test_a_drill_of_a_fire_is_an_exercise() -> None:
    """A fire drill: CAP Exercise, category Fire, its event says drill."""
    (created,) = messages_of((IncidentKind.DRILL, Emergency.FIRE))
    assert cap(created)["status"] == "Exercise"
    assert categories(created) == ["Fire"]
    assert info_of(created)["event"] == "Simulacro: incendio"


def test_a_message_queued_by_an_older_version_is_security() -> None:
    """No emergency fields at all (an outbox row of before): CAP Security, SIA PA."""
    (created,) = messages_of((IncidentKind.PANIC, Emergency.SECURITY))
    for key in ("emergency", "emergencies"):
        del created[key]
    for press in created["presses"]:
        del press["emergency"]
    validator(strict=True).validate(created)
    assert categories(created) == ["Security"]
    report = report_for_message(created)
    assert report is not None
    assert report.event is SiaEvent.PANIC


@pytest.mark.parametrize(
    ("presses", "events"),
    [
        ([(IncidentKind.PANIC, Emergency.MEDICAL)], ["MA", "MH"]),
        ([(IncidentKind.PANIC, Emergency.FIRE)], ["FA", "FH"]),
        ([(IncidentKind.PANIC, Emergency.SECURITY)], ["PA", "PH"]),
        (
            [
                (IncidentKind.PANIC, Emergency.SECURITY),
                (IncidentKind.PANIC, Emergency.FIRE),
            ],
            ["PA", "FA", "PH"],
        ),
        (
            [
                (IncidentKind.DRILL, Emergency.FIRE),
                (IncidentKind.PANIC, Emergency.MEDICAL),
            ],
            ["RX", "MA", "MH"],
        ),
        ([(IncidentKind.DRILL, Emergency.MEDICAL)], ["RX"]),
        ([(IncidentKind.SILENT, Emergency.SECURITY)], ["HA", "HH"]),
        (
            [
                (IncidentKind.PANIC, Emergency.FIRE),
                (IncidentKind.PANIC, Emergency.FIRE),
            ],
            ["FA", "FH"],
        ),
    ],
)
def test_sia_codes_of_each_emergency(
    presses: list[tuple[IncidentKind, Emergency]], events: list[str]
) -> None:
    """docs/sia.md: medical MA/1 100 and fire FA/1 110, with their restores on close."""
    sent = [
        report
        for message in messages_of(*presses, close=True)
        if (report := report_for_message(message)) is not None
    ]
    assert [CODES[report.event].sia for report in sent] == events


def test_the_contact_id_codes_of_medical_and_fire() -> None:
    """The table docs/sia.md fixed: 1 100 / 3 100 and 1 110 / 3 110."""
    assert (CODES[SiaEvent.MEDICAL].qualifier, CODES[SiaEvent.MEDICAL].cid) == (
        Qualifier.NEW,
        100,
    )
    assert (CODES[SiaEvent.FIRE_RESTORE].qualifier, CODES[SiaEvent.FIRE].cid) == (
        Qualifier.RESTORE,
        110,
    )


def test_closed_state_is_reached() -> None:
    """The helper used above closes the incident (guards the close cases)."""
    *_, close = messages_of((IncidentKind.PANIC, Emergency.FIRE), close=True)
    assert close["state"] == IncidentState.CLOSED
