"""The companion apps' push service, as a real HTTP server on 127.0.0.1.

What it receives is exactly what HA's mobile_app sends a phone's push URL (message, data,
critical-sound settings, actions); tests read the pushes addressed to one phone's token.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from scripts.harness.process import free_port

from .local_http import serve_post


class PushGateway:
    """The companion apps' push service, as an HTTP server on 127.0.0.1."""

    def __init__(self) -> None:
        """Start with nothing received (:meth:`start` listens)."""
        self.pushes: list[dict[str, Any]] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/push"
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen on 127.0.0.1."""
        self._runner = await serve_post(self.port, "/push", self._handle)

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        """Keep the push and answer like the real gateway."""
        self.pushes.append(await request.json())
        limits = {
            "attempts": 1,
            "successful": 1,
            "errors": 0,
            "total": 1,
            "maximum": 500,
            "remaining": 499,
            "resetsAt": "2026-11-27T00:00:00Z",
        }
        return web.json_response({"rateLimits": limits}, status=201)

    def to(self, push_token: str) -> list[dict[str, Any]]:
        """Return the pushes addressed to one phone."""
        return [push for push in self.pushes if push["push_token"] == push_token]
