"""quality_scale.yaml is true rule by rule: HA's own rule list, and the claims checked.

The rules are read from the installed Home Assistant (the union of its core integrations'
quality_scale.yaml files), so a rule HA adds shows up here. Where a rule's status is a
claim about the code, the claim is checked: nothing polls, stale devices go, the brand
images are served by HA, diagnostics redact what is personal.
"""

from __future__ import annotations

import inspect
from pathlib import Path

from PIL import Image
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

import custom_components.mi_frente_seguro as integration
from custom_components.mi_frente_seguro import (
    alarm_control_panel,
    binary_sensor,
    button,
    camera,
    event,
    sensor,
    siren,
)
from custom_components.mi_frente_seguro.const import DOMAIN
from custom_components.mi_frente_seguro.diagnostics import TO_REDACT
import homeassistant.components
from homeassistant.components.brands import DOMAIN as BRANDS_DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.entity import Entity
from homeassistant.setup import async_setup_component
from homeassistant.util import yaml as yaml_util

from .const import FRONT_ID

COMPONENT = Path(integration.__file__).parent
CORE = Path(homeassistant.components.__file__).parent
PLATFORMS = (alarm_control_panel, binary_sensor, button, camera, event, sensor, siren)


def _ours() -> dict[str, object]:
    rules: dict[str, object] = yaml_util.load_yaml(COMPONENT / "quality_scale.yaml")[
        "rules"
    ]
    return rules


def _status(value: object) -> str:
    return value if isinstance(value, str) else str(value["status"])  # type: ignore[index]


def test_every_rule_of_this_home_assistant_and_no_other() -> None:
    """The rule names are exactly those HA's own integrations are graded on."""
    known: set[str] = set()
    for path in CORE.glob("*/quality_scale.yaml"):
        known |= set((yaml_util.load_yaml(path) or {}).get("rules") or {})
    assert len(known) > 40  # the list was found
    assert set(_ours()) == known


def test_statuses_and_reasons() -> None:
    """Every rule is done, todo or exempt; anything not done says why."""
    for rule, value in _ours().items():
        assert _status(value) in {"done", "todo", "exempt"}, rule
        if _status(value) != "done":
            assert isinstance(value, dict) and value.get("comment"), rule


def test_nothing_polls() -> None:
    """appropriate-polling is exempt because no entity of the integration polls."""
    assert _status(_ours()["appropriate-polling"]) == "exempt"
    classes = [
        cls
        for module in PLATFORMS
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Entity) and cls.__module__.startswith(integration.__name__)
    ]
    assert len(classes) >= 10
    for cls in classes:
        # should_poll is one of HA's cached properties: read it on a bare instance.
        assert object.__new__(cls).should_poll is False, cls.__name__


async def test_stale_devices_are_removed(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """A device the front no longer has goes at set-up; the front's own cannot go."""
    assert _status(_ours()["stale-devices"]) == "done"
    mock_config_entry.add_to_hass(hass)
    registry = dr.async_get(hass)
    for stale in ("kit", "cam3"):  # no broker, no camera 3 in this front's settings
        registry.async_get_or_create(
            config_entry_id=mock_config_entry.entry_id,
            identifiers={(DOMAIN, f"{FRONT_ID}-{stale}")},
        )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    devices = dr.async_entries_for_config_entry(registry, mock_config_entry.entry_id)
    assert [device.identifiers for device in devices] == [{(DOMAIN, FRONT_ID)}]
    front = devices[0]
    assert not await integration.async_remove_config_entry_device(
        hass, mock_config_entry, front
    )
    other = registry.async_get_or_create(
        config_entry_id=mock_config_entry.entry_id,
        identifiers={(DOMAIN, f"{FRONT_ID}-cam4")},
    )
    assert await integration.async_remove_config_entry_device(
        hass, mock_config_entry, other
    )
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


async def test_home_assistant_serves_the_brand(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """Brands is done: the icon and logo in brand/ are what HA's brands view serves."""
    assert _status(_ours()["brands"]) == "done"
    sizes = {"icon.png": (256, 256), "icon@2x.png": (512, 512)}
    for name in ("icon.png", "icon@2x.png", "logo.png", "logo@2x.png"):
        with Image.open(COMPONENT / "brand" / name) as image:
            assert image.format == "PNG"
            if name in sizes:
                assert image.size == sizes[name]
            else:
                assert image.size[0] > image.size[1]  # landscape, as HA wants logos
    assert await async_setup_component(hass, BRANDS_DOMAIN, {})
    client = await hass_client()
    response = await client.get(f"/api/brands/integration/{DOMAIN}/icon.png")
    assert response.status == 200
    assert await response.read() == (COMPONENT / "brand" / "icon.png").read_bytes()


def test_diagnostics_redact_what_is_personal() -> None:
    """Diagnostics is done: the address, phones, names, persons and secrets are redacted."""
    assert {
        "address",
        "coordinator_name",
        "coordinator_phone",
        "coordinator_persons",
        "cuadrante_phone",
        "latitude",
        "longitude",
        "police_secret",
        "broker_password",
    } <= TO_REDACT
