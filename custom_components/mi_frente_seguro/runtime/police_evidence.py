"""Evidence the police can open: uploads pushed to them, signed links they may pull.

- **Push.** :func:`build_uploads` gives every JSON or CAP destination an upload outbox
  (``frente/dispatch/uploads.py``) on the front's file: each still and clip is POSTed,
  signed, after the alert, durable and retried with the destination's retry.
- **Pull.** :class:`PoliceEvidence` signs, with HA's own signed paths
  (``async_sign_path``), an expiring link to each file on the front's external URL
  (``get_url``), for the refresh token of one HA system user (:data:`POLICE_EVIDENCE_USER`)
  that the evidence view lets through for signed paths only. The links go into the JSON
  messages as ``download_url`` / ``download_expires_at`` and become CAP's ``<uri>``. With
  no external URL the links are ``null`` and a repair issue says where to set one.
- **Inline.** Small stills (up to :data:`CAP_INLINE_MAX_BYTES`) are carried in CAP's
  ``<derefUri>`` of the message that brings them (read in the executor when they are
  attached; never on the event loop).
"""

from __future__ import annotations

import base64
from collections import OrderedDict
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from homeassistant.auth.models import User
from homeassistant.components.http.auth import async_sign_path
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util

from ..const import (
    CAP_INLINE_MAX_BYTES,
    DATA_POLICE_EVIDENCE,
    DOMAIN,
    EVIDENCE_LINK_HOURS,
    ISSUE_EVIDENCE_NO_URL,
    POLICE_EVIDENCE_USER,
)
from ..frente.committer import Committer
from ..frente.dispatch.attempt import OutboxFormat
from ..frente.dispatch.outbox import Outbox
from ..frente.dispatch.outcome import Outcome
from ..frente.dispatch.uploads import UPLOAD_SUFFIX, EvidenceUploadTransport
from ..frente.dispatch.webhook import WebhookTransport
from ..frente.evidence import EvidencePath
from ..frente.front import Front
from ..police_url import external_base
from ..repairs import async_clear_issue, async_raise_issue
from .evidence import evidence_base, evidence_url
from .police_settings import PoliceSettings

MEDIA_PREFIX = f"media-source://{DOMAIN}/"
INLINE_KEPT = (
    32  # stills kept for <derefUri> until the messages that bring them are made
)


def build_uploads(
    hass: HomeAssistant, committer: Committer, settings: PoliceSettings
) -> list[Outbox]:
    """Return an upload outbox for every JSON or CAP destination with URL and secret."""
    uploads: list[Outbox] = []
    for destination in settings.destinations:
        if destination.message_format is None or not destination.url:
            continue
        if not destination.secrets:
            continue
        transport = EvidenceUploadTransport(
            async_get_clientsession(hass),
            destination.url,
            destination.secrets,
            evidence_base(hass),
            hass.async_add_executor_job,
            clock=dt_util.now,
        )
        uploads.append(
            Outbox(
                committer,
                transport=transport,
                destination=destination.destination_id + UPLOAD_SUFFIX,
                name=destination.name,
                clock=dt_util.now,
            )
        )
    return uploads


async def async_police_token(hass: HomeAssistant) -> str:
    """Return the refresh token id of the police evidence user (made once, then kept)."""
    if (token_id := hass.data.get(DATA_POLICE_EVIDENCE)) is not None:
        return str(token_id)
    user = next(
        (
            user
            for user in await hass.auth.async_get_users()
            if user.system_generated and user.name == POLICE_EVIDENCE_USER
        ),
        None,
    )
    if user is None:
        user = await hass.auth.async_create_system_user(POLICE_EVIDENCE_USER)
    token = next(iter(user.refresh_tokens.values()), None)
    if token is None:
        token = await hass.auth.async_create_refresh_token(user)
    hass.data[DATA_POLICE_EVIDENCE] = token.id
    return token.id


