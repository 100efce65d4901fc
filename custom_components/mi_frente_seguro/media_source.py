"""The fronts' evidence as a media source: fronts, then incidents, then their files.

``media-source://mi_frente_seguro/<front>/<incident>/<file>`` (the URI the police messages
carry). Browsing shows each user only the fronts whose evidence they may see (administrators:
every front; a coordinator: their fronts; anybody else: nothing), and refuses the rest with a
translated error. An incident holds its stills, clips and ``manifest.json`` (every file's
SHA-256). Resolving gives the evidence view's URL (``views.py``), which HA signs for the user
who asked (valid for seconds); the view checks that user again, so a path signed for anyone
else (a resident, HA's content user) opens nothing.

HA does not hand a media source the user: it is read from the websocket connection or HTTP
request being served (``runtime.evidence.requesting_user``); without one nothing is shown.
"""

from __future__ import annotations

from typing import override

from homeassistant.auth.models import User
from homeassistant.components.media_player.const import MediaClass
from homeassistant.components.media_player.errors import BrowseError
from homeassistant.components.media_source import (
    BrowseMediaSource,
    MediaSource,
    MediaSourceItem,
    PlayMedia,
    Unresolvable,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .errors import translated
from .frente.evidence import catalog
from .frente.evidence.catalog import EvidencePath
from .frente.evidence.manifest import MANIFEST_NAME, Manifest
from .runtime.evidence import (
    async_may_see_evidence,
    evidence_base,
    evidence_url,
    front_settings,
    requesting_user,
)

NAME = "Mi Frente Seguro"
CLASSES = {"image": MediaClass.IMAGE, "video": MediaClass.VIDEO}


async def async_get_media_source(hass: HomeAssistant) -> MediaSource:
    """Return the fronts' evidence source."""
    return EvidenceMediaSource(hass)


class EvidenceMediaSource(MediaSource):
    """Browse and resolve evidence bundles for the users allowed to see them."""

    name = NAME

    def __init__(self, hass: HomeAssistant) -> None:
        """Keep ``hass`` (the settings of loaded fronts say who coordinates them)."""
        super().__init__(DOMAIN)
        self.hass = hass

    @override
    async def async_resolve_media(self, item: MediaSourceItem) -> PlayMedia:
        """Return the evidence view's URL of one file the user may see."""
        path = await self._allowed(item, Unresolvable)
        if path.file is None:
            raise _not_found(Unresolvable, path)
        try:
            file = await self.hass.async_add_executor_job(
                catalog.bundle_file, evidence_base(self.hass), path
            )
        except (FileNotFoundError, NotADirectoryError) as err:
            raise _not_found(Unresolvable, path) from err
        return PlayMedia(
            evidence_url(path), str(catalog.mime_type(path.file)), path=file
        )

    @override
    async def async_browse_media(self, item: MediaSourceItem) -> BrowseMediaSource:
        """Return the fronts, a front's incidents or an incident's files."""
        path = await self._allowed(item, BrowseError)
        if path.front_id is None:
            return await self._root(requesting_user(self.hass))
        if path.incident_id is None:
            return await self._front(path.front_id)
        if path.file is None:
            return await self._bundle(path)
        raise _not_found(BrowseError, path)

    async def _allowed[E: HomeAssistantError](
        self, item: MediaSourceItem, error: type[E]
    ) -> EvidencePath:
        """Parse the item's path and check the user may see its front."""
        try:
            path = EvidencePath.parse(item.identifier)
        except ValueError as err:
            raise _not_found(error, EvidencePath()) from err
        user = requesting_user(self.hass)
        if path.front_id is not None and not await async_may_see_evidence(
            self.hass, user, path.front_id
        ):
            raise translated(error, "evidence_not_allowed", front=path.front_id)
        return path

    async def _root(self, user: User | None) -> BrowseMediaSource:
        base = evidence_base(self.hass)
        on_disk = await self.hass.async_add_executor_job(catalog.list_fronts, base)
        loaded = {
            entry.runtime_data.settings.front.front_id
            for entry in self.hass.config_entries.async_loaded_entries(DOMAIN)
        }
        root = _folder(EvidencePath(), NAME)
        root.children = [
            _folder(EvidencePath(front_id), self._front_title(front_id))
            for front_id in sorted(loaded | set(on_disk))
            if await async_may_see_evidence(self.hass, user, front_id)
        ]
        return root

    async def _front(self, front_id: str) -> BrowseMediaSource:
        manifests = await self.hass.async_add_executor_job(
            catalog.list_bundles, evidence_base(self.hass), front_id
        )
        node = _folder(EvidencePath(front_id), self._front_title(front_id))
        node.children = [
            _folder(EvidencePath(front_id, manifest.incident_id), _title(manifest))
            for manifest in manifests
        ]
        return node

    async def _bundle(self, path: EvidencePath) -> BrowseMediaSource:
        assert path.front_id is not None and path.incident_id is not None
        try:
            manifest = await self.hass.async_add_executor_job(
                catalog.read_bundle,
                evidence_base(self.hass),
                path.front_id,
                path.incident_id,
            )
        except (FileNotFoundError, NotADirectoryError) as err:
            raise _not_found(BrowseError, path) from err
        node = _folder(path, _title(manifest))
        files = [MANIFEST_NAME, *(item.file for item in manifest.files)]
        node.children = [
            _file(EvidencePath(path.front_id, path.incident_id, name)) for name in files
        ]
        return node

    def _front_title(self, front_id: str) -> str:
        settings = front_settings(self.hass, front_id)
        return settings.front.name if settings is not None else front_id


def _title(manifest: Manifest) -> str:
    """Return an incident's title: its press in local time, then its id."""
    pressed = dt_util.as_local(manifest.pressed_at).strftime("%Y-%m-%d %H:%M:%S")
    return f"{pressed} · {manifest.incident_id}"


def _folder(path: EvidencePath, title: str) -> BrowseMediaSource:
    return BrowseMediaSource(
        domain=DOMAIN,
        identifier=path.identifier,
        media_class=MediaClass.DIRECTORY,
        media_content_type="",
        title=title,
        can_play=False,
        can_expand=True,
        children_media_class=MediaClass.DIRECTORY,
    )


def _file(path: EvidencePath) -> BrowseMediaSource:
    assert path.file is not None
    kind = str(catalog.mime_type(path.file))
    media_class = CLASSES.get(kind.split("/", maxsplit=1)[0], MediaClass.URL)
    return BrowseMediaSource(
        domain=DOMAIN,
        identifier=path.identifier,
        media_class=media_class,
        media_content_type=kind,
        title=path.file,
        can_play=True,
        can_expand=False,
        # The frontend fetches relative thumbnails with the user's own token.
        thumbnail=evidence_url(path) if media_class is MediaClass.IMAGE else None,
    )


def _not_found[E: HomeAssistantError](error: type[E], path: EvidencePath) -> E:
    return translated(error, "evidence_not_found", path=path.identifier)
