"""The demo front: its settings, the demo login, and its Spanish dashboard.

Shared by the demo stack (``scripts/develop``), the end-to-end tests, the benchmarks and
the chaos run, which add this front (or copies of it) through HA's config-flow API.
"""

from __future__ import annotations

from typing import Any

DEMO_USER = "demo"
DEMO_PASSWORD = "frente-seguro"  # noqa: S105  (a local demo login, printed on purpose)
FRONT_ID = "manga_calle_real"
DEMO_FRONT = {
    "name": "Calle Real",
    "barrio": "Manga",
    "address": "Calle 26 # 20-15",
    "location": {"latitude": 10.4139, "longitude": -75.5364, "radius": 150},
    "cuadrante_code": "MECAR-E1-C3",
    "cuadrante_name": "Cuadrante 3 Manga",
    "cuadrante_phone": "300 123 4567",
    "coordinator_name": "Ana Pérez",
    "coordinator_phone": "310 765 4321",
}
CAMERA_NAMES = ["Esquina tienda", "Parque", "Calle 26", "Callejón"]
DASHBOARD = "mi-frente-seguro"
DASHBOARD_KEYS = (
    "alarm", "panic_button", "medical_button", "fire_button", "drill_button",
    "kit-siren", "incident",
    "police_status", "incidents_this_month", "false_alarms_this_month",
    "last_response_time", "mean_response_time_30d", "press", "cam1", "cam2", "cam3",
    "cam4",
)  # fmt: skip


def silent_panic_card(entry_id: str) -> dict[str, Any]:
    """Return the silent panic as a dashboard button: an action call leaves no state.

    docs/incidents.md (Duress): a button entity's state would show every press.
    """
    return {
        "type": "button",
        "name": "Pánico silencioso",
        "icon": "mdi:bell-off-outline",
        "show_state": False,
        "tap_action": {
            "action": "perform-action",
            "perform_action": "mi_frente_seguro.trigger",
            "data": {"config_entry_id": entry_id, "kind": "silent"},
        },
    }


def dashboard(ids: dict[str, str], entry_id: str) -> dict[str, Any]:
    """Return the demo front's dashboard, given entity ids by unique id."""

    def entity(key: str) -> str:
        return ids[f"{FRONT_ID}-{key}"]

    def tile(key: str, name: str) -> dict[str, Any]:
        return {"type": "tile", "entity": entity(key), "name": name, "vertical": True}

    buttons: list[dict[str, Any]] = [
        tile("panic_button", "Pánico"),
        silent_panic_card(entry_id),
        tile("medical_button", "Médica"),
        tile("fire_button", "Incendio"),
        tile("drill_button", "Simulacro"),
    ]
    cameras = [
        {"type": "picture-entity", "entity": entity(f"cam{n}"), "camera_view": "auto"}
        for n in range(1, 5)
    ]
    return {
        "title": "Mi Frente Seguro",
        "views": [
            {
                "title": "Frente Calle Real",
                "path": "frente",
                "icon": "mdi:shield-home",
                "cards": [
                    {
                        "type": "alarm-panel",
                        "entity": entity("alarm"),
                        "name": "Alarma",
                        "states": [],
                    },
                    {"type": "grid", "columns": 3, "square": False, "cards": buttons},
                    {"type": "tile", "entity": entity("kit-siren"), "name": "Sirena"},
                    {
                        "type": "entities",
                        "title": "Incidente",
                        "entities": [
                            {"entity": entity(key), "name": name}
                            for key, name in (
                                ("incident", "Incidente"),
                                ("police_status", "Policía"),
                                ("incidents_this_month", "Incidentes este mes"),
                                ("false_alarms_this_month", "Falsas alarmas este mes"),
                                ("last_response_time", "Respuesta policial"),
                                ("mean_response_time_30d", "Respuesta (30 días)"),
                            )
                        ],
                    },
                    {"type": "grid", "columns": 2, "square": False, "cards": cameras},
                    {
                        "type": "logbook",
                        "title": "Historial de incidentes",
                        "entities": [entity("incident"), entity("press")],
                        "hours_to_show": 168,
                    },
                ],
            }
        ],
    }
