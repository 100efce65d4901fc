"""Response-time reports: the arithmetic, Bogotá months, and CSV no spreadsheet runs."""

from __future__ import annotations

import csv
import io

from hypothesis import given, strategies as st

from consola.reports import FORMULA_START, ReportLine, report, safe_cell, to_csv

from .test_properties import hostile_text


def test_medians_per_cuadrante_and_bogota_month() -> None:
    """Drills are left out; a late-night alarm counts in Bogotá's month, not UTC's."""
    incidents = [
        {"id": 1, "cuadrante_code": "C1", "received_at": "2026-12-01T03:00:00.000000Z", "exercise": 0},
        {"id": 2, "cuadrante_code": "C1", "received_at": "2026-11-20T15:00:00.000000Z", "exercise": 0},
        {"id": 3, "cuadrante_code": "C1", "received_at": "2026-11-20T15:00:00.000000Z", "exercise": 1},
        {"id": 4, "cuadrante_code": "C2", "received_at": "2026-12-05T15:00:00.000000Z", "exercise": 0},
    ]  # fmt: skip
    answers = [
        {"incident_pk": 1, "status": "received", "created_at": "2026-12-01T03:00:30.000000Z"},
        {"incident_pk": 1, "status": "dispatched", "created_at": "2026-12-01T03:02:00.000000Z"},
        {"incident_pk": 2, "status": "received", "created_at": "2026-11-20T15:01:30.000000Z"},
        {"incident_pk": 3, "status": "received", "created_at": "2026-11-20T15:00:01.000000Z"},
    ]  # fmt: skip
    lines = report(incidents, answers)
    assert [
        (line.month, line.cuadrante, line.incidents, line.answered) for line in lines
    ] == [
        ("2026-12", "C2", 1, 0),
        ("2026-11", "C1", 2, 2),
    ]
    november = lines[1]
    assert november.median_s == {
        "received": 60.0,
        "dispatched": 120.0,
        "on_scene": None,
    }


@given(hostile_text)
def test_csv_cells_never_formulas(value: str) -> None:
    """No cell starts with what a spreadsheet would run."""
    assert not safe_cell(value).startswith(FORMULA_START)


@given(
    st.lists(
        st.tuples(hostile_text.filter(lambda s: "\x00" not in s), st.integers(0, 99)),
        max_size=5,
    )
)
def test_csv_round_trip(rows: list[tuple[str, int]]) -> None:
    """The CSV reads back with one line per report line and the header first."""
    lines = [ReportLine("2026-11", code, count, count, {"received": 61.4, "dispatched": None,
                                                        "on_scene": 0.0}) for code, count in rows]  # fmt: skip
    table = list(
        csv.reader(io.StringIO(to_csv(lines, ["Mes", "=Cuadrante"]), newline=""))
    )
    assert table[0] == ["Mes", "'=Cuadrante"] and len(table) == len(lines) + 1
    for line, read in zip(lines, table[1:], strict=True):
        assert read[1] == safe_cell(line.cuadrante) and read[4:] == ["61", "", "0"]
