"""Response times per cuadrante and month (Bogotá time), for the screen and as CSV.

From the moment the console received an incident to the police's first ``received``,
``dispatched`` and ``on_scene`` answers; drills are left out. Medians, so one forgotten
incident does not hide a month's work. CSV cells that a spreadsheet would run as a formula
(``=``, ``+``, ``-``, ``@``, tab, CR) are quoted with a leading apostrophe: cuadrante codes
come from the fronts' messages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
import csv
from dataclasses import dataclass
import io
import statistics
from typing import Final

from .storage.db import Row
from .tiempo import local, moment_of

STEPS: Final = ("received", "dispatched", "on_scene")
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class ReportLine:
    """One cuadrante in one month."""

    month: str
    cuadrante: str
    incidents: int
    answered: int
    median_s: dict[str, float | None]


def report(incidents: Iterable[Row], answers: Iterable[Row]) -> list[ReportLine]:
    """Return the lines, newest month first, then by cuadrante."""
    first: dict[tuple[int, str], float] = {}
    received: dict[int, float] = {}
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in incidents:
        moment = moment_of(row["received_at"])
        if moment is None or row["exercise"]:
            continue
        pk = int(row["id"])
        received[pk] = moment.timestamp()
        groups[(local(moment).strftime("%Y-%m"), str(row["cuadrante_code"]))].append(pk)
    for row in answers:
        pk, at = int(row["incident_pk"]), moment_of(row["created_at"])
        if pk in received and at is not None and row["status"] in STEPS:
            key = (pk, str(row["status"]))
            first[key] = min(first.get(key, at.timestamp()), at.timestamp())
    lines = []
    for (month, cuadrante), pks in groups.items():
        medians: dict[str, float | None] = {}
        for step in STEPS:
            waits = [
                max(0.0, first[pk, step] - received[pk])
                for pk in pks
                if (pk, step) in first
            ]
            medians[step] = statistics.median(waits) if waits else None
        answered = sum(1 for pk in pks if any((pk, step) in first for step in STEPS))
        lines.append(ReportLine(month, cuadrante, len(pks), answered, medians))
    lines.sort(key=lambda line: line.cuadrante)
    lines.sort(key=lambda line: line.month, reverse=True)
    return lines


def safe_cell(value: object) -> str:
    """Return ``value`` as a CSV cell no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(lines: list[ReportLine], header: list[str]) -> str:
    """Return the report as CSV (seconds as whole numbers, empty when none)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    for line in lines:
        writer.writerow(
            [
                safe_cell(line.month),
                safe_cell(line.cuadrante),
                line.incidents,
                line.answered,
            ]
            + [
                "" if (value := line.median_s[step]) is None else round(value)
                for step in STEPS
            ]
        )
    return out.getvalue()
