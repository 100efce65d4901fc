"""The evidence view: a bundle's files over HTTP, for administrators and its coordinators.

``GET /api/mi_frente_seguro/evidence/<front>/<incident>/<file>`` answers

- 401 without a valid access token or signed path (HA's own check, ``requires_auth``);
- 404 for any path component that is not a plain file name (``EvidencePath``): hostile
  input is refused before anything else, and never reaches the file system;
- 403 to a user who is neither an administrator nor a coordinator of that front (the same
  answer whether or not the bundle exists, so nobody else learns which incidents have one);
- 404 for a file that is not the bundle's manifest nor listed in it;
- 200 with the file, its content type, ``Cache-Control: private, no-store``.

A path signed by HA (``async_sign_path``, as the media source's resolve does) carries the
refresh token of the user it was signed for, so the same user check applies to it. A
link signed for the police (``runtime/police_evidence.py``: the police evidence user's
token, only ever used to sign) opens the one file it names until it expires.
"""

from __future__ import annotations

from aiohttp import hdrs, web

from homeassistant.auth.models import User
from homeassistant.components.http.const import KEY_HASS_REFRESH_TOKEN_ID, KEY_HASS_USER
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView

from .const import LOGGER
from .frente.evidence import EvidencePath, bundle_file, mime_type
from .runtime.evidence import EVIDENCE_URL, async_may_see_evidence, evidence_base
from .runtime.police_evidence import is_police_link


@callback
def async_register_views(hass: HomeAssistant) -> None:
    """Register the evidence view (at set-up, whether or not a front is loaded).

    HA keeps its router open for views registered after start; an aiohttp test client
    does not. Without the view nobody gets evidence (it fails closed), so that is logged.
    """
    try:
        hass.http.register_view(EvidenceView())
    except RuntimeError as err:
        LOGGER.warning("The evidence view could not be registered: %s", err)


class EvidenceView(HomeAssistantView):
    """Serve one file of an evidence bundle to those who may see it."""

    url = EVIDENCE_URL + "/{front_id}/{incident_id}/{file_name}"
    name = "api:mi_frente_seguro:evidence"
    requires_auth = True

    async def get(
        self, request: web.Request, front_id: str, incident_id: str, file_name: str
    ) -> web.StreamResponse:
        """Return the file, or 403/404 (401 is HA's, before this runs)."""
        hass = request.app[KEY_HASS]
        try:
            path = EvidencePath.of(front_id, incident_id, file_name)
        except ValueError:
            raise web.HTTPNotFound from None
        user: User = request[KEY_HASS_USER]
        police = is_police_link(hass, user, request.get(KEY_HASS_REFRESH_TOKEN_ID))
        if not police and not await async_may_see_evidence(hass, user, front_id):
            LOGGER.warning(
                "Refused evidence of front %s: not a coordinator of the front or an "
                "administrator",
                front_id,
            )
            raise web.HTTPForbidden
        try:
            file = await hass.async_add_executor_job(
                bundle_file, evidence_base(hass), path
            )
        except FileNotFoundError, NotADirectoryError:
            raise web.HTTPNotFound from None
        return web.FileResponse(
            file,
            headers={
                hdrs.CONTENT_TYPE: str(mime_type(file_name)),
                hdrs.CACHE_CONTROL: "private, no-store",
                hdrs.X_CONTENT_TYPE_OPTIONS: "nosniff",
            },
        )
