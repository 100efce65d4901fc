"""The police console's status updates to the front: signed, posted, the answer kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
import json
from typing import Final

import aiohttp
from aiohttp import web

from custom_components.mi_frente_seguro.frente.dispatch.signing import (
    WebhookSecret,
    signature_headers,
)

from .incidents import StatusUpdate

FRONT_TIMEOUT: Final = aiohttp.ClientTimeout(total=10, connect=3)


class FrontLink:
    """Post signed status updates to the front's status webhook."""

    def __init__(self, url: str | None, keys: list[WebhookSecret]) -> None:
        """Sign with ``keys`` (the first signs) and post to ``url`` (None: no front)."""
        self.url = url
        self.keys = keys
        self._session: aiohttp.ClientSession | None = None

    async def session_context(self, _app: web.Application) -> AsyncIterator[None]:
        """Hold one client session while the application runs (its cleanup context)."""
        self._session = aiohttp.ClientSession(timeout=FRONT_TIMEOUT)
        yield
        session, self._session = self._session, None
        await session.close()

    async def deliver(self, update: StatusUpdate) -> None:
        """Sign and post ``update``; record the front's answer (or the error) on it."""
        if not self.url:
            update.error = "sin webhook del frente configurado (--front-webhook)"
            return
        payload = json.dumps(update.body, ensure_ascii=False).encode()
        headers = signature_headers(
            update.webhook_id, int(update.sent_at.timestamp()), payload, self.keys
        )
        headers["Content-Type"] = "application/json"
        headers["User-Agent"] = "mi-frente-seguro-police-console/1"
        session = self._session or aiohttp.ClientSession(timeout=FRONT_TIMEOUT)
        try:
            async with session.post(
                self.url, data=payload, headers=headers, allow_redirects=False
            ) as response:
                update.http_status = response.status
                update.answer = (await response.text(errors="replace"))[:500]
        except (aiohttp.ClientError, TimeoutError) as err:
            update.error = f"{type(err).__name__}: {err}"[:300]
        finally:
            if session is not self._session:
                await session.close()
