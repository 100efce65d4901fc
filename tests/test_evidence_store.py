"""Where a front's evidence lives: a private folder, bundles moved there from HA's media."""

from __future__ import annotations

import logging

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.mi_frente_seguro.frente.evidence import verify_manifest
from custom_components.mi_frente_seguro.runtime import evidence
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .const import FRONT_ID
from .evidence import INCIDENT, new_base, old_base, write_bundle
from .helpers import members_front


async def test_old_bundles_move_out_of_media_once(hass: HomeAssistant) -> None:
    """On start the front's old bundles leave HA's media intact; a restart does nothing."""
    write_bundle(old_base(hass))
    write_bundle(old_base(hass), "inc-20261126-0002")
    other = old_base(hass) / "otro_frente" / "inc-1"
    other.mkdir(parents=True)
    entry = await members_front(hass)
    moved = new_base(hass) / FRONT_ID
    assert sorted(p.name for p in moved.iterdir()) == [INCIDENT, "inc-20261126-0002"]
    for folder in moved.iterdir():
        assert verify_manifest(folder) == []
    assert not (old_base(hass) / FRONT_ID).exists()
    assert other.exists()  # another front's bundles wait for that front
    assert evidence.legacy_evidence_base(hass) == old_base(hass)
    assert evidence.evidence_base(hass) == new_base(hass)
    assert not evidence.evidence_is_public(hass)

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert sorted(p.name for p in moved.iterdir()) == [INCIDENT, "inc-20261126-0002"]
    assert verify_manifest(moved / INCIDENT) == []
    await hass.config_entries.async_unload(entry.entry_id)


async def test_retention_runs_on_the_new_folder(hass: HomeAssistant) -> None:
    """Nightly purge deletes bundles past the front's retention where they now live."""
    write_bundle(old_base(hass), "inc-old", days_old=45)
    write_bundle(new_base(hass), "inc-new", days_old=1)
    entry = await members_front(hass)
    await entry.runtime_data.cameras.async_purge(dt_util.now())
    assert [p.name for p in (new_base(hass) / FRONT_ID).iterdir()] == ["inc-new"]
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_failed_move_is_logged_and_the_front_starts(
    hass: HomeAssistant,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The move failing (disk, permissions) never stops the front; it is retried later."""

    def fail(*_: object) -> list[str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(evidence, "move_bundles", fail)
    folder = write_bundle(old_base(hass))
    entry: MockConfigEntry = await members_front(hass)
    assert entry.runtime_data is not None
    assert verify_manifest(folder) == []
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    expected = (
        f"Cannot move the evidence of front {FRONT_ID} out of the media folder "
        "(PermissionError): it stays there until the next start"
    )
    assert [r.getMessage() for r in errors] == [expected]
    await hass.config_entries.async_unload(entry.entry_id)


async def test_an_evidence_folder_inside_media_is_warned_about(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """media_dirs naming the config folder would publish the evidence: say so."""
    hass.config.media_dirs = {
        "local": hass.config.path("media"),
        "all": hass.config.path(),
    }
    entry = await members_front(hass)
    assert evidence.evidence_is_public(hass)
    assert "is inside a media folder of Home Assistant" in caplog.text
    await hass.config_entries.async_unload(entry.entry_id)
