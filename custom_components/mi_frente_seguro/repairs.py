"""Repair flows: the coordinator acknowledges a police message the receiver refused.

A dead letter (a message the police receiver refused for good: 400, 413 or 422) cannot be
fixed from here; the repair issue says which message and why, and its flow only confirms
that the coordinator has read it (the message stays in diagnostics).
"""

from __future__ import annotations

from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow
from homeassistant.core import HomeAssistant


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Return the flow that acknowledges a refused police message."""
    return ConfirmRepairFlow()
