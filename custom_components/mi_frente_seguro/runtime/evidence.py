"""Where evidence lives, who may see it, and the move out of HA's public media folder.

Bundles are kept in ``<config>/mi_frente_seguro/evidence/<front>/<incident>/``, outside every
``media_dirs`` folder (HA serves those to any logged-in user). They are reached only through
our media source (``media-source://mi_frente_seguro/<front>/<incident>/<file>``) and our
evidence view (``/api/mi_frente_seguro/evidence/<front>/<incident>/<file>``), and only by
administrators and the front's coordinators: :func:`async_may_see_evidence` asks the one
rule of ``people.async_can_manage`` for a real user, never for "no user". A front whose
entry is not loaded (deleted, or failing) keeps its evidence for administrators only.

Bundles of earlier versions sat in HA's local media (``<media>/mi_frente_seguro/``): each
front moves its own on start (:func:`async_move_old_evidence`, crash-safe and idempotent).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from homeassistant.auth.models import User
from homeassistant.components.http.const import KEY_HASS_USER
from homeassistant.components.websocket_api.connection import current_connection
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers.http import current_request

from ..const import DOMAIN, EVIDENCE_FOLDER, LOGGER, MEDIA_FOLDER
from ..frente.evidence import EvidencePath, move_bundles
from .people import async_can_manage

if TYPE_CHECKING:
    from .settings import FrontSettings

EVIDENCE_URL = f"/api/{DOMAIN}/evidence"
MEDIA_SOURCE_PREFIX = f"media-source://{DOMAIN}"


def evidence_base(hass: HomeAssistant) -> Path:
    """Return the private folder holding every front's bundles."""
    return Path(hass.config.path(DOMAIN, EVIDENCE_FOLDER))


def legacy_evidence_base(hass: HomeAssistant) -> Path:
    """Return where bundles were kept before: under HA's local media (public to users)."""
    media = hass.config.media_dirs.get("local") or hass.config.path("media")
    return Path(media) / MEDIA_FOLDER


def evidence_url(path: EvidencePath) -> str:
    """Return the evidence view's URL of one file (it needs a token or a signed path)."""
    return f"{EVIDENCE_URL}/{path.identifier}"


def media_source_id(path: EvidencePath) -> str:
    """Return the media-source URI of a front, an incident or a file of the evidence."""
    return f"{MEDIA_SOURCE_PREFIX}/{path.identifier}"


def evidence_is_public(hass: HomeAssistant) -> bool:
    """Return True if a ``media_dirs`` folder holds the evidence folder (HA shows it all)."""
    base = evidence_base(hass).resolve()
    return any(
        base.is_relative_to(Path(folder).resolve())
        for folder in hass.config.media_dirs.values()
    )


async def async_move_old_evidence(hass: HomeAssistant, front_id: str) -> None:
    """Move the front's bundles out of HA's local media; failures are logged, retried later."""
    old, new = legacy_evidence_base(hass), evidence_base(hass)

    def move() -> list[str]:
        if evidence_is_public(hass):
            LOGGER.warning(
                "The evidence folder %s is inside a media folder of Home Assistant: "
                "every user can browse it there. Remove it from media_dirs",
                new,
            )
        return move_bundles(old, new, front_id)

    try:
        moved = await hass.async_add_executor_job(move)
    except (OSError, ValueError) as err:
        LOGGER.error(
            "Cannot move the evidence of front %s out of the media folder (%s): "
            "it stays there until the next start",
            front_id,
            type(err).__name__,
        )
        return
    if moved:
        LOGGER.info(
            "Moved %s evidence bundles of front %s out of the media folder",
            len(moved),
            front_id,
        )


def front_settings(hass: HomeAssistant, front_id: str) -> FrontSettings | None:
    """Return the settings of the loaded front ``front_id``, if it is loaded."""
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        settings: FrontSettings = entry.runtime_data.settings
        if settings.front.front_id == front_id:
            return settings
    return None


def requesting_user(hass: HomeAssistant) -> User | None:
    """Return the HA user whose websocket message or HTTP request is being handled.

    Media sources are not given the user: the websocket connection (the frontend's media
    browser, a media player's browse) or the HTTP request is where HA keeps it. None when
    nobody asked (an automation, HA itself).
    """
    if (connection := current_connection.get()) is not None:
        return connection.user
    if (request := current_request.get()) is not None:
        user: User | None = request.get(KEY_HASS_USER)
        return user
    return None


async def async_may_see_evidence(
    hass: HomeAssistant, user: User | None, front_id: str
) -> bool:
    """Return True if ``user`` may see the front's evidence: an admin or its coordinator."""
    if user is None:
        return False  # "HA itself" manages a front, but shows evidence to nobody
    if (settings := front_settings(hass, front_id)) is None:
        return user.is_admin
    return await async_can_manage(hass, settings, Context(user_id=user.id))
