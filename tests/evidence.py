"""Evidence bundles on disk for the integration tests, as the cameras would leave them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.mi_frente_seguro.const import DOMAIN
from custom_components.mi_frente_seguro.frente.evidence import EvidenceFile, Manifest
from custom_components.mi_frente_seguro.frente.evidence.manifest import (
    sha256_file,
    write_manifest,
)
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .const import FRONT_ID
from .helpers import member, members_front

INCIDENT = "inc-20261126-0001"


FILES = {
    "cam1-press.jpg": ("press", b"\xff\xd8\xff\xe0still\xff\xd9"),
    "cam1-clip.mp4": ("clip", b"\x00\x00\x00\x18ftypmp42clip"),
}


def write_bundle(base: Path, incident: str = INCIDENT, days_old: float = 1) -> Path:
    """Write a bundle of Calle Real under ``base``: a still, a clip and their manifest.

    Beside them, what a bundle holds while it is captured: a clip still being recorded
    (not in the manifest yet) and a temporary file.
    """
    folder = base / FRONT_ID / incident
    folder.mkdir(parents=True)
    pressed = dt_util.now() - timedelta(days=days_old)
    files = []
    for name, (kind, body) in FILES.items():
        (folder / name).write_bytes(body)
        digest, size = sha256_file(folder / name)
        files.append(EvidenceFile(name, "cam1", kind, pressed, digest, size))
    (folder / "cam2-clip.mp4").write_bytes(b"recording")
    (folder / ".cam1-plus5.jpg.tmp").write_bytes(b"\xff\xd8")
    write_manifest(
        folder, Manifest(FRONT_ID, incident, pressed, files=files, complete=True)
    )
    return folder


async def front_with_a_bundle(hass: HomeAssistant) -> MockConfigEntry:
    """Set up Calle Real (Luis a resident member, Ana its coordinator) with a bundle."""
    entry = await members_front(hass, member("person.luis_gomez", "Luis Gómez"))
    await hass.async_add_executor_job(write_bundle, new_base(hass))
    return entry


def old_base(hass: HomeAssistant) -> Path:
    """Return where earlier versions kept bundles: HA's local media."""
    return Path(hass.config.media_dirs["local"]) / DOMAIN


def new_base(hass: HomeAssistant) -> Path:
    """Return the private evidence folder."""
    return Path(hass.config.path(DOMAIN, "evidence"))
