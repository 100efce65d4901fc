"""A front added through HA's REST config-flow API in a real ``hass`` process."""

from __future__ import annotations

import pytest

from scripts.harness.demo_front import DEMO_FRONT
from scripts.harness.ha import HaProcess
from scripts.harness.ha_client import HaClient

pytestmark = pytest.mark.e2e


async def test_front_added_over_rest_is_a_spanish_device(
    ha_process: HaProcess, ha_client: HaClient
) -> None:
    """HA in Spanish: the form errors, the entry, the device name, the duplicate abort."""
    flow = await ha_client.rest(
        "POST", "/api/config/config_entries/flow", {"handler": "mi_frente_seguro"}
    )
    assert flow["step_id"] == "user"
    assert {field["name"] for field in flow["data_schema"]} >= {
        "name",
        "barrio",
        "location",
        "cuadrante_code",
        "coordinator_phone",
    }
    bad = await ha_client.rest(
        "POST",
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        {**DEMO_FRONT, "coordinator_phone": "123"},
    )
    assert bad["type"] == "form"
    assert bad["errors"] == {"coordinator_phone": "invalid_phone"}
    broker_step = await ha_client.rest(
        "POST", f"/api/config/config_entries/flow/{flow['flow_id']}", DEMO_FRONT
    )
    assert broker_step["step_id"] == "broker"
    created = await ha_client.rest(
        "POST",
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        {
            "broker_host": "",
            "broker_port": 1883,
            "broker_tls": False,
            "topic_base": "mfs",
        },
    )
    assert created["type"] == "create_entry"
    assert created["title"] == "Calle Real"

    devices = await ha_client.ws("config/device_registry/list")
    ours = [
        device
        for device in devices
        if ["mi_frente_seguro", "manga_calle_real"] in device["identifiers"]
    ]
    assert len(ours) == 1
    assert ours[0]["name"] == "Frente de seguridad Calle Real"

    # The Spanish texts the UI shows for the form come from our translations.
    texts = await ha_client.ws(
        "frontend/get_translations",
        language="es",
        category="config",
        integration=["mi_frente_seguro"],
    )
    prefix = "component.mi_frente_seguro.config.step.user"
    assert texts["resources"][f"{prefix}.data.barrio"] == "Barrio"
    assert texts["resources"][f"{prefix}.title"] == "Agregar un frente de seguridad"

    again = await ha_client.run_config_flow(DEMO_FRONT)
    assert (again["type"], again["reason"]) == ("abort", "already_configured")

    log = ha_process.log_text()
    assert "ERROR" not in "\n".join(
        line for line in log.splitlines() if "mi_frente_seguro" in line
    )
