"""The evidence media source: each user browses only the fronts whose evidence they may see.

Driven over HA's websocket API as the media browser does, logged in as each user.
"""

from __future__ import annotations

import hashlib
from typing import Any

from aiohttp.test_utils import make_mocked_request
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    MockHAClientWebSocket,
    WebSocketGenerator,
)

from custom_components.mi_frente_seguro.runtime.evidence import requesting_user
from homeassistant.components import media_source
from homeassistant.components.http.const import KEY_HASS_USER
from homeassistant.core import HomeAssistant
from homeassistant.helpers.http import current_request
from homeassistant.setup import async_setup_component

from .const import FRONT_ID
from .evidence import FILES, INCIDENT, front_with_a_bundle, new_base
from .test_evidence_access import STILL, token_of

ROOT = "media-source://mi_frente_seguro"
FRONT = f"{ROOT}/{FRONT_ID}"
BUNDLE = f"{FRONT}/{INCIDENT}"


@pytest.fixture
async def front(hass: HomeAssistant, people: dict[str, MockUser]) -> MockConfigEntry:
    """Set up media_source and Calle Real (Luis resident, Ana coordinator), a bundle."""
    assert await async_setup_component(hass, "media_source", {})
    return await front_with_a_bundle(hass)


async def ws_as(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, user: MockUser
) -> MockHAClientWebSocket:
    """Return a websocket logged in as ``user`` (with its own refresh token)."""
    token, _ = await token_of(hass, user)
    return await hass_ws_client(hass, token)


async def ask(client: MockHAClientWebSocket, kind: str, content_id: str) -> Any:
    """Send ``media_source/<kind>_media`` for ``content_id``; return the answer."""
    await client.send_json_auto_id(
        {"type": f"media_source/{kind}_media", "media_content_id": content_id}
    )
    return await client.receive_json()


@pytest.mark.usefixtures("front")
async def test_a_resident_sees_nothing_and_is_refused(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, people: dict[str, MockUser]
) -> None:
    """Luis's root is empty; the front, the bundle and a file are refused to him."""
    client = await ws_as(hass, hass_ws_client, people["luis"])
    answer = await ask(client, "browse", ROOT)
    assert answer["success"]
    assert answer["result"]["title"] == "Mi Frente Seguro"
    assert answer["result"]["children"] == []
    for content_id in (FRONT, BUNDLE):
        answer = await ask(client, "browse", content_id)
        assert answer["error"]["code"] == "browse_media_failed"
        assert "coordinators of front manga_calle_real" in answer["error"]["message"]
    answer = await ask(client, "resolve", f"{BUNDLE}/cam1-press.jpg")
    assert answer["error"]["code"] == "resolve_media_failed"


@pytest.mark.usefixtures("front")
async def test_coordinator_and_admin_browse_fronts_incidents_files(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, may_see_evidence: MockUser
) -> None:
    """Fronts by name, then incidents by their press, then the manifest and the files."""
    client = await ws_as(hass, hass_ws_client, may_see_evidence)
    root = (await ask(client, "browse", ROOT))["result"]
    assert [(c["title"], c["media_content_id"]) for c in root["children"]] == [
        ("Calle Real", FRONT)
    ]
    front = (await ask(client, "browse", FRONT))["result"]
    assert [c["media_content_id"] for c in front["children"]] == [BUNDLE]
    assert front["children"][0]["title"].endswith(f" · {INCIDENT}")
    assert front["children"][0]["can_expand"]
    bundle = (await ask(client, "browse", BUNDLE))["result"]
    files = {c["title"]: c for c in bundle["children"]}
    assert list(files) == ["manifest.json", *FILES]  # not the clip still recording
    assert files["cam1-press.jpg"]["media_class"] == "image"
    assert files["cam1-press.jpg"]["thumbnail"] == STILL
    assert files["cam1-clip.mp4"]["media_class"] == "video"
    assert files["manifest.json"]["media_content_type"] == "application/json"
    assert all(c["can_play"] and not c["can_expand"] for c in files.values())


