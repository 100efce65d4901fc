"""A front's trouble message (``front.trouble`` / ``front.restore``) checked at the door.

:func:`check_notice` validates a body (already read by :func:`~.message.read_json`)
against ``$defs/notice`` of docs/police-api.schema.json (trouble messages version 1: the
front went deaf, or hears again) and returns the few fields the console keeps it by.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from ..tiempo import parse_iso
from .message import BodyError, check_schema

NOTICE_PREFIX: Final = "front."


@dataclass(frozen=True, slots=True)
class NoticeMessage:
    """A checked trouble message."""

    message_id: str
    type: str
    front_id: str
    device_key: str  # "<kind>:<id>"
    device_kind: str
    device_name: str
    trouble: bool  # front.trouble (True) or front.restore
    since: datetime
    until: datetime | None
    sent_at: datetime
    body: dict[str, Any]


def is_notice(value: dict[str, Any]) -> bool:
    """Return True for a body that says it is a trouble message."""
    kind = value.get("type")
    return isinstance(kind, str) and kind.startswith(NOTICE_PREFIX)


def check_notice(value: dict[str, Any], webhook_id: str) -> NoticeMessage:
    """Return the checked trouble message; raise :class:`BodyError`."""
    check_schema(value, "notice", "notice")
    if value["id"] != webhook_id:
        raise BodyError("id differs from webhook-id")
    sent_at, since = parse_iso(value["sent_at"]), parse_iso(value["since"])
    until = parse_iso(value["until"]) if "until" in value else None
    if sent_at is None or since is None or ("until" in value and until is None):
        raise BodyError("bad date-time")
    device = value["device"]
    return NoticeMessage(
        message_id=value["id"],
        type=value["type"],
        front_id=value["front"]["id"],
        device_key=f"{device['kind']}:{device['id']}",
        device_kind=device["kind"],
        device_name=device["name"],
        trouble=value["type"] == "front.trouble",
        since=since,
        until=until,
        sent_at=sent_at,
        body=value,
    )
