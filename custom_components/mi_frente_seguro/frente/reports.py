"""Reports for the programme: incidents as rows (CSV or JSON), and response times by hour.

``incident_rows`` turns a front's incidents into flat rows, the same columns for the CSV
and the JSON export of the ``export_incidents`` action. Personal data (who pressed, their
house and phone, the note) is in a row only when ``personal`` is set (administrators), and
silent (duress) incidents only when ``hidden`` is set (coordinators and administrators:
``duress.py``). ``to_csv`` writes rows as CSV that a spreadsheet opens safely: a cell that
starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a
leading apostrophe, so a name typed as ``=HYPERLINK(...)`` stays text.

``response_by_hour`` gives, per hour in which real alarms were opened, the police response
times (opened -> dispatched, ``Incident.response_seconds``) of those alarms: the hourly
long-term statistics HA draws (``runtime/statistics.py``). Drills and silent incidents are
left out, as in the front's own figures (``book.stats``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
import csv
from datetime import UTC, datetime
import io

from .duress import is_hidden
from .front import Front
from .incident import Incident, IncidentKind, IncidentState

type Cell = str | int | float | bool | None
type Row = dict[str, Cell]

COLUMNS = (
    "incident_id",
    "front_id",
    "front",
    "cuadrante_code",
    "kind",
    "emergencies",
    "source",
    "exercise",
    "state",
    "opened_at",
    "received_at",
    "dispatched_at",
    "on_scene_at",
    "ended_at",
    "response_seconds",
    "presses",
)
PERSONAL_COLUMNS = ("sender_names", "sender_houses", "sender_phones", "note")
ENDED = (IncidentState.CLOSED, IncidentState.CANCELLED)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def incident_rows(
    incidents: Iterable[Incident],
    front: Front,
    *,
    personal: bool,
    hidden: bool,
    period: tuple[datetime | None, datetime | None] = (None, None),
) -> list[Row]:
    """Return one row per incident opened in ``period`` (``[since, until)``), oldest first.

    ``None`` leaves that end of the period open.
    """
    since, until = period
    return [
        _row(incident, front, personal=personal)
        for incident in sorted(incidents, key=lambda item: item.opened_at)
        if (hidden or not is_hidden(incident))
        and (since is None or incident.opened_at >= since)
        and (until is None or incident.opened_at < until)
    ]


def _row(incident: Incident, front: Front, *, personal: bool) -> Row:
    ended = next(
        (at for state in ENDED if (at := incident.time_of(state)) is not None), None
    )
    row: Row = {
        "incident_id": incident.incident_id,
        "front_id": front.front_id,
        "front": front.name,
        "cuadrante_code": front.cuadrante_code,
        "kind": str(incident.kind),
        "emergencies": " ".join(str(item) for item in incident.emergencies),
        "source": str(incident.source),
        "exercise": incident.exercise,
        "state": str(incident.state),
        "opened_at": incident.opened_at.isoformat(),
        "received_at": _iso(incident.time_of(IncidentState.RECEIVED)),
        "dispatched_at": _iso(incident.time_of(IncidentState.DISPATCHED)),
        "on_scene_at": _iso(incident.time_of(IncidentState.ON_SCENE)),
        "ended_at": _iso(ended),
        "response_seconds": incident.response_seconds(),
        "presses": len(incident.presses),
    }
    if personal:
        senders = [press.sender for press in incident.presses]
        row |= {
            "sender_names": _joined(sender.name for sender in senders),
            "sender_houses": _joined(sender.house for sender in senders),
            "sender_phones": _joined(sender.phone for sender in senders),
            "note": incident.note,
        }
    return row


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def _joined(values: Iterable[str | None]) -> str:
    """Return the distinct values, in order of first appearance, joined by ``; ``."""
    return "; ".join(dict.fromkeys(value for value in values if value))


def to_csv(rows: Sequence[Mapping[str, Cell]], *, personal: bool) -> str:
    """Return ``rows`` as CSV with a header line (formula-like cells made text)."""
    columns = COLUMNS + (PERSONAL_COLUMNS if personal else ())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue()


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA):
        return "'" + text
    return text


def response_by_hour(incidents: Iterable[Incident]) -> dict[datetime, list[float]]:
    """Return the response times of real, shown alarms by the hour they were opened."""
    hours: dict[datetime, list[float]] = defaultdict(list)
    for incident in incidents:
        if incident.kind is IncidentKind.DRILL or is_hidden(incident):
            continue
        seconds = incident.response_seconds()
        if seconds is None:
            continue
        hours[hour_of(incident.opened_at)].append(seconds)
    return dict(hours)


def hour_of(at: datetime) -> datetime:
    """Return the start (UTC) of the hour ``at`` is in: HA's statistics are hourly in UTC."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
