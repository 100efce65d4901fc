"""Test support: reading what a test logged."""

from __future__ import annotations

import logging


def problems(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    """Return the warnings and errors among ``records``, but asyncio's slow-callback notes.

    In debug mode (as pytest runs HA) asyncio warns of any step longer than 0.1 s: on a
    loaded machine that says how busy the cores were, not that our code went wrong.
    """
    return [
        record
        for record in records
        if record.levelno >= logging.WARNING
        and not (record.name == "asyncio" and record.msg.startswith("Executing "))
    ]
