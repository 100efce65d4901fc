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
    IncidentState,
    Location,
    Press,
    Sender,
    allowed_next,
)
from tests.frente.presses import app_press, kit_press

T0 = datetime(2026, 11, 26, 20, 15, tzinfo=UTC)
ANA = Sender(
    user_id="u-ana", person_id="person.ana", name="Ana", house="12", is_member=True
)


def press(
    kind: IncidentKind = IncidentKind.PANIC, seconds: float = 0, **kw: Any
) -> Press:
    """Return a press of the app's button by Ana ``seconds`` after T0."""
    return app_press(T0 + timedelta(seconds=seconds), kind, ANA, **kw)


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
        before = incident
        incident, step = incident.advanced(
            state, T0 + timedelta(seconds=offset), by="police"
        )
        assert before.state is not state  # the old version is left as it was
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
        incident, _ = incident.advanced(state, T0)
    before = incident.to_dict()
    with pytest.raises(IllegalTransitionError) as err:
        incident.advanced(illegal, T0 + timedelta(minutes=1))
    assert err.value.wanted == illegal
    assert incident.to_dict() == before


def test_skip_ahead_and_response_time() -> None:
    """The police may answer 'dispatched' first; the response time counts from the press."""
    incident = Incident.open("01", "front", press())
    assert incident.response_seconds() is None
    details = {"unit": "MECAR-12", "eta_minutes": 4}
    incident, _ = incident.advanced(
        IncidentState.DISPATCHED, T0 + timedelta(seconds=95), details=details
    )
    assert incident.response_seconds() == 95
    assert incident.details_of(IncidentState.DISPATCHED)["unit"] == "MECAR-12"
    assert incident.details_of(IncidentState.ON_SCENE) == {}


def test_kind_only_goes_up() -> None:
    """Silent -> panic is recorded; a later silent or drill press does not lower it."""
    incident = Incident.open("01", "front", press(IncidentKind.SILENT))
    incident, none = incident.joined(press(IncidentKind.DRILL, 1))
    assert none is None
    incident, change = incident.joined(press(IncidentKind.PANIC, 2))
    assert change is not None
    assert (change.old, change.new) == (IncidentKind.SILENT, IncidentKind.PANIC)
    incident, none = incident.joined(press(IncidentKind.SILENT, 3))
    assert none is None
    assert incident.kind is IncidentKind.PANIC
    assert len(incident.presses) == 4
    assert incident.kind_changes == (change,)


def test_drill_is_an_exercise_until_a_real_press() -> None:
    """A drill never counts as real; a real press during it makes it real."""
    drill = Incident.open("01", "front", press(IncidentKind.DRILL))
    assert drill.exercise
    real, _ = drill.joined(press(IncidentKind.PANIC, 5))
    assert not real.exercise
    assert drill.exercise  # the earlier version is unchanged


def test_round_trip_through_json() -> None:
    """What is stored comes back equal, timestamps with their offset."""
    located = press(
        note="Hombre armado en la esquina",
        key="b1:17",
        location=Location(10.41, -75.53, 12.0, T0 - timedelta(seconds=30), 40.0, False),
    )
    incident = Incident.open("01ABC", "manga_calle_real", located)
    incident, _ = incident.joined(press(IncidentKind.PANIC, 3))
    reason = {"reason": "Falsa alarma: niño jugando"}
    incident, _ = incident.advanced(
        IncidentState.CANCELLED, T0 + timedelta(minutes=2), by="u-ana", details=reason
    )
    stored = json.loads(json.dumps(incident.to_dict()))
    assert Incident.from_dict(stored) == incident
    assert stored["transitions"][0]["at"] == "2026-11-26T20:15:00+00:00"


def test_versions_share_one_press_log_and_keep_their_own_view() -> None:
    """A new version sees one press more; the old one keeps its count and presses."""
    first = Incident.open("01", "front", press())
    second, _ = first.joined(press(seconds=1))
    third, _ = second.joined(press(seconds=2))
    assert [len(v.presses) for v in (first, second, third)] == [1, 2, 3]
    assert third.presses[-1].at == T0 + timedelta(seconds=2)
    assert second.presses[-1].at == T0 + timedelta(seconds=1)
    assert list(second.presses[5:]) == []  # slices stop at the view's end
    with pytest.raises(IndexError):
        _ = second.presses[2]
    # A version that was dropped (its commit failed) leaves nothing for the next one.
    dropped, _ = third.joined(press(note="dropped", seconds=3))
    kept, _ = third.joined(press(note="kept", seconds=4))
    assert [p.note for p in kept.presses][-1] == "kept"
    assert len(kept.presses) == 4
    assert kept.presses.tail(2) == [third.presses[2], kept.presses[3]]
    assert len(dropped.presses) == 4  # a dropped version is never used again


def test_senders_are_kept_as_they_grow() -> None:
    """Sender names (bounded) and persons come from the presses, once each."""
    ana = press()
    kit = kit_press(T0, Sender(device="b1"))
    incident = Incident.open("01", "front", ana)
    for _ in range(3):
        incident, _ = incident.joined(kit)
        incident, _ = incident.joined(ana)
    assert incident.sender_names == ("Ana", "b1")
    assert incident.sender_persons == frozenset({"person.ana"})
    restored = Incident.from_dict(json.loads(json.dumps(incident.to_dict())))
    assert restored.sender_names == incident.sender_names
    assert restored.sender_persons == incident.sender_persons
