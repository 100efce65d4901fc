"""Who may do what: anyone triggers; coordinators and admins cancel, close, update."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from .helpers import call, state_of


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("cancel", {"reason": "No fue nada"}),
        ("close", {}),
        ("police_update", {"status": "received"}),
    ],
)
async def test_resident_may_trigger_but_not_manage(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    people: dict[str, MockUser],
    action: str,
    data: dict[str, str],
) -> None:
    """A resident's cancel/close/update is refused with a clear error; nothing changes.

    The alarm is not theirs (an automation pressed): their own they may cancel in time
    (tests/test_own_cancel.py).
    """
    entry_id = init_integration.entry_id
    await call(hass, "trigger", entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, action, entry_id, people["luis"].id, **data)
    key = "cancel_not_yours" if action == "cancel" else "not_allowed"
    assert err.value.translation_key == key
    assert err.value.translation_placeholders == {"front": "Calle Real"}
    assert state_of(hass, "sensor", "incident").state == "triggered"


@pytest.mark.parametrize("who", ["ana", "admin", None])
async def test_coordinator_admin_and_automations_may_cancel(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    people: dict[str, MockUser],
    who: str | None,
) -> None:
    """The configured coordinator, an admin, or an automation (no user) may cancel."""
    entry_id = init_integration.entry_id
    user_id = people[who].id if who else None
    await call(hass, "trigger", entry_id, people["luis"].id)
    await call(hass, "cancel", entry_id, user_id, reason="Falsa alarma")
    incident = init_integration.runtime_data.incidents.book.history[-1]
    assert incident.state.value == "cancelled"
    assert incident.transitions[-1].by == (user_id or "system")


async def test_unknown_user_is_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A context naming a user HA does not know is refused."""
    await call(hass, "trigger", init_integration.entry_id)
    with pytest.raises(ServiceValidationError):
        await call(hass, "close", init_integration.entry_id, "no-such-user")


async def test_user_without_person_is_named_by_user(
    hass: HomeAssistant, init_integration: MockConfigEntry, people: dict[str, MockUser]
) -> None:
    """A user with no person still appears by their user name."""
    await call(hass, "trigger", init_integration.entry_id, people["admin"].id)
    press = init_integration.runtime_data.incidents.book.open_incident.presses[0]
    assert (press.sender.name, press.sender.person_id) == ("Admin", None)
