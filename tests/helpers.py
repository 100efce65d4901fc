"""Small helpers shared by the integration tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.mi_frente_seguro.const import DOMAIN
from homeassistant.config_entries import ConfigFlowResult, ConfigSubentryData
from homeassistant.core import Context, HomeAssistant, ServiceResponse, State
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er

from .const import ENTRY_DATA, ENTRY_OPTIONS, FRONT_ID, broker_data


def entity_id(hass: HomeAssistant, platform: str, key: str) -> str:
    """Return the entity id of the front's entity ``key`` on ``platform``."""
    found = er.async_get(hass).async_get_entity_id(
        platform, DOMAIN, f"{FRONT_ID}-{key}"
    )
    assert found is not None, f"{platform} {key} not registered"
    return found


def enable_entity(
    hass: HomeAssistant, entry: MockConfigEntry, platform: str, key: str
) -> None:
    """Register the front's entity ``key`` enabled, before setup (disabled by default)."""
    er.async_get(hass).async_get_or_create(
        platform, DOMAIN, f"{FRONT_ID}-{key}", config_entry=entry, disabled_by=None
    )


def state_of(hass: HomeAssistant, platform: str, key: str) -> State:
    """Return the state of the front's entity ``key``."""
    state = hass.states.get(entity_id(hass, platform, key))
    assert state is not None
    return state


async def call(
    hass: HomeAssistant,
    action: str,
    entry_id: str,
    user_id: str | None = None,
    **data: Any,
) -> ServiceResponse:
    """Call one of our actions on the front, as ``user_id``, and return its response."""
    return await hass.services.async_call(
        DOMAIN,
        action,
        {"config_entry_id": entry_id, **data},
        blocking=True,
        context=Context(user_id=user_id),
        return_response=True,
    )


async def wait_for(
    hass: HomeAssistant, check: Callable[[], object], timeout: float = 10
) -> None:
    """Let HA and the network run until ``check()`` is truthy (fails after ``timeout``)."""
    async with asyncio.timeout(timeout):
        while not check():
            await hass.async_block_till_done()
            if check():
                return
            await asyncio.sleep(0.02)


def front_entry(**fields: Any) -> MockConfigEntry:
    """Return the Calle Real front's config entry; ``fields`` (data, options...) override."""
    return MockConfigEntry(
        **{"domain": DOMAIN, "unique_id": FRONT_ID, "title": "Calle Real", **fields}
    )


def kit_front_entry(
    port: int, username: str = "", password: str = "", **options: Any
) -> MockConfigEntry:
    """Return the front's entry with its kit on the broker at 127.0.0.1:``port``."""
    return front_entry(
        data={**ENTRY_DATA, **broker_data(port, username, password)},
        options={**ENTRY_OPTIONS, **options},
    )


async def set_up(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ready: Callable[[MockConfigEntry], object] | None = None,
) -> MockConfigEntry:
    """Add ``entry`` to HA and set it up; return it once ``ready(entry)`` is truthy.

    Without ``ready``, once HA's start-up work for it is done.
    """
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    if ready is None:
        await hass.async_block_till_done()
    else:
        await wait_for(hass, lambda: ready(entry))
    return entry


async def options_step(
    hass: HomeAssistant, entry: MockConfigEntry, step: str
) -> ConfigFlowResult:
    """Open the front's options and pick ``step`` in its menu; return that step."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )


async def refused_then_saved(
    hass: HomeAssistant,
    result: ConfigFlowResult,
    form: dict[str, Any],
    field: str,
    error: str,
    fixed: Any,
) -> None:
    """Send an options step's ``form``: ``field`` refused with ``error``.

    With ``fixed`` in that field instead, the form is saved.
    """
    result = await hass.config_entries.options.async_configure(result["flow_id"], form)
    assert result["errors"] == {field: error}
    form[field] = fixed
    result = await hass.config_entries.options.async_configure(result["flow_id"], form)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


def member(
    person: str,
    title: str,
    role: str = "resident",
    *,
    house: str = "Casa 12",
    phone: str = "+573001112233",
) -> ConfigSubentryData:
    """Return a member subentry (of Casa 12 with a Colombian mobile, unless told)."""
    return ConfigSubentryData(
        data={"person": person, "house": house, "phone": phone, "role": role},
        subentry_type="member",
        title=title,
        unique_id=person,
    )


async def members_front(
    hass: HomeAssistant, *members: ConfigSubentryData, **options: Any
) -> MockConfigEntry:
    """Set up the Calle Real front with ``members`` (and ``options`` over the usual)."""
    return await set_up(
        hass,
        front_entry(
            data=dict(ENTRY_DATA),
            options={**ENTRY_OPTIONS, **options},
            subentries_data=list(members),
        ),
    )
