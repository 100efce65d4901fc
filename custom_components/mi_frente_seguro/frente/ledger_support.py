"""The ledger's small parts: a change asked for, the police answers, settling callers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
import sqlite3
from typing import Any

from .change import IncidentChange
from .committer import Write


@dataclass(slots=True)
class Request:
    """A change asked for: how to decide it, and who waits for it."""

    # One change, or several committed together (a duress cancel: ``cancels.py``).
    decide: Callable[[], IncidentChange | tuple[IncidentChange, ...]]
    context: Any
    future: asyncio.Future[IncidentChange]
    writes: tuple[Write, ...] = ()  # committed with the change (a police update's id)
    afters: tuple[Callable[[], None], ...] = ()
    # Store ``writes`` (and run ``afters``) even when the change is a duplicate (an
    # outbox's delivery mark); otherwise they go only with a change that is stored.
    always: bool = False


def as_changes(
    decided: IncidentChange | tuple[IncidentChange, ...],
) -> tuple[IncidentChange, ...]:
    """Return what a decision made as a tuple (the first is the one its caller gets)."""
    return decided if isinstance(decided, tuple) else (decided,)


class AlreadyError(Exception):
    """A police update for the state the incident is in already (a retry)."""


class PoliceAnswer(StrEnum):
    """What a police status update did (the webhook answers with it)."""

    STORED = "stored"  # applied and on disk (200)
    ALREADY = "already"  # the incident was in that state already (200)
    UNKNOWN = "unknown_incident"  # no such incident on this front (404)
    ILLEGAL = (
        "illegal_transition"  # the step is not allowed from the current state (409)
    )


def settle(
    future: asyncio.Future[IncidentChange],
    change: IncidentChange | None = None,
    *,
    error: BaseException | None = None,
) -> None:
    """Give a waiting caller its change or its error (unless it stopped waiting)."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        assert change is not None
        future.set_result(change)


def checkpoint(db: sqlite3.Connection) -> None:
    """Fold the write-ahead log into the file and empty it."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def run_all(steps: list[Callable[[], None]]) -> None:
    """Run each step in order."""
    for step in steps:
        step()
