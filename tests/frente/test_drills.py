"""The monthly drill: which day reminds, and what a drill's report lists, in order."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, strategies as st

from custom_components.mi_frente_seguro.frente.drills import (
    drill_timeline,
    is_drill_day,
    is_report_ready,
)
from custom_components.mi_frente_seguro.frente.incident import (
    Incident,
    IncidentKind,
    IncidentState,
    Response,
    Sender,
)

from .dispatch.conftest import FRONT, T0
from .presses import app_press


@given(day=st.dates(), drill_day=st.integers(min_value=-5, max_value=40))
def test_the_drill_day_is_that_day_of_every_month_and_zero_is_never(
    day: date, drill_day: int
) -> None:
    """Days 1-28 remind on that day of the month; 0 or anything else never."""
    assert is_drill_day(day, drill_day) == (
        1 <= drill_day <= 28 and day.day == drill_day
    )


def test_a_drills_report_lists_presses_police_answers_and_responses_in_order() -> None:
    """Press, sent, dispatched (unit, ETA), a member's answer, closed: in time order."""
    press = app_press(T0, IncidentKind.DRILL, Sender(name="Luis"))
    drill = Incident.open("d1", FRONT.front_id, press)
    drill, _ = drill.advanced(IncidentState.SENT, T0 + timedelta(seconds=1))
    drill, _ = drill.advanced(
        IncidentState.DISPATCHED,
        T0 + timedelta(seconds=30),
        by="police",
        details={"unit": "CAI-7", "eta_minutes": 5},
    )
    drill = drill.answered(
        Response(T0 + timedelta(seconds=10), "on_my_way", None, "Ana")
    )
    assert not is_report_ready(drill)
    drill, _ = drill.advanced(IncidentState.CLOSED, T0 + timedelta(minutes=2))
    assert is_report_ready(drill)
    steps = drill_timeline(drill)
    assert [step.what for step in steps] == [
        "press",
        "state.sent",
        "response.on_my_way",
        "state.dispatched",
        "state.closed",
    ]
    assert steps[0].values == {"sender": "Luis", "source": "app", "after_s": "0"}
    assert steps[3].values == {"unit": "CAI-7", "eta_minutes": "5", "after_s": "30"}
    assert steps[2].values == {"sender": "Ana", "after_s": "10"}

    # With what the front measured: each destination's delivery, the siren confirmed.
    deliveries = {
        "police": {
            "name": "Policía",
            "status": "delivered",
            "at": (T0 + timedelta(seconds=1)).isoformat(),
        },
        "sia": {
            "name": "Central",
            "status": "refused",
            "at": (T0 + timedelta(seconds=3)).isoformat(),
        },
        "phone": {"name": "Cuadrante", "status": "pending", "at": None},
        "bad": {"name": "x", "status": "delivered", "at": "not a time"},
    }
    sirens = [
        T0 - timedelta(hours=1),
        T0 + timedelta(seconds=20),
        T0 + timedelta(hours=1),
    ]
    measured = drill_timeline(drill, deliveries, sirens)
    assert [(step.what, step.values.get("after_s")) for step in measured] == [
        ("press", "0"),
        ("state.sent", "1"),
        ("delivered", "1"),
        ("not_delivered", "3"),
        ("response.on_my_way", "10"),
        ("siren", "20"),
        ("state.dispatched", "30"),
        ("state.closed", "120"),
    ]
    assert measured[2].values["destination"] == "Policía"


def test_an_alarm_has_no_drill_report() -> None:
    """Real and silent alarms are not drills: no steps, never ready."""
    for kind in (IncidentKind.PANIC, IncidentKind.SILENT):
        alarm = Incident.open("a", FRONT.front_id, app_press(T0, kind))
        alarm, _ = alarm.advanced(IncidentState.CANCELLED, T0 + timedelta(minutes=1))
        assert drill_timeline(alarm) == []
        assert not is_report_ready(alarm)
