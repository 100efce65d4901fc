"""Shared data for the dispatch tests: a front, incidents in every state, evidence.

And the ``session`` fixture: an HTTP session like HA's shared one.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from custom_components.mi_frente_seguro.frente.dispatch.messages import (
    Evidence,
    EvidenceKind,
)
from custom_components.mi_frente_seguro.frente.front import Front
from custom_components.mi_frente_seguro.frente.incident import (
    Incident,
    IncidentKind,
    IncidentState,
    Location,
    Sender,
)
from tests.frente.presses import app_press, kit_press

BOGOTA = ZoneInfo("America/Bogota")
T0 = datetime(2026, 11, 26, 20, 0, 0, 250_000, tzinfo=BOGOTA)

FRONT = Front(
    front_id="manga_calle_real",
    name="Calle Real",
    barrio="Manga",
    address="Calle 25 # 20-30",
    latitude=10.414,
    longitude=-75.5366,
    radius=150.0,
    cuadrante_code="MECAR-E1-C3",
    cuadrante_name="Cuadrante 3 Manga",
    cuadrante_phone="+576056601234",
    coordinator_name="Ana Pérez",
    coordinator_phone="+573001234567",
)
ANA = Sender(
    user_id="u-ana",
    person_id="person.ana",
    name="Ana Pérez",
    house="12",
    phone="+573001234567",
    role="coordinator",
    is_member=True,
)
LUIS = Sender(user_id="u-luis", name="Luis Gómez", house="7B", is_member=True)


def make_incident(
    incident_id: str = "01JDPANIC00000000000000000",
    kind: IncidentKind = IncidentKind.PANIC,
) -> Incident:
    """Return an incident opened by Ana from the app, with her phone's location."""
    location = Location(
        latitude=10.4142,
        longitude=-75.5361,
        accuracy=12.0,
        fix_time=T0 - timedelta(seconds=20),
        distance=40.0,
    )
    press = app_press(T0, kind, ANA, location=location, note="Hombre armado")
    return Incident.open(incident_id, FRONT.front_id, press)


def joined(incident: Incident) -> Incident:
    """Return ``incident`` with Luis's physical-button press (no location)."""
    incident, _ = incident.joined(
        kit_press(T0 + timedelta(seconds=5), LUIS, key="btn1:42")
    )
    return incident


def advanced(
    incident: Incident,
    *steps: tuple[IncidentState, timedelta, str, dict[str, Any] | None],
) -> Incident:
    """Return ``incident`` taken through ``steps``: (state, time after T0, by, details)."""
    for state, after, by, details in steps:
        incident, _ = incident.advanced(state, T0 + after, by=by, details=details)
    return incident


def cancelled(incident: Incident) -> Incident:
    """Return ``incident`` cancelled as a false alarm."""
    reason = {"reason": "Se activó por error", "by_name": "Ana Pérez"}
    return advanced(
        incident, (IncidentState.CANCELLED, timedelta(minutes=2), "u-ana", reason)
    )


def closed(incident: Incident) -> Incident:
    """Return ``incident`` taken through the police lifecycle to closed."""
    return advanced(
        incident,
        (IncidentState.SENT, timedelta(seconds=1), "system", None),
        (
            IncidentState.DISPATCHED,
            timedelta(minutes=1),
            "police",
            {"unit": "Patrulla 12", "eta_minutes": 6},
        ),
        (
            IncidentState.CLOSED,
            timedelta(minutes=30),
            "police",
            {"note": "Sin novedad", "relayed_by": "u-admin"},
        ),
    )


EVIDENCE = [
    Evidence(
        camera="Portería",
        url="https://evidence.example.org/f/01JD/porteria.jpg",
        sha256="a" * 64,
        sha1="b" * 40,
        captured_at=T0 + timedelta(seconds=3),
        kind=EvidenceKind.SNAPSHOT,
        size=48_213,
    ),
    Evidence(
        camera="Calle",
        url="https://evidence.example.org/f/01JD/calle.mp4",
        sha256="c" * 64,
        captured_at=T0 + timedelta(seconds=4),
        kind=EvidenceKind.CLIP,
        mime_type="video/mp4",
    ),
]


@pytest.fixture
def incident() -> Incident:
    """Return a fresh panic incident."""
    return make_incident()


@pytest.fixture
async def session() -> AsyncGenerator[aiohttp.ClientSession]:
    """Return an HTTP session like HA's shared one."""
    async with aiohttp.ClientSession() as client:
        yield client
