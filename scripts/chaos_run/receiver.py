"""The chaos run's police receiver: stores every signed alert once, and can hold a POST.

A real aiohttp server on 127.0.0.1, on the driver's event loop. It verifies each alert's
Standard Webhooks signature with the independent ``standardwebhooks`` package, dedupes by
``webhook-id`` (a repeat is answered 200 and counted as a duplicate, as docs/police-api.md
asks of receivers) and answers 2xx only once the message is stored: appended to a JSON-lines
journal, flushed and fsync'd, and kept in memory for the tally.

It can go down (connections refused) and come back up on the same port, and it can hold
the n-th POST after :meth:`ChaosReceiver.hold`: the request is read and verified, the driver
hears of it (``held`` resolves), kills ``hass``, and calls :meth:`ChaosReceiver.release`; the
held message is not stored (the front must send it again).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
import contextlib
from dataclasses import asdict, dataclass
import json
import os
from pathlib import Path
from typing import Any

from aiohttp import web
from standardwebhooks import Webhook, WebhookVerificationError

from scripts.harness.process import free_port


@dataclass(frozen=True, slots=True)
class Stored:
    """One police message the receiver stored (the first copy of its webhook-id)."""

    webhook_id: str
    message_type: str
    incident_id: str
    devices: tuple[str | None, ...]  # presses[i].sender.device, in order
    presses_total: int
    at: float  # the driver loop's time when stored


class ChaosReceiver:
    """The police endpoint of the chaos run's front."""

    def __init__(self, secret: str, journal: Path) -> None:
        """Verify with ``secret`` (``whsec_...``); append stored messages to ``journal``."""
        self.port = free_port()
        self.journal = journal
        self.messages: dict[str, Stored] = {}
        self.posts = 0  # every signed POST read, held and repeated ones included
        self.duplicates = 0  # POSTs of a webhook-id already stored
        self.refused = 0  # bad or missing signature
        self.held_posts = 0
        self.seen: set[str] = set()  # every press device id in the stored messages
        self.changed = asyncio.Event()  # set at every new message
        self._webhook = Webhook(secret)
        self._runner: web.AppRunner | None = None
        self._hold_in = 0  # hold the POST when this countdown reaches 0 (0: no hold)
        self._held: asyncio.Future[str] | None = None
        self._released = asyncio.Event()

    @property
    def url(self) -> str:
        """Return the alerts endpoint's address."""
        return f"http://127.0.0.1:{self.port}/alerts"

    @property
    def is_up(self) -> bool:
        """Return True while the receiver listens."""
        return self._runner is not None

    async def up(self) -> None:
        """Listen (again) on the receiver's port."""
        if self._runner is not None:
            return
        app = web.Application()
        app.router.add_post("/alerts", self._alert)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", self.port, reuse_address=True).start()
        self._runner = runner

    async def down(self) -> None:
        """Stop listening and drop open connections: refused until :meth:`up`."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    def hold(self, nth: int) -> asyncio.Future[str]:
        """Hold the ``nth`` signed POST from now; the future gives its webhook-id."""
        self._hold_in = nth
        self._released.clear()
        self._held = asyncio.get_running_loop().create_future()
        return self._held

    def release(self) -> None:
        """Let a held request end (unstored) and disarm any hold not reached yet."""
        self._hold_in = 0
        self._released.set()
        if self._held is not None and not self._held.done():
            self._held.cancel()
        self._held = None

    async def _alert(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            self._webhook.verify(body, dict(request.headers), json_parse=False)
        except WebhookVerificationError:
            self.refused += 1
            return web.json_response({"error": "bad_signature"}, status=401)
        webhook_id = request.headers["webhook-id"]
        self.posts += 1
        if self._hold_in:
            self._hold_in -= 1
            if not self._hold_in and self._held is not None:
                self.held_posts += 1
                self._held.set_result(webhook_id)
                await self._released.wait()  # the driver kills hass meanwhile
                return web.json_response({"error": "held"}, status=503)
        if webhook_id in self.messages:
            self.duplicates += 1
            return web.json_response({"status": "duplicate"})
        message = json.loads(body)
        stored = Stored(
            webhook_id,
            str(message["type"]),
            str(message["incident_id"]),
            tuple(press["sender"]["device"] for press in message["presses"]),
            int(message.get("presses_total", len(message["presses"]))),
            asyncio.get_running_loop().time(),
        )
        await asyncio.get_running_loop().run_in_executor(
            None, _append, self.journal, {**asdict(stored), "body": message}
        )
        self.messages[webhook_id] = stored
        self.seen.update(device for device in stored.devices if device is not None)
        self.changed.set()
        return web.json_response({"status": "received"})

    async def wait_for(self, presses: Iterable[str], timeout: float) -> bool:
        """Wait until the stored messages list every press in ``presses``."""
        wanted = set(presses)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while True:
                    self.changed.clear()
                    if wanted <= self.seen:
                        return True
                    await self.changed.wait()
        return False


def _append(path: Path, record: dict[str, Any]) -> None:
    """Append one JSON line and make it durable before the 2xx."""
    with path.open("a", encoding="utf-8") as journal:
        journal.write(json.dumps(record, ensure_ascii=False) + "\n")
        journal.flush()
        os.fsync(journal.fileno())
