"""The reference police console (scripts/console/) on real sockets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
import copy
import hashlib
import json
from pathlib import Path
import sys
import time
from typing import Any

import aiohttp
from aiohttp import web
import pytest
from standardwebhooks import Webhook

from custom_components.mi_frente_seguro.frente.dispatch.cap import to_cap
from custom_components.mi_frente_seguro.frente.dispatch.inbound import parse_status_body
from custom_components.mi_frente_seguro.frente.dispatch.signing import (
    WebhookSecret,
    generate_secret,
    signature_headers,
)
from scripts.console.app import CONSOLE_KEY, PoliceConsole, create_app
from scripts.harness.process import free_port

from .local_http import serve_post

INCIDENT_ID = "01JDR6Q7ZK3M8YV2C4T5N9B0AX"
CREATED: dict[str, Any] = {
    "version": "1",
    "type": "incident.created",
    "id": "01JDR6Q7ZMB1H2J3K4N5P6Q7R8",
    "sent_at": "2026-11-26T20:00:00.290000-05:00",
    "incident_id": INCIDENT_ID,
    "front": {
        "id": "manga_calle_real",
        "name": "Calle Real",
        "barrio": "Manga",
        "address": "Calle 25 # 20-30",
        "lat": 10.414,
        "lon": -75.5366,
        "radius_m": 150.0,
        "cuadrante": {"code": "MECAR-E1-C3", "name": "Cuadrante 3 Manga"},
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
            "at": "2026-11-26T20:00:00.250000-05:00",
            "kind": "panic",
            "source": "app",
            "sender": {
                "name": "Ana Pérez",
                "house": "12",
                "phone": "+573001234567",
                "is_member": True,
                "device": None,
            },
            "location": {
                "lat": 10.4142,
                "lon": -75.5361,
                "accuracy_m": 12.0,
                "age_s": 20,
                "distance_m": 40.0,
                "outside_area": False,
            },
            "note": "Hombre armado <script>",
        }
    ],
    "evidence": [],
    "note": "Hombre armado <script>",
}


def message(**changes: Any) -> dict[str, Any]:
    """Return a copy of the incident.created example with ``changes`` applied."""
    result = copy.deepcopy(CREATED)
    result.update(changes)
    return result


def signed(
    body: dict[str, Any] | bytes, secret: str, timestamp: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """Return the body and headers of an alert signed with ``secret``."""
    if isinstance(body, dict):
        data = json.dumps(body, ensure_ascii=False).encode()
        msg_id = body["id"]
        content_type = "application/json"
    else:
        data = body
        msg_id = body.split(b"<identifier>")[1].split(b"<")[0].decode()
        content_type = "application/cap+xml"
    headers = signature_headers(
        msg_id,
        int(time.time()) if timestamp is None else timestamp,
        data,
        [WebhookSecret.parse(secret)],
    )
    headers["Content-Type"] = content_type
    return data, headers


class FakeFront:
    """The front's status webhook: records what the console sends, answers 200."""

    def __init__(self) -> None:
        """Pick a port; nothing received yet."""
        self.port = free_port()
        self.requests: list[tuple[bytes, dict[str, str]]] = []
        self.runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Return the webhook URL."""
        return f"http://127.0.0.1:{self.port}/api/webhook/abc123"

    async def start(self) -> None:
        """Listen on 127.0.0.1."""
        self.runner = await serve_post(self.port, "/api/webhook/abc123", self._handle)

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests.append((await request.read(), dict(request.headers)))
        return web.json_response({"status": "stored"})


@pytest.fixture
def secret() -> str:
    """Return a fresh whsec_ secret."""
    return generate_secret()


@pytest.fixture
async def front(socket_enabled: None) -> AsyncGenerator[FakeFront]:
    """Run a fake front webhook."""
    fake = FakeFront()
    await fake.start()
    yield fake
    assert fake.runner is not None
    await fake.runner.cleanup()


@pytest.fixture
async def console(
    socket_enabled: None, secret: str, front: FakeFront
) -> AsyncGenerator[PoliceConsole]:
    """Run the console on a free port, pointed at the fake front."""
    police = PoliceConsole([secret], front.url)
    await police.start()
    yield police
    await police.stop()


@pytest.fixture
async def http() -> AsyncGenerator[aiohttp.ClientSession]:
    """Return a client session."""
    async with aiohttp.ClientSession() as session:
        yield session


async def post_alert(
    http: aiohttp.ClientSession,
    console: PoliceConsole,
    data: bytes,
    headers: dict[str, str],
) -> tuple[int, dict[str, Any]]:
    """POST an alert; return the status and JSON answer."""
    async with http.post(console.alerts_url, data=data, headers=headers) as response:
        return response.status, await response.json()


async def incidents(
    http: aiohttp.ClientSession, console: PoliceConsole
) -> dict[str, Any]:
    """GET /api/incidents."""
    async with http.get(f"{console.url}/api/incidents") as response:
        assert response.status == 200
        result: dict[str, Any] = await response.json()
        return result


async def test_signed_alert_is_listed(
    console: PoliceConsole, http: aiohttp.ClientSession, secret: str
) -> None:
    """A correctly signed incident.created becomes an incident with its details."""
    status, answer = await post_alert(http, console, *signed(message(), secret))
    assert (status, answer) == (200, {"status": "stored", "incident_id": INCIDENT_ID})
    data = await incidents(http, console)
    assert data["rejected"] == []
    [incident] = data["incidents"]
    assert incident["incident_id"] == INCIDENT_ID
    assert incident["front"]["name"] == "Calle Real"
    assert incident["front"]["barrio"] == "Manga"
    assert incident["front"]["cuadrante"] == "MECAR-E1-C3 Cuadrante 3 Manga"
    assert (incident["kind_label"], incident["state_label"]) == ("pánico", "activada")
    [sender] = incident["senders"]
    assert (sender["name"], sender["house"], sender["phone"]) == (
        "Ana Pérez",
        "12",
        "+573001234567",
    )
    assert sender["location"]["map_url"].startswith(
        "https://www.openstreetmap.org/?mlat=10.414200&mlon=-75.536100"
    )
    assert incident["latest_status"] is None


async def test_forged_unsigned_and_stale_are_rejected(
    console: PoliceConsole, http: aiohttp.ClientSession, secret: str
) -> None:
    """Wrong secret, no signature or an old timestamp: 401, listed as rejected only."""
    forged = signed(message(), generate_secret())
    assert (await post_alert(http, console, *forged))[0] == 401
    data, headers = signed(message(), secret)
    del headers["webhook-signature"]
    assert (await post_alert(http, console, data, headers))[0] == 401
    stale = signed(message(), secret, timestamp=int(time.time()) - 600)
    assert (await post_alert(http, console, *stale))[0] == 401
    tampered_data, tampered_headers = signed(message(), secret)
    tampered_data = tampered_data.replace(b"Calle Real", b"Calle Falsa")
    assert (await post_alert(http, console, tampered_data, tampered_headers))[0] == 401
    result = await incidents(http, console)
    assert result["incidents"] == []
    assert [item["reason"] for item in result["rejected"]] == [
        "forged",
        "stale",
        "unsigned",
        "forged",
    ]
    assert result["rejected"][0]["webhook_id"] == CREATED["id"]
    async with http.get(console.url) as response:
        page = await response.text()
    assert "Rechazados" in page and "firma falsa" in page
    assert "Calle Falsa" not in page


async def test_signed_but_malformed_is_400(
    console: PoliceConsole, http: aiohttp.ClientSession, secret: str
) -> None:
    """A signed body whose id is not its webhook-id is refused (400) and listed."""
    data, headers = signed(message(), secret)
    headers = signature_headers(
        "other", int(time.time()), data, [WebhookSecret.parse(secret)]
    )
    assert (await post_alert(http, console, data, headers))[0] == 400
    result = await incidents(http, console)
    assert result["incidents"] == []
    assert result["rejected"][0]["reason"] == "malformed"


async def test_retry_is_not_duplicated_and_updates_merge(
    console: PoliceConsole, http: aiohttp.ClientSession, secret: str
) -> None:
    """The same webhook-id twice is answered 200 once kept; an update joins the incident."""
    assert (await post_alert(http, console, *signed(message(), secret)))[0] == 200
    status, answer = await post_alert(http, console, *signed(message(), secret))
    assert (status, answer["status"]) == (200, "duplicate")
    evidence = {
        "camera": "camera.porton",
        "url": "https://evidence.example/snap.jpg",
        "sha256": "0" * 64,
        "sha1": None,
        "captured_at": "2026-11-26T20:00:05-05:00",
        "kind": "snapshot",
        "mime_type": "image/jpeg",
        "size_bytes": 1000,
    }
    update = message(
        type="incident.updated",
        id="01JDR6Q7ZMB1H2J3K4N5P6Q7R9",
        state="sent",
        changes=["evidence"],
        evidence=[evidence],
    )
    assert (await post_alert(http, console, *signed(update, secret)))[0] == 200
    [incident] = (await incidents(http, console))["incidents"]
    assert [m["type"] for m in incident["messages"]] == [
        "incident.created",
        "incident.updated",
    ]
    assert incident["state"] == "sent"
    assert incident["evidence"][0]["url"] == "https://evidence.example/snap.jpg"
    async with http.get(console.url) as response:
        page = await response.text()
    assert 'href="https://evidence.example/snap.jpg"' in page
    assert "<img" not in page  # links only: the console's page fetches nothing


async def test_previous_secret_is_accepted(
    socket_enabled: None, http: aiohttp.ClientSession, secret: str
) -> None:
    """During a rotation, alerts signed with the previous secret are accepted too."""
    previous = generate_secret()
    police = PoliceConsole([secret, previous], None)
    await police.start()
    try:
        assert (await post_alert(http, police, *signed(message(), previous)))[0] == 200
    finally:
        await police.stop()


async def test_dispatch_sends_a_signed_status_update(
    console: PoliceConsole, http: aiohttp.ClientSession, secret: str, front: FakeFront
) -> None:
    """Pressing Despachar signs an update the reference library verifies."""
    await post_alert(http, console, *signed(message(), secret))
    url = f"{console.url}/api/incidents/{INCIDENT_ID}/status"
    payload = {"status": "dispatched", "unit": "Patrulla 12", "eta_minutes": 6}
    async with http.post(url, json=payload) as response:
        assert response.status == 200
        answer = await response.json()
    assert answer["status_update"]["http_status"] == 200
    [(body, headers)] = front.requests
    verified = Webhook(secret).verify(body, headers)
    assert verified["version"] == "1"
    assert verified["incident_id"] == INCIDENT_ID
    assert verified["status"] == "dispatched"
    assert verified["unit"] == "Patrulla 12"
    assert verified["eta_minutes"] == 6
    assert headers["Content-Type"] == "application/json"
    parsed = parse_status_body(body)  # what the integration's webhook will read
    assert (parsed["unit"], parsed["eta_minutes"]) == ("Patrulla 12", 6)
    assert parsed["sent_at"] is not None and parsed["sent_at"].utcoffset() is not None
    [incident] = (await incidents(http, console))["incidents"]
    latest = incident["latest_status"]
    assert (latest["status"], latest["http_status"], latest["ok"]) == (
        "dispatched",
        200,
        True,
    )
    assert '"stored"' in latest["answer"]


async def test_status_form_and_errors(
    console: PoliceConsole, http: aiohttp.ClientSession, secret: str, front: FakeFront
) -> None:
    """The page's forms redirect back; bad input, unknown incidents and other origins fail."""
    await post_alert(http, console, *signed(message(), secret))
    url = f"{console.url}/api/incidents/{INCIDENT_ID}/status"
    form = {"status": "closed", "note": "Falsa alarma verificada"}
    async with http.post(url, data=form, allow_redirects=False) as response:
        assert response.status == 303
    body, headers = front.requests[-1]
    assert Webhook(secret).verify(body, headers)["note"] == "Falsa alarma verificada"
    async with http.post(url, json={"status": "lost"}) as response:
        assert response.status == 400
    async with http.post(
        url, json={"status": "dispatched", "eta_minutes": 999}
    ) as response:
        assert response.status == 400
    unknown = f"{console.url}/api/incidents/NOPE/status"
    async with http.post(unknown, json={"status": "received"}) as response:
        assert response.status == 404
    evil = {"Origin": "http://evil.example"}
    async with http.post(url, data={"status": "received"}, headers=evil) as response:
        assert response.status == 403
    assert len(front.requests) == 1


