"""What the console's tests share: ports, a front that signs, its status webhook, logins."""

from __future__ import annotations

import asyncio
import base64
import copy
from dataclasses import dataclass
from datetime import UTC, datetime
import json
import re
import secrets
import socket
from typing import Any

import aiohttp
from aiohttp import web
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

INCIDENT_ID = "01JDR6Q7ZK3M8YV2C4T5N9B0AX"
FRONT_ID = "manga_calle_real"
CUADRANTE = "MECAR-E1-C3"


def free_port() -> int:
    """Return a TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def new_secret() -> str:
    """Return a fresh ``whsec_`` secret, as a front generates it."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


CREATED: dict[str, Any] = {
    "version": "2",
    "type": "incident.created",
    "id": "01JDR6Q7ZMB1H2J3K4N5P6Q7R8",
    "sent_at": "2026-11-26T20:00:00.290000-05:00",
    "incident_id": INCIDENT_ID,
    "front": {
        "id": FRONT_ID, "name": "Calle Real", "barrio": "Manga", "address": "Calle 25 # 20-30",
        "lat": 10.414, "lon": -75.5366, "radius_m": 150.0,
        "cuadrante": {"code": CUADRANTE, "name": "Cuadrante 3 Manga"},
        "coordinator": {"name": "Ana Pérez", "phone": "+573001234567"},
    },
    "kind": "panic",
    "source": "app",
    "exercise": False,
    "state": "triggered",
    "opened_at": "2026-11-26T20:00:00.250000-05:00",
    "transitions": [{"state": "triggered", "at": "2026-11-26T20:00:00.250000-05:00"}],
    "kind_changes": [],
    "presses": [
        {
            "at": "2026-11-26T20:00:00.250000-05:00", "kind": "panic", "source": "app",
            "sender": {"name": "Ana Pérez", "house": "12", "phone": "+573001234567",
                       "is_member": True, "device": None},
            "location": {"lat": 10.4142, "lon": -75.5361, "accuracy_m": 12.0, "age_s": 20,
                         "distance_m": 40.0, "outside_area": False},
            "note": "Hombre armado <script>alert(1)</script>",
        }
    ],
    "presses_total": 1,
    "evidence": [],
    "note": "Hombre armado <script>alert(1)</script>",
}  # fmt: skip


def alert(**changes: Any) -> dict[str, Any]:
    """Return a copy of the contract's ``incident.created`` example with ``changes``."""
    body = copy.deepcopy(CREATED)
    front = changes.pop("front_id", None)
    body.update(changes)
    if front is not None:
        body["front"]["id"] = front
    return body


def signed(
    body: dict[str, Any] | bytes, secret: str | list[str], *, msg_id: str | None = None,
    at: datetime | None = None,
) -> tuple[bytes, dict[str, str]]:  # fmt: skip
    """Return the body and headers a front sends, signed by ``standardwebhooks``."""
    data = (
        body
        if isinstance(body, bytes)
        else json.dumps(body, ensure_ascii=False).encode()
    )
    if msg_id is None:
        msg_id = body["id"] if isinstance(body, dict) else "msg_x"
    when = at or datetime.now(UTC)
    keys = [secret] if isinstance(secret, str) else secret
    signature = " ".join(Webhook(key).sign(msg_id, when, data.decode()) for key in keys)
    return data, {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": signature,
        "Content-Type": "application/json",
    }


@dataclass(frozen=True, slots=True)
class Received:
    """One status update as the front's webhook got it."""

    body: dict[str, Any]
    headers: dict[str, str]
    verified: bool


class FrontWebhook:
    """A front's status webhook on 127.0.0.1: verifies with standardwebhooks, answers as told."""

    def __init__(self, secret: str) -> None:
        """Verify with ``secret``; answer 200 unless ``plan`` says otherwise."""
        self.webhook = Webhook(secret)
        self.port = free_port()
        self.received: list[Received] = []
        self.plan: list[int] = []
        self.arrived = asyncio.Event()
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Return the webhook's URL."""
        return f"http://127.0.0.1:{self.port}/api/webhook/abc123"

    async def start(self) -> None:
        """Listen."""
        app = web.Application()
        app.router.add_post("/api/webhook/abc123", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        data = await request.read()
        try:
            self.webhook.verify(data, dict(request.headers), json_parse=False)
            verified = True
        except WebhookVerificationError:
            verified = False
        self.received.append(
            Received(json.loads(data), dict(request.headers), verified)
        )
        self.arrived.set()
        status = self.plan.pop(0) if self.plan else 200
        if not verified:
            status = 401
        return web.json_response(
            {"status": "stored" if status == 200 else "error"}, status=status
        )

    async def wait_for(self, count: int) -> list[Received]:
        """Wait (bounded) until ``count`` updates arrived; return them."""
        async with asyncio.timeout(30):
            while len(self.received) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.received


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """Return the CSRF token of the first form in ``html``."""
    match = _CSRF.search(html)
    assert match, html[:500]
    return match[1]


async def login(
    http: aiohttp.ClientSession, base: str, username: str, password: str
) -> int:
    """Log in through the form; return the status of the answer (after redirects)."""
    async with http.get(f"{base}/ingresar") as response:
        token = csrf_of(await response.text())
    async with http.post(
        f"{base}/ingresar",
        data={"csrf": token, "username": username, "password": password},
    ) as response:
        await response.read()
        return response.status


async def form_token(http: aiohttp.ClientSession, url: str) -> str:
    """Return the CSRF token of the page at ``url``."""
    async with http.get(url) as response:
        assert response.status == 200, response.status
        return csrf_of(await response.text())
