"""Tests of the incident model and its lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
from typing import Any

import pytest

from custom_components.mi_frente_seguro.frente.incident import (
    CHAIN,
    IllegalTransitionError,
    Incident,
    IncidentKind,
    IncidentSource,
    IncidentState,
    Location,
    Press,
    Sender,
    allowed_next,
)

T0 = datetime(2026, 11, 26, 20, 15, tzinfo=UTC)
ANA = Sender(
    user_id="u-ana", person_id="person.ana", name="Ana", house="12", is_member=True
)


def press(
    kind: IncidentKind = IncidentKind.PANIC, seconds: float = 0, **kw: Any
) -> Press:
    """Return a press by Ana ``seconds`` after T0."""
    at = T0 + timedelta(seconds=seconds)
    return Press(at=at, kind=kind, source=IncidentSource.APP, sender=ANA, **kw)


def test_every_legal_transition() -> None:
    """From each open state: every later state and cancelled; final states go nowhere."""
    for index, state in enumerate(CHAIN):
        expected = set(CHAIN[index + 1 :])
        if state is not IncidentState.CLOSED:
            expected.add(IncidentState.CANCELLED)
        assert allowed_next(state) == expected
    assert allowed_next(IncidentState.CANCELLED) == frozenset()

    incident = Incident.open("01", "front", press())
    for offset, state in enumerate(CHAIN[1:], start=1):
        step = incident.advance(state, T0 + timedelta(seconds=offset), by="police")
        assert step.state is state
        assert incident.state is state
        assert incident.time_of(state) == T0 + timedelta(seconds=offset)
    assert not incident.is_open


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ((IncidentState.DISPATCHED,), IncidentState.RECEIVED),  # backwards
        ((IncidentState.SENT,), IncidentState.SENT),  # same state again
        ((IncidentState.CLOSED,), IncidentState.CANCELLED),  # after final
        ((IncidentState.CANCELLED,), IncidentState.DISPATCHED),
        ((), IncidentState.TRIGGERED),
    ],
)
def test_illegal_transition_changes_nothing(
    path: tuple[IncidentState, ...], illegal: IncidentState
) -> None:
    """An illegal step raises and leaves the incident as it was."""
    incident = Incident.open("01", "front", press())
    for state in path:
        incident.advance(state, T0)
    before = incident.to_dict()
    with pytest.raises(IllegalTransitionError) as err:
        incident.advance(illegal, T0 + timedelta(minutes=1))
    assert err.value.wanted == illegal
    assert incident.to_dict() == before


def test_skip_ahead_and_response_time() -> None:
    """The police may answer 'dispatched' first; the response time counts from the press."""
    incident = Incident.open("01", "front", press())
    assert incident.response_seconds() is None
    details = {"unit": "MECAR-12", "eta_minutes": 4}
    incident.advance(
        IncidentState.DISPATCHED, T0 + timedelta(seconds=95), details=details
    )
    assert incident.response_seconds() == 95
    assert incident.details_of(IncidentState.DISPATCHED)["unit"] == "MECAR-12"
    assert incident.details_of(IncidentState.ON_SCENE) == {}


def test_kind_only_goes_up() -> None:
    """Silent -> panic is recorded; a later silent or drill press does not lower it."""
    incident = Incident.open("01", "front", press(IncidentKind.SILENT))
    assert incident.join(press(IncidentKind.DRILL, 1)) is None
    change = incident.join(press(IncidentKind.PANIC, 2))
    assert change is not None
    assert (change.old, change.new) == (IncidentKind.SILENT, IncidentKind.PANIC)
    assert incident.join(press(IncidentKind.SILENT, 3)) is None
    assert incident.kind is IncidentKind.PANIC
    assert len(incident.presses) == 4
    assert incident.kind_changes == [change]


def test_drill_is_an_exercise_until_a_real_press() -> None:
    """A drill never counts as real; a real press during it makes it real."""
    incident = Incident.open("01", "front", press(IncidentKind.DRILL))
    assert incident.exercise
    incident.join(press(IncidentKind.PANIC, 5))
    assert not incident.exercise


def test_round_trip_through_json() -> None:
    """What is stored comes back equal, timestamps with their offset."""
    located = press(
        note="Hombre armado en la esquina",
        key="b1:17",
        location=Location(10.41, -75.53, 12.0, T0 - timedelta(seconds=30), 40.0, False),
    )
    incident = Incident.open("01ABC", "manga_calle_real", located)
    incident.join(press(IncidentKind.PANIC, 3))
    reason = {"reason": "Falsa alarma: niño jugando"}
    incident.advance(
        IncidentState.CANCELLED, T0 + timedelta(minutes=2), by="u-ana", details=reason
    )
    stored = json.loads(json.dumps(incident.to_dict()))
    assert Incident.from_dict(stored) == incident
    assert stored["transitions"][0]["at"] == "2026-11-26T20:15:00+00:00"
