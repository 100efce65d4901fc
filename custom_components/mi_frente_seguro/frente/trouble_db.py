"""The troubles the police were told of, in the front's file (blocking code, one table).

A row is a device whose ``front.trouble`` is queued and whose ``front.restore`` is not:
written in the same transaction as the trouble's outbox rows, deleted in the restore's.
So after a restart with the kit still down the front knows it told the police already
(no second trouble), and a kit that came back while HA was off gets its restore.

:func:`decode_row` reads a row as hostile input (a file edited by hand, or written by a
newer version): what it cannot read is skipped, never a crash at start-up.
"""

from __future__ import annotations

from datetime import datetime
import sqlite3

from .trouble import Device, InvalidDeviceError, Reported, parse_key

SCHEMA = """
CREATE TABLE IF NOT EXISTS troubles (
    device TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    since TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sent_at TEXT NOT NULL
);
"""
MAX_NAME = 200


def load(db: sqlite3.Connection) -> list[Reported]:
    """Create the table if needed; return the troubles not yet restored."""
    db.executescript(SCHEMA)
    rows = db.execute(
        "SELECT device, name, since, message_id, sent_at FROM troubles ORDER BY device"
    )
    return [found for row in rows if (found := decode_row(row)) is not None]


def decode_row(row: tuple[object, ...]) -> Reported | None:
    """Return the trouble a row holds, or None for a row this version cannot read."""
    if len(row) != 5 or not all(isinstance(value, str) for value in row):
        return None
    key, name, since, message_id, sent_at = (str(value) for value in row)
    try:
        kind, device_id = parse_key(key)
        started = datetime.fromisoformat(since)
        sent = datetime.fromisoformat(sent_at)
    except InvalidDeviceError, ValueError:
        return None
    if started.tzinfo is None or sent.tzinfo is None or not message_id:
        return None
    if len(name) > MAX_NAME or not name.isprintable():
        name = device_id
    return Reported(Device(kind, device_id, name), started, message_id, sent)


def record(reported: Reported, db: sqlite3.Connection) -> None:
    """Remember a trouble told (replacing one of the same device)."""
    db.execute(
        "INSERT OR REPLACE INTO troubles (device, name, since, message_id, sent_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (
            reported.device.key,
            reported.device.name,
            reported.since.isoformat(),
            reported.message_id,
            reported.sent_at.isoformat(),
        ),
    )


def forget(key: str, db: sqlite3.Connection) -> None:
    """Forget a device's trouble (its restore is queued)."""
    db.execute("DELETE FROM troubles WHERE device = ?", (key,))
