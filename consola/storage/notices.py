"""The fronts' trouble messages and each device's latest state (the fronts' health).

:func:`store_notice` keeps a checked trouble message once (by front and message id) and
moves its device's row in ``front_health`` when it is the newest by ``sent_at`` (a late
older one is kept, not applied). :func:`front_health` gives the devices in trouble now,
by front, for the supervisors' fronts page.
"""

from __future__ import annotations

from datetime import datetime
import json

from ..ingest.notice import NoticeMessage
from ..tiempo import to_db
from .db import Row, Tx


class DuplicateNoticeError(Exception):
    """The trouble message was stored before (a retry)."""


def find_notice(tx: Tx, front_id: str, message_id: str) -> bool:
    """Return True when this trouble message was stored before."""
    row = tx.one(
        "SELECT 1 AS found FROM notices WHERE front_id = ? AND message_id = ?",
        front_id, message_id,
    )  # fmt: skip
    return row is not None


def store_notice(tx: Tx, notice: NoticeMessage, transport: str, now: datetime) -> bool:
    """Keep ``notice``; return True when it changed its device's state.

    Raises :class:`DuplicateNoticeError` for one stored before.
    """
    body = json.dumps(notice.body, ensure_ascii=False, separators=(",", ":"))
    inserted = tx.run(
        "INSERT INTO notices (front_id, message_id, type, device_key, sent_at, received_at,"
        " transport, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (front_id, message_id) DO NOTHING",
        notice.front_id, notice.message_id, notice.type, notice.device_key,
        to_db(notice.sent_at), to_db(now), transport, body,
    )  # fmt: skip
    if inserted == 0:
        raise DuplicateNoticeError(notice.message_id)
    sent_at = to_db(notice.sent_at)
    until = None if notice.until is None else to_db(notice.until)
    changed = tx.run(
        "INSERT INTO front_health (front_id, device_key, device_kind, device_name, trouble,"
        " since, until, latest_sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (front_id, device_key) DO UPDATE SET device_name = excluded.device_name,"
        " trouble = excluded.trouble, since = excluded.since, until = excluded.until,"
        " latest_sent_at = excluded.latest_sent_at"
        " WHERE front_health.latest_sent_at <= excluded.latest_sent_at",
        notice.front_id, notice.device_key, notice.device_kind, notice.device_name,
        int(notice.trouble), to_db(notice.since), until, sent_at,
    )  # fmt: skip
    return changed > 0


def front_health(tx: Tx) -> dict[str, list[Row]]:
    """Return the devices in trouble now, by front, the longest first."""
    rows = tx.all(
        "SELECT front_id, device_key, device_kind, device_name, since FROM front_health"
        " WHERE trouble = 1 ORDER BY front_id, since, device_key"
    )
    health: dict[str, list[Row]] = {}
    for row in rows:
        health.setdefault(str(row["front_id"]), []).append(row)
    return health