@pytest.mark.usefixtures("front")
async def test_resolve_gives_the_user_a_signed_url_that_the_view_honours(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    people: dict[str, MockUser],
) -> None:
    """Ana's resolve: a URL signed for her, whose bytes have the manifest's SHA-256."""
    client = await ws_as(hass, hass_ws_client, people["ana"])
    answer = await ask(client, "resolve", f"{BUNDLE}/cam1-press.jpg")
    assert answer["result"]["mime_type"] == "image/jpeg"
    url = answer["result"]["url"]
    assert url.startswith(f"{STILL}?authSig=")
    response = await (await hass_client_no_auth()).get(url)
    assert response.status == 200
    manifest = (await ask(client, "resolve", f"{BUNDLE}/manifest.json"))["result"]
    body = await (await (await hass_client_no_auth()).get(manifest["url"])).json()
    digest = {item["file"]: item["sha256"] for item in body["files"]}
    assert hashlib.sha256(await response.read()).hexdigest() == digest["cam1-press.jpg"]


async def test_admins_also_see_fronts_that_are_not_loaded(
    hass: HomeAssistant,
    front: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    people: dict[str, MockUser],
) -> None:
    """A deleted front's folder stays for admins (by its id); its coordinator loses it."""
    (new_base(hass) / "otro_frente").mkdir()
    admin = await ws_as(hass, hass_ws_client, people["admin"])
    root = (await ask(admin, "browse", ROOT))["result"]
    assert [c["title"] for c in root["children"]] == ["Calle Real", "otro_frente"]
    assert (await ask(admin, "browse", f"{ROOT}/otro_frente"))["result"][
        "children"
    ] == []
    assert await hass.config_entries.async_unload(front.entry_id)
    root = (await ask(admin, "browse", ROOT))["result"]
    assert [c["title"] for c in root["children"]] == [FRONT_ID, "otro_frente"]
    ana = await ws_as(hass, hass_ws_client, people["ana"])
    assert (await ask(ana, "browse", ROOT))["result"]["children"] == []


@pytest.mark.usefixtures("front")
async def test_what_is_not_there_is_a_translated_error(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, people: dict[str, MockUser]
) -> None:
    """A file is not browsable; bad paths, absent bundles and unlisted files are errors."""
    client = await ws_as(hass, hass_ws_client, people["ana"])
    for content_id in (
        f"{BUNDLE}/cam1-press.jpg",
        f"{FRONT}/inc-nope",
        f"{FRONT}/{INCIDENT}/../x.jpg",
        f"{ROOT}/.storage",
    ):
        answer = await ask(client, "browse", content_id)
        assert answer["error"]["code"] == "browse_media_failed", content_id
    for content_id in (
        FRONT,
        BUNDLE,
        f"{BUNDLE}/cam2-clip.mp4",
        f"{FRONT}/inc-nope/manifest.json",
    ):
        answer = await ask(client, "resolve", content_id)
        assert answer["error"]["code"] == "resolve_media_failed", content_id
    answer = await ask(client, "browse", f"{FRONT}/inc-nope")
    assert (
        answer["error"]["message"] == f'There is no evidence at "{FRONT_ID}/inc-nope"'
    )


@pytest.mark.usefixtures("front")
async def test_without_a_user_nothing_is_shown(
    hass: HomeAssistant, people: dict[str, MockUser]
) -> None:
    """HA itself (an automation, no connection) browses an empty root and resolves nothing."""
    root = await media_source.async_browse_media(hass, ROOT)
    assert root.children == []
    with pytest.raises(media_source.Unresolvable):
        await media_source.async_resolve_media(hass, f"{BUNDLE}/cam1-press.jpg", None)
    # Over HTTP the user is the request's.
    request = make_mocked_request("GET", "/api/anything")
    request[KEY_HASS_USER] = people["ana"]
    token = current_request.set(request)
    try:
        assert requesting_user(hass) is people["ana"]
        root = await media_source.async_browse_media(hass, ROOT)
        assert [child.title for child in root.children or []] == ["Calle Real"]
    finally:
        current_request.reset(token)
