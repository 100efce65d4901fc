"""The benchmarks' police receiver: a real HTTP server on 127.0.0.1, in a thread of its own.

It plays the police endpoint for every benchmarked front (``POST /alerts/<front_id>``,
Standard Webhooks signatures checked with the independent ``standardwebhooks`` package
against that front's secret) and the hand-built chain's endpoint (``POST
/handbuilt/<front_id>``, unsigned, as ``rest_command`` sends it). Each request is stamped
with ``time.perf_counter()`` (one clock for every thread of the machine) once it is read
and, for alerts, verified: that instant is "the police have the alarm".

It runs on its own event loop in its own thread, so the benchmark's publisher never delays
a receipt. It can go down (connections refused, as a dead endpoint) and come back up on the
same port.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
import json
import time
from typing import Any

from aiohttp import web
from standardwebhooks import Webhook, WebhookVerificationError

from scripts.harness.loop_thread import LoopThread
from scripts.harness.process import free_port


@dataclass(frozen=True, slots=True)
class Arrival:
    """One request the receiver accepted (or refused, ``valid`` false)."""

    at: float  # time.perf_counter() when read (and verified)
    chain: str  # "alerts" (ours) or "handbuilt"
    front: str
    valid: bool
    message_id: str | None = None  # webhook-id (ours)
    message_type: str | None = None
    incident_id: str | None = None
    presses: int = 0  # presses listed in the message
    presses_total: int = 0  # presses the incident has (a message lists up to 50)
    size: int = 0  # bytes of the body
    seq: int | None = None  # the hand-built chain's press number


class PoliceReceiver:
    """A threaded aiohttp server that records every arrival and tells a listener."""

    def __init__(self) -> None:
        """Prepare; set ``on_arrival`` to hear of every request (in the receiver's thread)."""
        self.on_arrival: Callable[[Arrival], None] = lambda arrival: None
        self.port = free_port()
        self.arrivals: list[Arrival] = []
        self._verifiers: dict[str, Webhook] = {}
        self._thread: LoopThread | None = None
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Return the receiver's base address."""
        return f"http://127.0.0.1:{self.port}"

    def add_front(self, front_id: str, secret: str) -> None:
        """Accept signed alerts for ``front_id`` (``whsec_`` secret)."""
        self._verifiers[front_id] = Webhook(secret)

    def start(self) -> None:
        """Start the thread and listen."""
        self._thread = LoopThread("police-receiver")
        self._call(self._start())

    def down(self) -> None:
        """Stop listening and drop open connections: all refused until :meth:`up`."""
        self._call(self._stop())

    def up(self) -> None:
        """Listen again on the same port."""
        self._call(self._start())

    def stop(self) -> None:
        """Stop listening and end the thread."""
        if self._thread is None:
            return
        try:
            self._call(self._stop())
        finally:
            self._thread.close()
            self._thread = None

    def _call(self, coro: Coroutine[Any, Any, None]) -> None:
        assert self._thread is not None
        self._thread.run(coro, timeout=30)

    async def _start(self) -> None:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_post("/alerts/{front}", self._alert)
        app.router.add_post("/handbuilt/{front}", self._handbuilt)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
        await site.start()

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()  # closes the keep-alive connections too
            self._runner = None

    def _record(self, arrival: Arrival) -> None:
        self.arrivals.append(arrival)
        self.on_arrival(arrival)

    async def _alert(self, request: web.Request) -> web.Response:
        front = request.match_info["front"]
        body = await request.read()
        verifier = self._verifiers.get(front)
        try:
            if verifier is not None:
                verifier.verify(body, dict(request.headers))
        except WebhookVerificationError:
            verifier = None
        if verifier is None:
            self._record(Arrival(time.perf_counter(), "alerts", front, valid=False))
            return web.json_response({"error": "bad_signature"}, status=401)
        at = time.perf_counter()
        message = json.loads(body)
        self._record(
            Arrival(
                at,
                "alerts",
                front,
                valid=True,
                message_id=request.headers.get("webhook-id"),
                message_type=message.get("type"),
                incident_id=message.get("incident_id"),
                presses=len(message.get("presses") or ()),
                presses_total=int(
                    message.get("presses_total") or len(message.get("presses") or ())
                ),
                size=len(body),
            )
        )
        return web.json_response({"status": "received"})

    async def _handbuilt(self, request: web.Request) -> web.Response:
        body = await request.read()
        at = time.perf_counter()
        try:
            seq = int(json.loads(body)["seq"])
        except ValueError, KeyError, TypeError:
            self._record(
                Arrival(at, "handbuilt", request.match_info["front"], valid=False)
            )
            return web.json_response({"error": "bad_body"}, status=400)
        self._record(
            Arrival(at, "handbuilt", request.match_info["front"], valid=True, seq=seq)
        )
        return web.json_response({"status": "received"})
