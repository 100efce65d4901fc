"""Shared test data: a front as a coordinator in Manga would enter it."""

from __future__ import annotations

from typing import Any

from custom_components.mi_frente_seguro.const import (
    CONF_ADDRESS,
    CONF_BARRIO,
    CONF_COORDINATOR_NAME,
    CONF_COORDINATOR_PERSONS,
    CONF_COORDINATOR_PHONE,
    CONF_CUADRANTE_CODE,
    CONF_CUADRANTE_NAME,
    CONF_CUADRANTE_PHONE,
    CONF_FRONT_ID,
    CONF_LOCATION,
)
from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE, CONF_NAME, CONF_RADIUS

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
    CONF_NAME: "Calle Real",
    CONF_BARRIO: "Manga",
    CONF_ADDRESS: "Calle 26 # 20-15",
    CONF_LOCATION: {CONF_LATITUDE: 10.4139, CONF_LONGITUDE: -75.5364, CONF_RADIUS: 150},
    CONF_CUADRANTE_CODE: "mecar-e1-c3",
    CONF_CUADRANTE_NAME: "Cuadrante 3 Manga",
    CONF_CUADRANTE_PHONE: "300 123 4567",
    CONF_COORDINATOR_NAME: "Ana Pérez",
    CONF_COORDINATOR_PHONE: "(+57) 310-765-4321",
    CONF_COORDINATOR_PERSONS: ["person.ana_perez"],
}

ENTRY_DATA: dict[str, Any] = {
    CONF_FRONT_ID: FRONT_ID,
    CONF_NAME: "Calle Real",
    CONF_BARRIO: "Manga",
    CONF_ADDRESS: "Calle 26 # 20-15",
    CONF_LATITUDE: 10.4139,
    CONF_LONGITUDE: -75.5364,
    CONF_RADIUS: 150.0,
    CONF_CUADRANTE_CODE: "MECAR-E1-C3",
    CONF_CUADRANTE_NAME: "Cuadrante 3 Manga",
    **NO_BROKER,
}

ENTRY_OPTIONS: dict[str, Any] = {
    CONF_CUADRANTE_PHONE: "+573001234567",
    CONF_COORDINATOR_NAME: "Ana Pérez",
    CONF_COORDINATOR_PHONE: "+573107654321",
    CONF_COORDINATOR_PERSONS: ["person.ana_perez"],
}
