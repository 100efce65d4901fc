"""Fixtures shared by the integration's tests."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from pathlib import Path
import shutil

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.mi_frente_seguro.const import DOMAIN
from homeassistant.auth.const import GROUP_ID_ADMIN, GROUP_ID_USER
from homeassistant.auth.models import Group
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from scripts.harness.mosquitto import Mosquitto

from .const import ENTRY_DATA, ENTRY_OPTIONS, FRONT_ID
from .frente.dispatch.receiver import Receiver
from .frente.evidence.conftest import closed_port, rtsp_server  # noqa: F401  (shared fixtures)
from .helpers import set_up
from .police import SECRET, Alarm, front_with_an_alarm


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    enable_custom_integrations: None,
) -> None:
    """Let every test load custom integrations."""


@pytest.fixture(autouse=True)
def private_media_dir(hass: HomeAssistant) -> None:
    """Keep HA's local media in the test's folder: phcc's default is in the (shared) venv.

    Fronts move old evidence out of it on start; no test may touch another run's files.
    The test's config folder starts as a copy of phcc's, media included: bundles that
    other runs left there are dropped from this test's copy.
    """
    media = Path(hass.config.path("media"))
    shutil.rmtree(media / DOMAIN, ignore_errors=True)
    hass.config.media_dirs = {"local": str(media)}


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Use HA's snapshot serializer (stable ids, HA objects as dicts)."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> str:
    """Give every test its own config folder (the incident files live under it)."""
    return hass_tmp_config_dir


@pytest.fixture
async def people(hass: HomeAssistant) -> dict[str, MockUser]:
    """Create users with real HA persons: an admin, a coordinator and a resident."""
    users = {
        "admin": MockUser(name="Admin", groups=[await _group(hass, GROUP_ID_ADMIN)]),
        "ana": MockUser(name="Ana Pérez", groups=[await _group(hass, GROUP_ID_USER)]),
        "luis": MockUser(name="Luis Gómez", groups=[await _group(hass, GROUP_ID_USER)]),
    }
    for user in users.values():
        user.add_to_hass(hass)
    persons = [
        {
            "id": "ana",
            "name": "Ana Pérez",
            "user_id": users["ana"].id,
            "device_trackers": ["device_tracker.pixel_ana"],
        },
        {
            "id": "luis",
            "name": "Luis Gómez",
            "user_id": users["luis"].id,
            "device_trackers": ["device_tracker.pixel_luis"],
        },
    ]
    assert await async_setup_component(hass, "person", {"person": persons})
    return users


@pytest.fixture(params=["ana", "admin"])
def may_see_evidence(
    request: pytest.FixtureRequest, people: dict[str, MockUser]
) -> MockUser:
    """Return, in turn, each user who may see the front's evidence.

    Ana (its coordinator, in the options) and the admin.
    """
    user: MockUser = people[request.param]
    return user


async def _group(hass: HomeAssistant, group_id: str) -> Group:
    group = await hass.auth.async_get_group(group_id)
    assert group is not None
    return group


@pytest.fixture
def mock_config_entry() -> MockConfigEntry:
    """Return the config entry of the Calle Real front in Manga."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Calle Real",
        unique_id=FRONT_ID,
        data=dict(ENTRY_DATA),
        options=dict(ENTRY_OPTIONS),
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set up the front and return its loaded config entry."""
    return await set_up(hass, mock_config_entry)


@pytest.fixture
async def receiver(socket_enabled: None) -> AsyncGenerator[Receiver]:
    """Run the police receiver on 127.0.0.1 (it knows the test front's secret)."""
    server = Receiver([SECRET])
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def alarm(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    receiver: Receiver,
) -> AsyncGenerator[Alarm]:
    """Set up the front with its police link on the receiver and press once.

    Its status webhook's client comes with it; the front is unloaded after the test.
    """
    entry, incident_id = await front_with_an_alarm(hass, receiver.url)
    yield Alarm(entry, incident_id, await hass_client_no_auth())
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.fixture
async def broker(socket_enabled: None, tmp_path: Path) -> AsyncGenerator[Mosquitto]:
    """Run a real Mosquitto (anonymous, with persistence) on a free 127.0.0.1 port."""
    async with Mosquitto(tmp_path / "mosquitto") as mosquitto:
        yield mosquitto


@pytest.fixture
async def auth_broker(
    socket_enabled: None, tmp_path: Path
) -> AsyncGenerator[Mosquitto]:
    """Run a real Mosquitto that only lets in user ``kit`` with ``s3cret-pass``."""
    users = {"kit": "s3cret-pass"}
    async with Mosquitto(tmp_path / "mosquitto-auth", users=users) as mosquitto:
        yield mosquitto