def is_police_link(
    hass: HomeAssistant, user: User, refresh_token_id: str | None
) -> bool:
    """Return True for a request signed for the police evidence user (links only)."""
    token_id = hass.data.get(DATA_POLICE_EVIDENCE)
    return (
        token_id is not None
        and refresh_token_id == token_id
        and user.system_generated
        and user.name == POLICE_EVIDENCE_USER
    )


class PoliceEvidence:
    """The police's links to one front's evidence, and its stills for CAP."""

    def __init__(self, hass: HomeAssistant, front: Front, token_id: str) -> None:
        """Sign for the police user's refresh token ``token_id``."""
        self.hass = hass
        self.front = front
        self.token_id = token_id
        self.ttl = timedelta(hours=EVIDENCE_LINK_HOURS)
        self._inline: OrderedDict[str, str] = OrderedDict()

    def link(self, path: EvidencePath) -> tuple[str, str] | None:
        """Return an expiring signed URL to a file and when it expires (None: no URL)."""
        base = external_base(self.hass)
        issue = f"{ISSUE_EVIDENCE_NO_URL}_{self.front.front_id}"
        if base is None:
            async_raise_issue(self.hass, issue, ISSUE_EVIDENCE_NO_URL, self.front.name)
            return None
        async_clear_issue(self.hass, issue)
        expires = dt_util.now() + self.ttl
        signed = async_sign_path(
            self.hass, evidence_url(path), self.ttl, refresh_token_id=self.token_id
        )
        return base.rstrip("/") + signed, expires.isoformat(timespec="seconds")

    def remember_still(self, media: str, data: bytes) -> None:
        """Keep a small still for the CAP message that brings it (bounded)."""
        if len(data) > CAP_INLINE_MAX_BYTES:
            return
        self._inline[media] = base64.b64encode(data).decode("ascii")
        while len(self._inline) > INLINE_KEPT:
            self._inline.popitem(last=False)

    def decorate(self, message: Mapping[str, Any], *, cap: bool) -> Mapping[str, Any]:
        """Return ``message`` with links on its evidence (and CAP's inline stills).

        A message without evidence (every alarm's first one) is returned as it is: the
        alarm's path makes nothing more.
        """
        items = message.get("evidence")
        if not items:
            return message
        decorated = []
        for item in items:
            entry = dict(item)
            url = str(entry.get("url", ""))
            found = self.link(_path_of(url)) if url.startswith(MEDIA_PREFIX) else None
            entry["download_url"], entry["download_expires_at"] = found or (None, None)
            if cap and url in self._inline and entry.get("kind") == "snapshot":
                entry["deref_base64"] = self._inline.pop(url)
            decorated.append(entry)
        return {**message, "evidence": decorated}


def _path_of(media: str) -> EvidencePath:
    return EvidencePath.parse(media.removeprefix(MEDIA_PREFIX))


class LinkedTransport:
    """A JSON or CAP destination's transport whose messages carry the evidence links."""

    def __init__(self, inner: WebhookTransport, evidence: PoliceEvidence) -> None:
        """Wrap ``inner``; links come from ``evidence``."""
        self.inner = inner
        self.evidence = evidence
        self.message_format = inner.message_format

    @property
    def endpoint(self) -> str:
        """Return where messages go, safe to log."""
        return self.inner.endpoint

    def render(self, message: Mapping[str, Any]) -> bytes | None:
        """Render the message with its evidence links (and CAP's inline stills)."""
        cap = self.message_format is OutboxFormat.CAP
        try:
            decorated = self.evidence.decorate(message, cap=cap)
        except ValueError:  # an evidence URL that is not ours: sent as it is
            decorated = message
        return self.inner.render(decorated)

    async def attempt(self, message_id: str, body: bytes) -> Outcome:
        """Make one attempt (the inner transport's)."""
        return await self.inner.attempt(message_id, body)


def link_outboxes(outboxes: tuple[Outbox, ...], evidence: PoliceEvidence) -> None:
    """Give the JSON and CAP outboxes the evidence links (before they render anything)."""
    for outbox in outboxes:
        if isinstance(outbox.transport, WebhookTransport):
            outbox.transport = LinkedTransport(outbox.transport, evidence)
