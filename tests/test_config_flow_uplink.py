"""The options step of the city uplink, through HA's real flow manager."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.mi_frente_seguro.diagnostics import (
    async_get_config_entry_diagnostics,
)
from custom_components.mi_frente_seguro.frente.uplink.settings import parse_uplink
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from scripts.harness.mosquitto import Mosquitto

from .police import NOWHERE, police_front

FORM = {"host": "127.0.0.1", "port": 8883, "tls": False, "topic_prefix": "cartagena",
        "ca_file": "", "cert_file": "", "key_file": "", "username": "",
        "password": "", "keepalive": 60}  # fmt: skip
STORED = {"host": "city.example", "port": 8883, "tls": True,
          "topic_prefix": "cartagena", "username": "frente", "password": "v3ry-s3cret"}  # fmt: skip


async def open_step(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """Open the options menu and pick the city uplink."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert "city_uplink" in result["menu_options"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "city_uplink"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "city_uplink"
    return dict(result)


async def submit(
    hass: HomeAssistant, entry: MockConfigEntry, form: dict[str, Any]
) -> dict[str, Any]:
    """Send ``form`` to the city uplink step."""
    result = await open_step(hass, entry)
    return dict(
        await hass.config_entries.options.async_configure(result["flow_id"], form)
    )


def suggested(result: dict[str, Any]) -> dict[str, Any]:
    """Return the form's defaults and suggested values by field."""
    values: dict[str, Any] = {}
    for key in result["data_schema"].schema:
        if callable(getattr(key, "default", None)):
            values[str(key)] = key.default()
        if key.description and "suggested_value" in key.description:
            values[f"{key}/suggested"] = key.description["suggested_value"]
    return values


async def test_save_starts_the_link(hass: HomeAssistant, broker: Mosquitto) -> None:
    """A saved uplink is stored, the entry reloads and connects to the broker."""
    entry = await police_front(hass, NOWHERE, police_webhook_id="")
    before = {k: v for k, v in entry.options.items() if k != "city_uplink"}
    assert entry.runtime_data.uplink is None
    login = {"username": "front", "password": "s3cret-uplink"}
    result = await submit(hass, entry, {**FORM, "port": broker.port, **login})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options["city_uplink"] == {
        "host": "127.0.0.1", "port": broker.port, "tls": False,
        "topic_prefix": "cartagena", "keepalive": 60, **login,
    }  # fmt: skip
    assert {k: v for k, v in entry.options.items() if k != "city_uplink"} == before
    assert parse_uplink(entry.options["city_uplink"]) is not None
    uplink = entry.runtime_data.uplink
    assert uplink is not None
    assert await uplink.link.wait_connected(10)
    found = await async_get_config_entry_diagnostics(hass, entry)
    assert found["entry"]["options"]["city_uplink"]["password"] == "**REDACTED**"
    assert "s3cret-uplink" not in repr(found)
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"host": "bad host"}, "host", "invalid_host"),
        ({"host": " padded"}, "host", "invalid_text"),
        ({"topic_prefix": "a/+/b"}, "topic_prefix", "invalid_topic"),
        ({"topic_prefix": ""}, "topic_prefix", "invalid_topic"),
        ({"cert_file": "/etc/hostname"}, "key_file", "cert_and_key"),
        ({"ca_file": "/etc/hostname"}, "tls", "files_need_tls"),
        ({"password": "x"}, "username", "password_needs_username"),
        ({"username": "a\x00b"}, "username", "invalid_text"),
        ({"tls": True, "ca_file": "/nonexistent/ca.pem"}, "ca_file", "file_not_found"),
    ],
)
async def test_hostile_fields_show_their_error(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    changes: dict[str, Any],
    field: str,
    reason: str,
) -> None:
    """Each bad field gets its own error and nothing is saved."""
    entry = init_integration
    before = dict(entry.options)
    result = await submit(hass, entry, {**FORM, **changes})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {field: reason}
    assert dict(entry.options) == before


async def test_readable_files_are_accepted(
    hass: HomeAssistant, init_integration: MockConfigEntry, tmp_path: Path
) -> None:
    """Existing certificate files pass the executor check."""
    for name in ("ca.pem", "cert.pem", "key.pem"):
        (tmp_path / name).write_text("not a real certificate")
    files = {f"{n}_file": str(tmp_path / f"{n}.pem") for n in ("ca", "cert", "key")}
    result = await submit(hass, init_integration, {**FORM, "tls": True, **files})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options["city_uplink"]["cert_file"] == files["cert_file"]


async def test_password_kept_and_never_shown(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """A blank password keeps the stored one, which never reaches the form."""
    entry = mock_config_entry
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, "city_uplink": STORED}
    )
    result = await open_step(hass, entry)
    shown = suggested(result)
    assert shown["host"] == "city.example"
    assert "v3ry-s3cret" not in repr(shown)
    assert shown["password"] == ""
    form = {**FORM, "host": "city.example", "tls": True, "username": "frente"}
    result = dict(
        await hass.config_entries.options.async_configure(result["flow_id"], form)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["city_uplink"]["password"] == "v3ry-s3cret"
    form["password"] = "n3w-pass"
    result = await submit(hass, entry, form)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["city_uplink"]["password"] == "n3w-pass"


async def test_empty_host_turns_off(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """An empty host removes ``city_uplink`` and keeps the other options."""
    entry = mock_config_entry
    others = dict(entry.options)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, options={**others, "city_uplink": STORED}
    )
    result = await submit(hass, entry, {**FORM, "host": ""})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert dict(entry.options) == others


TEXT = st.text(max_size=40)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    field=st.sampled_from(
        [
            "host",
            "topic_prefix",
            "ca_file",
            "cert_file",
            "key_file",
            "username",
            "password",
        ]  # fmt: skip
    ),
    value=TEXT,
)
async def test_any_text_saves_or_shows_an_error(
    hass: HomeAssistant, init_integration: MockConfigEntry, field: str, value: str
) -> None:
    """Arbitrary text either saves settings parse_uplink accepts or a field error."""
    entry = init_integration
    before = dict(entry.options)
    result = await submit(hass, entry, {**FORM, "username": "u", field: value})
    await hass.async_block_till_done()  # the reload a save starts ends in this example
    if result["type"] is FlowResultType.CREATE_ENTRY:
        stored = entry.options.get("city_uplink")
        assert stored is None or parse_uplink(stored) is not None
    else:
        assert result["type"] is FlowResultType.FORM
        assert len(result["errors"]) == 1
        assert set(result["errors"]) <= set(FORM)
        assert dict(entry.options) == before
    hass.config_entries.async_update_entry(entry, options=before)
    await hass.async_block_till_done()
