"""Test support: presses as each source makes them (the app, a street-kit button)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from custom_components.mi_frente_seguro.frente.incident import (
    IncidentKind,
    IncidentSource,
    Press,
    Sender,
)


def app_press(
    at: datetime,
    kind: IncidentKind = IncidentKind.PANIC,
    sender: Sender | None = None,
    **details: Any,
) -> Press:
    """Return a press of the app's button at ``at`` (by nobody known unless ``sender``)."""
    return Press(at, kind, IncidentSource.APP, sender or Sender(), **details)


def kit_press(
    at: datetime,
    sender: Sender,
    kind: IncidentKind = IncidentKind.PANIC,
    **details: Any,
) -> Press:
    """Return a press of a street kit's physical button at ``at``."""
    return Press(at, kind, IncidentSource.PHYSICAL_BUTTON, sender, **details)
