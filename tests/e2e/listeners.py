"""What reaches a user, heard from outside HA: their own websocket and their phone's pushes.

``UserSocket`` is a websocket opened with one user's access token, as the web UI or the
companion app opens it: commands are answered in turn, and every event message of every
subscription is kept with the moment it arrived. The phones' pushes are ``tests/push.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
import itertools
import json
from typing import Any, Self

import aiohttp


class CommandError(Exception):
    """A websocket command answered with an error (``code``: HA's error code)."""

    def __init__(self, command: str, error: dict[str, Any]) -> None:
        """Keep HA's error code and message."""
        super().__init__(f"{command}: {error}")
        self.code = str(error.get("code"))
        self.message = str(error.get("message"))


@dataclass(frozen=True, slots=True)
class Heard:
    """One event message: which subscription, when it arrived (loop time), its text."""

    subscription: int
    at: float
    event: Any

    @property
    def text(self) -> str:
        """Return the event as JSON text (to look for ids in it)."""
        return json.dumps(self.event, ensure_ascii=False)

    def mentions(self, needles: Iterable[str]) -> bool:
        """Return True if the event's text contains any of ``needles``."""
        return any(needle in self.text for needle in needles)


class UserSocket:
    """One user's own websocket: commands, and every subscription's events as they come."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        """Talk to HA at ``url`` with ``token`` (opened by :meth:`open`)."""
        self.session, self.url, self.token = session, url, token
        self.heard: list[Heard] = []
        self.names: dict[int, str] = {}  # subscription id -> what was subscribed to
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None

    async def open(self) -> Self:
        """Connect and authenticate; start keeping what arrives."""
        self._ws = await self.session.ws_connect(f"{self.url}/api/websocket")
        await self._ws.receive_json()  # auth_required
        await self._ws.send_json({"type": "auth", "access_token": self.token})
        if (answer := await self._ws.receive_json())["type"] != "auth_ok":
            raise PermissionError(answer)
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self._ws is not None
        loop = asyncio.get_running_loop()
        async for message in self._ws:
            if message.type is not aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            if data.get("type") == "event":
                self.heard.append(Heard(data["id"], loop.time(), data["event"]))
            elif (waiter := self._waiting.pop(data.get("id"), None)) is not None:
                waiter.set_result(data)

    async def command(self, command: str, **fields: Any) -> Any:
        """Send one command; return its result or raise :class:`CommandError`."""
        return (await self._send(command, fields))[1]

    async def subscribe(self, command: str, **fields: Any) -> int:
        """Start a subscription (``subscribe_events``, ``logbook/event_stream``…)."""
        message_id, _ = await self._send(command, fields)
        self.names[message_id] = f"{command} {fields}".strip()
        return message_id

    async def _send(self, command: str, fields: dict[str, Any]) -> tuple[int, Any]:
        assert self._ws is not None
        message_id = next(self._ids)
        waiter = self._waiting[message_id] = asyncio.get_running_loop().create_future()
        await self._ws.send_json({"id": message_id, "type": command, **fields})
        async with asyncio.timeout(60):
            answer = await waiter
        if not answer["success"]:
            raise CommandError(command, answer["error"])
        return message_id, answer["result"]

    def since(self, moment: float) -> list[Heard]:
        """Return the event messages that arrived after ``moment`` (loop time)."""
        return [item for item in self.heard if item.at > moment]

    async def quiet(
        self, needles: Iterable[str], seconds: float = 2.0, timeout: float = 90
    ) -> float:
        """Wait until nothing mentioning ``needles`` arrived for ``seconds``; return now."""
        loop, words = asyncio.get_running_loop(), list(needles)
        async with asyncio.timeout(timeout):
            while True:
                last = max(
                    (item.at for item in self.heard if item.mentions(words)), default=0
                )
                if loop.time() - last >= seconds:
                    return loop.time()
                await asyncio.sleep(0.2)

    async def close(self) -> None:
        """Close the websocket."""
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await self._reader
