"""One clock and one time zone: UTC in storage, America/Bogota on every screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final
from zoneinfo import ZoneInfo

BOGOTA: Final = ZoneInfo("America/Bogota")
DB_FORMAT: Final = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width: sorts as text

type Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Return the current time (aware, UTC)."""
    return datetime.now(UTC)


def to_db(moment: datetime) -> str:
    """Return ``moment`` (aware) as the fixed-width UTC text the database keeps."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).strftime(DB_FORMAT)


def from_db(text: str) -> datetime:
    """Return the aware UTC datetime of a stored time."""
    return datetime.strptime(text, DB_FORMAT).replace(tzinfo=UTC)


def parse_iso(text: str) -> datetime | None:
    """Return the aware datetime of an ISO 8601 text with an offset, or None."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def local(moment: datetime) -> datetime:
    """Return ``moment`` in Bogotá."""
    return moment.astimezone(BOGOTA)


def moment_of(value: datetime | str | None) -> datetime | None:
    """Return the aware datetime of a stored time or an ISO text with offset, or None."""
    if isinstance(value, str):
        return _stored(value) if value.endswith("Z") else parse_iso(value)
    return value


def show(moment: datetime | str | None, *, seconds: bool = True) -> str:
    """Return ``moment`` as Bogotá wall time, ``2026-11-26 20:00:05`` ("—" when unknown).

    Strings are stored times or ISO texts with offsets (as alerts carry them).
    """
    moment = moment_of(moment)
    if moment is None:
        return "—"
    return local(moment).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def _stored(text: str) -> datetime | None:
    try:
        return from_db(text)
    except ValueError:
        return parse_iso(text)