async def test_page_in_spanish(
    console: PoliceConsole, http: aiohttp.ClientSession, secret: str
) -> None:
    """GET / lists incidents newest first with Spanish labels, badges and map links."""
    drill = message(
        id="01JDR6Q7ZMB1H2J3K4N5P6Q7S1",
        incident_id="01JDR6Q7ZK3M8YV2C4T5N9B0AY",
        kind="drill",
        exercise=True,
    )
    drill["front"]["name"] = "Calle del Simulacro"
    await post_alert(http, console, *signed(message(), secret))
    await post_alert(http, console, *signed(drill, secret))
    async with http.get(console.url) as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        page = await response.text()
    for text in (
        "Calle Real",
        "Manga",
        "MECAR-E1-C3",
        "pánico",
        "simulacro",
        "EJERCICIO",
        "Ana Pérez",
        "+573001234567",
        "https://www.openstreetmap.org/?mlat=10.414200&amp;mlon=-75.536100",
        "Recibido",
        "Despachar",
        "En el sitio",
        "Cerrar",
        "Remitentes",
        "Último estado enviado",
        "/api/incidents?view=html",
    ):
        assert text in page, text
    assert page.index("Calle del Simulacro") < page.index("Calle Real")
    assert '<script>"' not in page and "Hombre armado &lt;script&gt;" in page
    async with http.get(f"{console.url}/api/incidents?view=html") as response:
        data = await response.json()
    assert "EJERCICIO" in data["html"]["incidents"]


