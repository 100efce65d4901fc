"""How an incident and its presses are stored: JSON-ready dicts, and back.

The format only grows: a row written by an older version loads as it was meant. A press
without ``emergency`` (written before emergencies existed) is a ``security`` press, and an
incident without ``emergencies`` one whose only emergency is ``security``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from datetime import datetime
from typing import Any

from .values import (
    Emergency,
    IncidentKind,
    IncidentSource,
    IncidentState,
    KindChange,
    Location,
    Press,
    Response,
    Sender,
    Transition,
)

# What the store writes of an incident besides its presses (the derived fields are not).
STORED = (
    "incident_id",
    "front_id",
    "kind",
    "source",
    "transitions",
    "kind_changes",
    "note",
    "responses",
    "evidence",
    "emergencies",
)
LEGACY_EMERGENCIES = (Emergency.SECURITY,)  # of an incident stored without any
_FIELDS: dict[type, tuple[str, ...]] = {}


def press_from_dict(data: Mapping[str, Any]) -> Press:
    """Rebuild one press stored with :func:`press_to_dict`."""
    location = data["location"]
    if location is not None:
        fix_time = location["fix_time"]
        location = Location(
            **{
                **location,
                "fix_time": datetime.fromisoformat(fix_time) if fix_time else None,
            }
        )
    return Press(
        at=datetime.fromisoformat(data["at"]),
        kind=IncidentKind(data["kind"]),
        source=IncidentSource(data["source"]),
        sender=Sender(**data["sender"]),
        location=location,
        note=data["note"],
        key=data["key"],
        emergency=Emergency(data.get("emergency", Emergency.SECURITY)),
    )


def press_to_dict(press: Press) -> dict[str, Any]:
    """Return one press as JSON-ready dict (presses never change once recorded)."""
    data: dict[str, Any] = jsonable(press)
    return data


def transitions_from(items: list[Mapping[str, Any]]) -> tuple[Transition, ...]:
    """Rebuild an incident's stored lifecycle steps."""
    return tuple(
        Transition(
            IncidentState(item["state"]),
            datetime.fromisoformat(item["at"]),
            item["by"],
            item["details"],
        )
        for item in items
    )


def kind_changes_from(items: list[Mapping[str, Any]]) -> tuple[KindChange, ...]:
    """Rebuild an incident's stored kind changes."""
    return tuple(
        KindChange(
            datetime.fromisoformat(item["at"]),
            IncidentKind(item["old"]),
            IncidentKind(item["new"]),
        )
        for item in items
    )


def responses_from(items: list[Mapping[str, Any]]) -> tuple[Response, ...]:
    """Rebuild the members' stored answers."""
    return tuple(
        Response(
            datetime.fromisoformat(item["at"]),
            item["action"],
            item["user_id"],
            item["name"],
        )
        for item in items
    )


def emergencies_from(items: list[str] | None) -> tuple[Emergency, ...]:
    """Rebuild an incident's emergencies (``security`` for an older row)."""
    if not items:
        return LEGACY_EMERGENCIES
    return tuple(Emergency(item) for item in items)


def jsonable(value: Any) -> Any:
    """Return ``value`` as JSON-ready data (dataclasses as dicts, datetimes in ISO 8601)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if (names := _field_names(type(value))) is not None:
        return {name: jsonable(getattr(value, name)) for name in names}
    return value


def _field_names(kind: type) -> tuple[str, ...] | None:
    """Return a dataclass's field names (cached), or None for any other type."""
    names = _FIELDS.get(kind)
    if names is None and is_dataclass(kind):
        names = _FIELDS[kind] = tuple(item.name for item in fields(kind))
    return names
