"""A real police receiver for the tests: aiohttp.web on a free 127.0.0.1 port.

It verifies every request with the ``standardwebhooks`` reference library and answers as it
is told, one planned answer per request (then 200):
``"500"``, ``"429:<s>"`` (Retry-After seconds), ``"429-date:<s>"`` (Retry-After as an HTTP
date), ``"410"``, or ``"hang"`` (never answers before the client gives up). ``stop()`` takes
it down (connections refused) and ``start()`` brings it back on the same port. ``receiving``
runs one for a block (a fixture's life).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from aiohttp import web
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from scripts.harness.process import free_port
from tests.local_http import serve_post


@dataclass(frozen=True, slots=True)
class Received:
    """One request as the receiver saw it."""

    webhook_id: str
    timestamp: str
    signature: str
    content_type: str
    body: bytes
    verified: bool
    answer: str


class Receiver:
    """Records requests, verifies signatures, answers as planned."""

    def __init__(self, secrets: list[str]) -> None:
        """Accept signatures made with any of ``secrets`` (whsec_ texts)."""
        self.port = free_port()  # kept across stop() and start()
        self.url = f"http://127.0.0.1:{self.port}/alerts"  # the endpoint
        self.webhooks = [Webhook(secret) for secret in secrets]
        self.plan: deque[str] = deque()
        self.requests: list[Received] = []
        self.accepted: list[str] = []  # webhook ids answered 2xx, in order
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen (again) on the receiver's port."""
        self._runner = await serve_post(
            self.port,
            "/alerts",
            self._handle,
            "/alerts/evidence",  # evidence uploads
            shutdown_timeout=0.5,
        )

    async def stop(self) -> None:
        """Stop listening: new connections are refused."""
        self._release.set()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
        self._release = asyncio.Event()

    def accepted_once(self) -> list[str]:
        """Return the accepted ids deduplicated, in order of first acceptance."""
        return list(dict.fromkeys(self.accepted))

    def _verified(self, body: bytes, headers: dict[str, str]) -> bool:
        for webhook in self.webhooks:
            try:
                webhook.verify(body, headers, json_parse=False)
            except WebhookVerificationError:
                continue
            return True
        return False

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = dict(request.headers)
        answer = self.plan.popleft() if self.plan else "200"
        self.requests.append(
            Received(
                webhook_id=headers.get("webhook-id", ""),
                timestamp=headers.get("webhook-timestamp", ""),
                signature=headers.get("webhook-signature", ""),
                content_type=request.content_type,
                body=body,
                verified=self._verified(body, headers),
                answer=answer,
            )
        )
        return await self._answer(answer, headers.get("webhook-id", ""))

    async def _answer(self, answer: str, webhook_id: str) -> web.Response:
        code, _, arg = answer.partition(":")
        if code == "hang":
            await self._release.wait()
            return web.Response(status=503)
        if code == "429":
            return web.Response(status=429, headers={"Retry-After": arg})
        if code == "429-date":
            when = datetime.now(UTC) + timedelta(seconds=int(arg))
            retry_at = format_datetime(when, usegmt=True)
            return web.Response(status=429, headers={"Retry-After": retry_at})
        if code != "200":
            return web.Response(status=int(code))
        self.accepted.append(webhook_id)
        return web.Response(status=200, text="ok")


@asynccontextmanager
async def receiving(
    secrets: list[str], *, listening: bool = True
) -> AsyncIterator[Receiver]:
    """Yield a receiver of ``secrets``, listening or (``listening=False``) down; stop it after."""
    server = Receiver(secrets)
    if listening:
        await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def wait_until(predicate: Callable[[], bool], timeout: float = 20) -> None:
    """Wait until ``predicate()`` holds; fail (TimeoutError) after ``timeout`` seconds."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.005)


class FakeSleep:
    """Records the waits asked for, and waits (almost) nothing: an hour never ends."""

    FOREVER = 3600.0  # a wait this long blocks until it is cancelled

    def __init__(self) -> None:
        """Start with no waits."""
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        """Record ``seconds`` and yield briefly to the loop (or block, for an hour)."""
        self.delays.append(seconds)
        if seconds >= self.FOREVER:
            await asyncio.Event().wait()
        await asyncio.sleep(0.001)
