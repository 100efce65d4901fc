"""Reports: incident rows, CSV a spreadsheet opens safely, response times by hour.

Names come from residents and kits (hostile until checked): whatever text a name holds,
the CSV reads back to exactly the rows written, and no cell starts like a formula.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
import io

from hypothesis import given, strategies as st

from custom_components.mi_frente_seguro.frente.incident import (
    Incident,
    IncidentKind,
    IncidentState,
    Sender,
)
from custom_components.mi_frente_seguro.frente.reports import (
    COLUMNS,
    PERSONAL_COLUMNS,
    hour_of,
    incident_rows,
    response_by_hour,
    to_csv,
)

from .dispatch.conftest import FRONT, T0
from .presses import app_press
from .test_properties_text import hostile_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _incident(
    number: int,
    kind: IncidentKind = IncidentKind.PANIC,
    name: str = "Luis",
    dispatched_after: float | None = None,
) -> Incident:
    at = T0 + timedelta(minutes=number)
    press = app_press(at, kind, Sender(name=name, house="Casa 1", phone="+57300"))
    incident = Incident.open(f"inc-{number}", FRONT.front_id, press)
    if dispatched_after is not None:
        incident, _ = incident.advanced(
            IncidentState.DISPATCHED, at + timedelta(seconds=dispatched_after)
        )
    return incident


def test_rows_leave_out_personal_data_and_duress_unless_asked() -> None:
    """Personal columns for administrators only; silent incidents for managers only."""
    incidents = [_incident(2), _incident(1, IncidentKind.SILENT)]
    plain = incident_rows(incidents, FRONT, personal=False, hidden=False)
    assert [row["incident_id"] for row in plain] == ["inc-2"]
    assert set(plain[0]) == set(COLUMNS)
    full = incident_rows(incidents, FRONT, personal=True, hidden=True)
    assert [row["incident_id"] for row in full] == ["inc-1", "inc-2"]  # oldest first
    assert set(full[0]) == set(COLUMNS + PERSONAL_COLUMNS)
    assert full[0]["sender_names"] == "Luis"
    assert full[0]["emergencies"] == "security"
    window = incident_rows(
        incidents,
        FRONT,
        personal=False,
        hidden=True,
        period=(T0 + timedelta(minutes=2), T0 + timedelta(minutes=3)),
    )
    assert [row["incident_id"] for row in window] == ["inc-2"]


@given(name=hostile_text, note=hostile_text)
def test_csv_reads_back_and_no_cell_is_a_formula(name: str, note: str) -> None:
    """Any name: the CSV parses to the same number of rows and columns, no formula."""
    incident = _incident(1, name=name)
    rows = incident_rows([incident], FRONT, personal=True, hidden=True)
    rows[0]["note"] = note
    text = to_csv(rows, personal=True)
    read = list(csv.reader(io.StringIO(text, newline="")))
    assert read[0] == list(COLUMNS + PERSONAL_COLUMNS)
    assert len(read) == 2
    assert len(read[1]) == len(read[0])
    assert not any(cell.startswith(FORMULA_STARTS) for cell in read[1])
    by_column = dict(zip(read[0], read[1], strict=True))
    for column, written in (("note", note), ("sender_names", rows[0]["sender_names"])):
        written = str(written)
        kept = by_column[column]
        assert kept == written or kept == "'" + written


def test_response_times_by_hour_leave_out_drills_silent_and_unanswered() -> None:
    """Only real, shown, dispatched alarms count, in the UTC hour they were opened."""
    incidents = [
        _incident(1, dispatched_after=90),
        _incident(2, dispatched_after=30),
        _incident(3, IncidentKind.DRILL, dispatched_after=10),
        _incident(4, IncidentKind.SILENT, dispatched_after=10),
        _incident(5),
    ]
    hours = response_by_hour(incidents)
    assert hours == {hour_of(T0 + timedelta(minutes=1)): [90.0, 30.0]}


@given(at=st.datetimes(timezones=st.timezones()))
def test_hour_of_is_a_whole_utc_hour(at: datetime) -> None:
    """Whatever zone a time is in, its hour is a whole UTC hour at or before it."""
    hour = hour_of(at)
    assert hour.tzinfo is UTC
    assert (hour.minute, hour.second, hour.microsecond) == (0, 0, 0)
    assert timedelta(0) <= at - hour < timedelta(hours=1)
