"""What the screens show of an incident.

A summary for the live screen, the whole picture for the incident page, and the police's own steps (received -> dispatched -> on scene ->
closed, never back).

Everything here is read from the latest stored message (which carries the whole incident)
and the console's own answers; all values are checked by type again, so a message that
passed the schema but holds odd values still renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
import json
import math
from typing import Any, Final

from .storage.db import Row
from .tiempo import moment_of

POLICE_STEPS: Final = ("received", "dispatched", "on_scene", "closed")

type Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Summary:
    """One line of the live screen."""

    pk: int
    front_id: str
    front_name: str
    barrio: str
    cuadrante_code: str
    kind: str
    exercise: bool
    front_state: str
    police_state: str
    received_at: str
    presses_total: int
    stills: tuple[str, ...] = ()
    lat: float | None = None  # the front's place, for the live screen's map
    lon: float | None = None

    @property
    def duress(self) -> bool:
        """Return True for a silent (duress) alarm that is not a drill."""
        return self.kind == "silent" and not self.exercise

    @property
    def real_alarm(self) -> bool:
        """Return True for an audible real alarm: the one that sounds."""
        return self.kind == "panic" and not self.exercise


def _obj(value: object) -> Json:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def snapshot(row: Row) -> Json:
    """Return the latest message of an incident row."""
    value = json.loads(row["snapshot"])
    return value if isinstance(value, dict) else {}


def summary(row: Row, stills: tuple[str, ...] = ()) -> Summary:
    """Return the live-screen line of an incident row (with its kept stills' names)."""
    body = snapshot(row)
    front = _obj(body.get("front"))
    total = body.get("presses_total")
    return Summary(
        pk=int(row["id"]),
        front_id=row["front_id"],
        front_name=row["front_name"] or _text(front.get("name")),
        barrio=_text(front.get("barrio")),
        cuadrante_code=row["cuadrante_code"],
        kind=row["kind"],
        exercise=bool(row["exercise"]),
        front_state=row["front_state"],
        police_state=row["police_state"],
        received_at=row["received_at"],
        presses_total=total
        if isinstance(total, int) and not isinstance(total, bool)
        else 1,
        stills=stills,
        lat=_degrees(front.get("lat"), 90),
        lon=_degrees(front.get("lon"), 180),
    )


def _degrees(value: object, limit: float) -> float | None:
    """Return a finite coordinate within ``±limit`` degrees, else None."""
    number = _number(value)
    if number is None or not math.isfinite(number) or abs(number) > limit:
        return None
    return number


def senders(body: Json) -> list[Json]:
    """Return the presses as the page lists them (name, house, phone, time, location)."""
    result = []
    for press in map(_obj, _list(body.get("presses"))):
        sender = _obj(press.get("sender"))
        where = _obj(press.get("location"))
        lat, lon = _number(where.get("lat")), _number(where.get("lon"))
        result.append(
            {
                "name": _text(sender.get("name")),
                "device": _text(sender.get("device")),
                "house": _text(sender.get("house")),
                "phone": _text(sender.get("phone")),
                "member": sender.get("is_member") is True,
                "at": _text(press.get("at")),
                "kind": _text(press.get("kind")),
                "note": _text(press.get("note")),
                "lat": lat,
                "lon": lon,
                "accuracy_m": _number(where.get("accuracy_m")),
                "outside": where.get("outside_area") is True,
            }
        )
    return result


def timeline(body: Json, messages: list[Row], answers: list[Row]) -> list[Json]:
    """Return every step, oldest first: the front's, the kind raises, messages, answers.

    Each item has ``at`` (a time text), ``what`` (a catalog key) and its ``values``.
    """
    items: list[Json] = [
        {"at": _text(step.get("at")), "what": "timeline.front",
         "values": {"state": _text(step.get("state"))}, "raw": step}
        for step in map(_obj, _list(body.get("transitions")))
    ]  # fmt: skip
    items += [
        {"at": _text(change.get("at")), "what": "timeline.kind",
         "values": {"old": _text(change.get("old")), "new": _text(change.get("new"))}}
        for change in map(_obj, _list(body.get("kind_changes")))
    ]  # fmt: skip
    items += [
        {
            "at": row["received_at"],
            "what": "timeline.message",
            "values": {"type": row["type"]},
        }
        for row in messages
    ]
    items += [
        {"at": row["created_at"], "what": "timeline.answer", "answer": row,
         "values": {"who": row["display_name"] or "—", "state": row["status"]}}
        for row in answers
    ]  # fmt: skip
    never = datetime.max.replace(tzinfo=UTC)
    return sorted(items, key=lambda item: moment_of(item["at"]) or never)


def next_steps(police_state: str) -> tuple[str, ...]:
    """Return the answers an operator may still send (never back, nothing after closed)."""
    if police_state not in POLICE_STEPS:
        return POLICE_STEPS
    return POLICE_STEPS[POLICE_STEPS.index(police_state) + 1 :]
