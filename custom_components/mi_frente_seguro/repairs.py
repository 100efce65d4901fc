"""The front's repair issues: raised and cleared here, and the one fix flow.

Every issue names its front (``front`` placeholder) and is raised with
:func:`async_raise_issue`. Only a message the police refused for good
(``endpoint_refused``) has a flow: it cannot be fixed from here, so the flow only confirms
that the coordinator has read it (the message stays in the diagnostics).
"""

from __future__ import annotations

from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN


@callback
def async_raise_issue(  # noqa: PLR0913  (one issue's whole description)
    hass: HomeAssistant,
    issue_id: str,
    translation_key: str,
    front: str,
    severity: ir.IssueSeverity = ir.IssueSeverity.WARNING,
    *,
    fixable: bool = False,
    **placeholders: str,
) -> None:
    """Raise (or update) the repair issue ``issue_id`` of the front named ``front``."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=fixable,
        severity=severity,
        translation_key=translation_key,
        translation_placeholders={"front": front, **placeholders},
    )


@callback
def async_clear_issue(hass: HomeAssistant, issue_id: str) -> None:
    """Clear the repair issue ``issue_id`` (nothing happens when there is none)."""
    ir.async_delete_issue(hass, DOMAIN, issue_id)


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Return the flow that acknowledges a refused police message."""
    return ConfirmRepairFlow()
