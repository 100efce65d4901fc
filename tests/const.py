"""Shared test data: a front as a coordinator in Manga would enter it.

The keys are written as stored, not as constants: they are a contract with every entry
already saved, and a renamed constant must not rename them unnoticed.
"""

from __future__ import annotations

from typing import Any

FRONT_ID = "manga_calle_real"

# The broker step left empty: a front without an MQTT kit.
NO_BROKER: dict[str, Any] = {
    "broker_host": "",
    "broker_port": 1883,
    "broker_username": "",
    "broker_password": "",
    "broker_tls": False,
    "topic_base": "mfs",
}


def broker_data(port: int, username: str = "", password: str = "") -> dict[str, Any]:
    """Return broker settings for a test Mosquitto on 127.0.0.1:``port``."""
    return {
        **NO_BROKER,
        "broker_host": "127.0.0.1",
        "broker_port": port,
        "broker_username": username,
        "broker_password": password,
    }


USER_INPUT: dict[str, Any] = {
    "name": "Calle Real",
    "barrio": "Manga",
    "address": "Calle 26 # 20-15",
    "location": {"latitude": 10.4139, "longitude": -75.5364, "radius": 150},
    "cuadrante_code": "mecar-e1-c3",
    "cuadrante_name": "Cuadrante 3 Manga",
    "cuadrante_phone": "300 123 4567",
    "coordinator_name": "Ana Pérez",
    "coordinator_phone": "(+57) 310-765-4321",
    "coordinator_persons": ["person.ana_perez"],
}

ENTRY_DATA: dict[str, Any] = {
    "front_id": FRONT_ID,
    "name": "Calle Real",
    "barrio": "Manga",
    "address": "Calle 26 # 20-15",
    "latitude": 10.4139,
    "longitude": -75.5364,
    "radius": 150.0,
    "cuadrante_code": "MECAR-E1-C3",
    "cuadrante_name": "Cuadrante 3 Manga",
    **NO_BROKER,
}

ENTRY_OPTIONS: dict[str, Any] = {
    "cuadrante_phone": "+573001234567",
    "coordinator_name": "Ana Pérez",
    "coordinator_phone": "+573107654321",
    "coordinator_persons": ["person.ana_perez"],
}
