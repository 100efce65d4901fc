"""Who gets a bundle's files (issue 16, part 4): admins and the front's coordinators only.

Through HA's real HTTP stack and auth: no token 401; a resident, a read-only user or any
other user 403; the coordinator (Ana, in the options) and an admin 200, with bytes whose
SHA-256 is the manifest's. Hostile paths 404. Signed paths carry their user's check.
"""

from __future__ import annotations

from datetime import timedelta
import hashlib
import json
import logging

from aiohttp import ClientResponse
import pytest
from pytest_homeassistant_custom_component.common import (
    CLIENT_ID,
    MockConfigEntry,
    MockUser,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from homeassistant.auth.models import User
from homeassistant.components.http.auth import async_sign_path
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from .const import FRONT_ID
from .evidence import FILES, INCIDENT, front_with_a_bundle, new_base
from .helpers import members_front

BUNDLE = f"/api/mi_frente_seguro/evidence/{FRONT_ID}/{INCIDENT}"
STILL = f"{BUNDLE}/cam1-press.jpg"


async def token_of(hass: HomeAssistant, user: User) -> tuple[str, str]:
    """Return an access token of ``user`` and its refresh token's id (as the app logs in)."""
    refresh = await hass.auth.async_create_refresh_token(user, CLIENT_ID)
    return hass.auth.async_create_access_token(refresh), refresh.id


@pytest.fixture
async def front(hass: HomeAssistant, people: dict[str, MockUser]) -> MockConfigEntry:
    """Set up Calle Real (Luis a resident member, Ana its coordinator) with a bundle."""
    return await front_with_a_bundle(hass)


async def _get(
    hass_client: ClientSessionGenerator, token: str | None, path: str | URL
) -> ClientResponse:
    client = await hass_client(token)
    return await client.get(path)


@pytest.mark.usefixtures("front")
async def test_no_or_bad_token_is_401(
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Without a token, or with one HA did not issue, nothing is served."""
    client = await hass_client_no_auth()
    assert (await client.get(STILL)).status == 401
    assert (await _get(hass_client, "not-a-token", STILL)).status == 401


@pytest.mark.usefixtures("front")
async def test_residents_and_other_users_get_403(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    people: dict[str, MockUser],
    hass_read_only_user: MockUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A resident member, a read-only user, a user with no person: 403, on any file."""
    stranger = await hass.auth.async_create_user(
        "Pedro Ruiz", group_ids=["system-users"]
    )
    for user in (people["luis"], hass_read_only_user, stranger):
        token, _ = await token_of(hass, user)
        for path in (STILL, f"{BUNDLE}/manifest.json", f"{BUNDLE}/cam1-clip.mp4"):
            assert (await _get(hass_client, token, path)).status == 403
        # The same answer when there is no such bundle: nobody learns what exists.
        absent = f"/api/mi_frente_seguro/evidence/{FRONT_ID}/inc-nope/manifest.json"
        assert (await _get(hass_client, token, absent)).status == 403
    refusals = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert refusals
    for record in refusals:
        assert record.getMessage() == (
            f"Refused evidence of front {FRONT_ID}: not a coordinator of the front or "
            "an administrator"
        )
        assert "Luis" not in record.getMessage()
        assert "Pedro" not in record.getMessage()


@pytest.mark.usefixtures("front")
async def test_coordinator_and_admin_get_the_files_of_the_manifest(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, may_see_evidence: MockUser
) -> None:
    """200 with the right type; every file's SHA-256 is the manifest's."""
    token, _ = await token_of(hass, may_see_evidence)
    response = await _get(hass_client, token, f"{BUNDLE}/manifest.json")
    assert response.status == 200
    assert response.content_type == "application/json"
    assert response.headers["Cache-Control"] == "private, no-store"
    manifest = json.loads(await response.read())
    assert manifest["incident_id"] == INCIDENT
    listed = {item["file"]: item for item in manifest["files"]}
    assert set(listed) == set(FILES)
    for name, item in listed.items():
        response = await _get(hass_client, token, f"{BUNDLE}/{name}")
        assert response.status == 200
        body = await response.read()
        assert hashlib.sha256(body).hexdigest() == item["sha256"]
        assert len(body) == item["bytes"]
        expected = "image/jpeg" if name.endswith(".jpg") else "video/mp4"
        assert response.content_type == expected


@pytest.mark.usefixtures("front")
async def test_hostile_paths_and_unlisted_files_are_404(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    people: dict[str, MockUser],
) -> None:
    """Traversal, hidden, unlisted, absent, or files no bundle holds: never served."""
    root = "/api/mi_frente_seguro/evidence"
    (new_base(hass).parent / "secret.json").write_text("{}")
    # HA's security filter answers 400 to these before any view runs...
    filtered = [
        f"{root}/%2e%2e/{INCIDENT}/manifest.json",
        f"{root}/{FRONT_ID}/%2e%2e/secret.json",
        f"{root}/{FRONT_ID}/{INCIDENT}/..%2F..%2Fsecret.json",
        f"{root}/{FRONT_ID}/{INCIDENT}/%2e%2e%2f%2e%2e%2fsecret.json",
        f"{root}/{FRONT_ID}/.../manifest.json",
    ]
    # ... and these reach ours, which refuses them before looking at any file.
    ours = [
        f"{root}/{FRONT_ID}/a..b/manifest.json",
        f"{root}/{FRONT_ID}/{INCIDENT}/.cam1-plus5.jpg.tmp",
        f"{root}/{FRONT_ID}/{INCIDENT}/cam1-press.jpg%00.json",
        f"{root}/{FRONT_ID}/{INCIDENT}/cam1-press.jpg%2Fx.jpg",
        f"{root}/{FRONT_ID}/{INCIDENT}/notes.txt",
        f"{root}/.storage/auth/x.json",
        f"{root}/{FRONT_ID}/{INCIDENT}/cam1-press.jpg/more",
        f"{root}/{FRONT_ID}/{INCIDENT}",
    ]
    admin, _ = await token_of(hass, people["admin"])
    luis, _ = await token_of(hass, people["luis"])
    for paths, status in ((filtered, 400), (ours, 404)):
        for path in paths:
            for token in (admin, luis):
                response = await _get(hass_client, token, URL(path, encoded=True))
                assert response.status == status, path
    # Ana may see the bundle, but not what its manifest does not list (yet), nor absences.
    ana, _ = await token_of(hass, people["ana"])
    for name in ("cam2-clip.mp4", "cam9-press.jpg"):
        assert (await _get(hass_client, ana, f"{BUNDLE}/{name}")).status == 404
    absent = f"{root}/{FRONT_ID}/inc-nope/manifest.json"
    assert (await _get(hass_client, ana, absent)).status == 404


async def test_signed_paths_keep_their_users_check(
    hass: HomeAssistant,
    front: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    people: dict[str, MockUser],
) -> None:
    """A path signed for Ana opens; for Luis or for HA's content user it does not."""
    client = await hass_client_no_auth()
    expiry = timedelta(minutes=5)
    _, ana = await token_of(hass, people["ana"])
    _, luis = await token_of(hass, people["luis"])
    signed = async_sign_path(hass, STILL, expiry, refresh_token_id=ana)
    response = await client.get(signed)
    assert response.status == 200
    assert (
        hashlib.sha256(await response.read()).hexdigest()
        == hashlib.sha256(FILES["cam1-press.jpg"][1]).hexdigest()
    )
    for refused in (
        async_sign_path(hass, STILL, expiry, refresh_token_id=luis),
        async_sign_path(hass, STILL, expiry, use_content_user=True),
    ):
        assert (await client.get(refused)).status == 403
    # A signature is for one path: another file with it is a 401.
    assert (
        await client.get(signed.replace("cam1-press.jpg", "manifest.json"))
    ).status == 401


async def test_a_front_not_loaded_keeps_its_evidence_for_admins(
    hass: HomeAssistant,
    front: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    people: dict[str, MockUser],
) -> None:
    """Unloaded (or deleted), nobody is its coordinator any more: admins only."""
    assert await hass.config_entries.async_unload(front.entry_id)
    ana, _ = await token_of(hass, people["ana"])
    admin, _ = await token_of(hass, people["admin"])
    assert (await _get(hass_client, ana, STILL)).status == 403
    assert (await _get(hass_client, admin, STILL)).status == 200


async def test_a_frozen_router_leaves_the_front_running_without_the_view(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A test client freezes aiohttp's router (HA's own server never does): logged, no 200."""
    assert await async_setup_component(hass, "webhook", {})  # as mobile_app's tests do
    client = await hass_client_no_auth()
    entry = await members_front(hass)
    assert "The evidence view could not be registered" in caplog.text
    assert (await client.get(STILL)).status == 404
    await hass.config_entries.async_unload(entry.entry_id)
