"""Trouble messages (version 1): the police learn when a front goes deaf, and when it hears again.

``front.trouble`` says a device of the front (its street kit, a camera, its broker link)
has been down past the supervision time (``frente/trouble.py``); ``front.restore`` says
it is back, with when it went down and for how long, and references the trouble it ends
(so a receiver that missed the trouble still has the whole story). They are not
incidents: no ``incident_id``, never an exercise, and each destination's outbox delivers
them after any incident message waiting (``queue.py``); a newer notice of a device
replaces the one of that device still waiting. ``docs/police-api.md`` (*Trouble
messages*) is the contract, ``$defs/notice`` of ``docs/police-api.schema.json`` its schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from ..front import Front
from ..trouble import Device, parse_key
from .messages import MessageRef, front_dict, new_message_id

NOTICE_VERSION = "1"
NOTICE_PREFIX = "front."


class NoticeType(StrEnum):
    """The two trouble messages."""

    TROUBLE = "front.trouble"
    RESTORE = "front.restore"


def is_notice(message: Mapping[str, Any]) -> bool:
    """Return True for a trouble message (``front.*``), False for an incident's."""
    return str(message.get("type", "")).startswith(NOTICE_PREFIX)


def is_notice_type(message_type: str) -> bool:
    """Return True for the stored type of a trouble message."""
    return message_type.startswith(NOTICE_PREFIX)


def notice_key(message: Mapping[str, Any]) -> str:
    """Return what a queued notice replaces: the waiting notice of the same device."""
    device = message["device"]
    return f"notice:{device['kind']}:{device['id']}"


@dataclass(frozen=True, slots=True)
class Notice:
    """What a trouble (or restore) message tells: which device, down since when, until."""

    notice_type: NoticeType
    device: Device
    since: datetime
    supervision_s: float
    until: datetime | None = None  # a restore's end; a trouble has none
    original: MessageRef | None = None  # the trouble a restore ends


def build_notice(
    notice: Notice, front: Front, *, sent_at: datetime, message_id: str | None = None
) -> dict[str, Any]:
    """Return the message of ``notice``, sent by ``front`` at ``sent_at``.

    Raises ``ValueError`` for naive times, a restore without ``until`` or before
    ``since``, or a trouble with ``until``.
    """
    since, until, device = notice.since, notice.until, notice.device
    for value in (since, sent_at, until):
        if value is not None and value.tzinfo is None:
            raise ValueError("times in trouble messages must be timezone-aware")
    parse_key(device.key)
    message: dict[str, Any] = {
        "version": NOTICE_VERSION,
        "type": str(notice.notice_type),
        "id": message_id or new_message_id(sent_at),
        "sent_at": sent_at.isoformat(),
        "front": front_dict(front),
        "device": {
            "kind": str(device.kind),
            "id": device.device_id,
            "name": device.name,
        },
        "since": since.isoformat(),
        "supervision_s": float(notice.supervision_s),
        "exercise": False,
    }
    if notice.notice_type is NoticeType.RESTORE:
        if until is None or until < since:
            raise ValueError("a restore needs an end after its start")
        message["until"] = until.isoformat()
        message["down_s"] = round((until - since).total_seconds())
        if notice.original is not None:
            message["references"] = notice.original.to_dict()
    elif until is not None:
        raise ValueError("a trouble has no end yet")
    return message
