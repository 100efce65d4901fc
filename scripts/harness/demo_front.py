"""The demo front: its settings, the demo login, and where its dashboard lives.

Shared by the demo stack (``scripts/develop``), the end-to-end tests, the benchmarks and
the chaos run, which add this front (or copies of it) through HA's config-flow API.
"""

from __future__ import annotations

DEMO_USER = "demo"
DEMO_PASSWORD = "frente-seguro"  # noqa: S105  (a local demo login, printed on purpose)
DEMO_LOGIN = (DEMO_USER, DEMO_PASSWORD)
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
DASHBOARD_VIEW = FRONT_ID.replace(
    "_", "-"
)  # the path the dashboard action gives the view
DASHBOARD_KEYS = (
    "alarm", "panic_button", "medical_button", "fire_button", "drill_button",
    "kit-siren", "incident",
    "police_status", "incidents_this_month", "false_alarms_this_month",
    "last_response_time", "mean_response_time_30d", "press", "cam1", "cam2", "cam3",
    "cam4",
)  # fmt: skip
