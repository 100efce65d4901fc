"""The hand-built chain the benchmarks measure beside ours, and the benchmark box's YAML.

What a coordinator without this integration would wire: HA's MQTT integration, an
automation (mode parallel) on ``handbuilt/+/panic`` and a ``rest_command`` that posts each
press to the police. ``rest_command`` has no UI, so it is YAML; the MQTT integration and
the automation are added through the UI's APIs, as a coordinator would.
"""

from __future__ import annotations

from typing import Any

from scripts.harness.ha import light_config
from scripts.harness.ha_client import HaClient

# Parallel runs, so a burst is not dropped by the default single mode.
AUTOMATION: dict[str, Any] = {
    "alias": "Pánico hecho a mano (MQTT -> rest_command)",
    "mode": "parallel",
    "max": 1000,
    "triggers": [{"trigger": "mqtt", "topic": "handbuilt/+/panic"}],
    "actions": [
        {
            "action": "rest_command.police_handbuilt",
            "data": {
                "front": "{{ trigger.topic.split('/')[1] }}",
                "seq": "{{ trigger.payload_json.seq }}",
            },
        }
    ],
}
# A typical box beyond the light one: frontend, person, mobile_app, recorder, history,
# logbook; warnings-only logging; the probe; the hand-built chain's YAML part.
BODY = """\
frontend:
person:
mobile_app:
recorder:
history:
logbook:
logger:
  default: warning
mfs_bench_probe:

rest_command:
  police_handbuilt:
    url: "{receiver}/handbuilt/{{{{ front }}}}"
    method: post
    content_type: application/json
    payload: '{{"seq": {{{{ seq }}}}}}'
automation: !include automations.yaml
"""


def configuration(receiver_url: str) -> str:
    """Return the benchmark HA's configuration.yaml, posting to ``receiver_url``."""
    return light_config(
        "Mi Frente Seguro (benchmark)",
        BODY.format(receiver=receiver_url),
        "Written by scripts/bench: a typical box, warnings-only logging, the hand-built chain.",
    )


async def add_handbuilt_chain(api: HaClient, broker_port: int) -> None:
    """Set HA's own MQTT integration up on the broker and add the automation."""
    flow = await api.rest(
        "POST", "/api/config/config_entries/flow", {"handler": "mqtt"}
    )
    result = await api.rest(
        "POST",
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        {
            "broker": "127.0.0.1",
            "port": broker_port,
            "other_settings": {"set_client_cert": False, "set_ca_cert": "off"},
        },
    )
    if result["type"] != "create_entry":
        raise RuntimeError(f"HA's MQTT integration was not set up: {result}")
    await api.rest("POST", "/api/config/automation/config/handbuilt_panic", AUTOMATION)