async def test_cap_alert_is_kept_raw(
    console: PoliceConsole, http: aiohttp.ClientSession, secret: str
) -> None:
    """A signed CAP 1.2 alert is listed with its identifier and raw XML."""
    cap = to_cap(message(kind="silent"))
    status, _ = await post_alert(http, console, *signed(cap, secret))
    assert status == 200
    [incident] = (await incidents(http, console))["incidents"]
    assert incident["format"] == "cap"
    assert incident["cap"]["identifier"] == CREATED["id"]
    assert incident["kind"] == "silent"
    assert incident["senders"][0]["location"]["lat"] == pytest.approx(10.4142)
    async with http.get(console.url) as response:
        page = await response.text()
    assert f"CAP {CREATED['id']}" in page
    assert "&lt;identifier&gt;" in page
    assert "posible coacción" in page


async def test_create_app_embeds(socket_enabled: None, secret: str) -> None:
    """create_app returns an application whose console is reachable by its key."""
    app = create_app([secret], None)
    assert isinstance(app[CONSOLE_KEY], PoliceConsole)
    assert app[CONSOLE_KEY].front_webhook is None


async def test_cli_prints_ready_line(socket_enabled: None, secret: str) -> None:
    """The command line serves on 127.0.0.1 and says where."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "scripts.console",
        "--port",
        str(port),
        "--secret",
        secret,
        stdout=asyncio.subprocess.PIPE,
        cwd=Path(__file__).parents[1],
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(30):
            line = await process.stdout.readline()
        assert line.decode().strip() == f"police console on http://127.0.0.1:{port}"
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/api/incidents") as response,
        ):
            assert (await response.json())["incidents"] == []
    finally:
        process.terminate()
        await process.wait()


async def test_physical_press_names_the_kit_button(
    console: PoliceConsole, http: aiohttp.ClientSession, secret: str
) -> None:
    """A street-button press has no person: the console names the button instead."""
    alert = message()
    alert["presses"][0]["sender"] |= {"name": None, "house": None, "phone": None,
                                      "device": "b1"}  # fmt: skip
    status, _ = await post_alert(http, console, *signed(alert, secret))
    assert status == 200
    [incident] = (await incidents(http, console))["incidents"]
    assert incident["senders"][0]["name"] == "botón b1"


async def test_evidence_upload_is_verified_and_its_digest_kept(
    console: PoliceConsole, http: aiohttp.ClientSession, secret: str
) -> None:
    """A signed upload is taken (its SHA-256 kept); a wrong digest or forgery is not."""
    from custom_components.mi_frente_seguro.frente.dispatch.uploads import upload_body  # noqa: PLC0415

    data = b"\xff\xd8\xff\xe0still"
    reference = {
        "id": f"evidence/{INCIDENT_ID}/cam1-press.jpg",
        "incident_id": INCIDENT_ID,
        "file": "cam1-press.jpg",
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    url = f"{console.alerts_url}/evidence"
    for body, key, expected in (
        (upload_body(reference, data), secret, 200),
        (upload_body({**reference, "sha256": "0" * 64}, data), secret, 422),
        (upload_body(reference, data), WebhookSecret.generate().export(), 401),
    ):
        stamped = signature_headers(
            reference["id"], int(time.time()), body, [WebhookSecret.parse(key)]
        )
        async with http.post(url, data=body, headers=stamped) as response:
            assert response.status == expected
    assert console.evidence == {INCIDENT_ID: {"cam1-press.jpg": reference["sha256"]}}
