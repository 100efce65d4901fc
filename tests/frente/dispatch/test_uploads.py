"""Evidence uploads on a real file and real receivers: every file, signed, after the alarm."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import closing
import hashlib
import json
from pathlib import Path
import sqlite3
from typing import Any

import aiohttp
import pytest
from standardwebhooks import Webhook

from custom_components.mi_frente_seguro.frente.dispatch.outbox import Outbox
from custom_components.mi_frente_seguro.frente.dispatch.signing import WebhookSecret
from custom_components.mi_frente_seguro.frente.dispatch.uploads import (
    UPLOAD_SUFFIX,
    UPLOAD_TYPE,
    EvidenceUploadTransport,
    upload_id,
    upload_url,
)
from custom_components.mi_frente_seguro.frente.evidence import EvidenceFile, Manifest
from custom_components.mi_frente_seguro.frente.evidence.manifest import (
    sha256_file,
    write_manifest,
)
from custom_components.mi_frente_seguro.frente.incident import IncidentState, Sender
from custom_components.mi_frente_seguro.frente.ledger import FrontLedger
from custom_components.mi_frente_seguro.frente.store import IncidentStore
from tests.frente.presses import kit_press

from .conftest import FRONT, T0
from .receiver import FakeSleep, Receiver, receiving, wait_until

SECRET = WebhookSecret.generate()
FILES = {  # name: (camera, kind, bytes)
    "cam1-press.jpg": ("cam1", "press", b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4),
    "cam2-press.jpg": ("cam2", "press", b"\xff\xd8\xff\xe0" + b"\x00\xff" * 999),
    "cam1-clip.mp4": ("cam1", "clip", b"\x00\x00\x00\x18ftypmp42" + b"\x80" * 5000),
}


async def in_thread(job: Callable[[], bytes]) -> bytes:
    """Run a blocking read off the loop (HA's executor in the integration)."""
    return await asyncio.to_thread(job)


def write_bundle(base: Path, incident_id: str) -> list[dict[str, Any]]:
    """Write the incident's files and manifest; return its evidence entries."""
    folder = base / FRONT.front_id / incident_id
    folder.mkdir(parents=True)
    files, entries = [], []
    for name, (camera, kind, data) in FILES.items():
        (folder / name).write_bytes(data)
        digest, size = sha256_file(folder / name)
        files.append(EvidenceFile(name, camera, kind, T0, digest, size))
        entries.append(
            {
                "camera": camera,
                "kind": kind,
                "file": name,
                "sha256": digest,
                "captured_at": T0.isoformat(),
                "media": f"media-source://mi_frente_seguro/x/{name}",
            }
        )
    write_manifest(
        folder, Manifest(FRONT.front_id, incident_id, T0, files=files, complete=True)
    )
    return entries


class Front:
    """A front's ledger with one JSON destination and its upload outbox."""

    def __init__(  # noqa: PLR0913
        self,
        path: Path,
        base: Path,
        session: aiohttp.ClientSession,
        alerts: str,
        uploads: str,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Build (not open) the ledger on ``path``; evidence under ``base``."""
        store = IncidentStore(path)
        outbox = Outbox(store.committer, session, alerts, [SECRET])
        transport = EvidenceUploadTransport(session, uploads, [SECRET], base, in_thread)
        self.upload = Outbox(
            store.committer,
            transport=transport,
            destination="police" + UPLOAD_SUFFIX,
            sleep=sleep,
            random=lambda: 0.0,
        )
        self.ledger = FrontLedger(
            FRONT, store, clock=lambda: T0, outbox=outbox, uploads=[self.upload]
        )

    async def alarm(self, button: str) -> str:
        """Press ``button``; return the incident it opened or joined."""
        press = kit_press(T0, Sender(device=button), key=f"{button}:1")
        change = await self.ledger.press(press)
        return change.incident.incident_id


@pytest.fixture
async def police(socket_enabled: None) -> AsyncGenerator[Receiver]:
    """Return the alerts' receiver, listening."""
    async with receiving([SECRET.export()]) as server:
        yield server


@pytest.fixture
async def store(socket_enabled: None) -> AsyncGenerator[Receiver]:
    """Return the uploads' receiver (another police system), not listening yet."""
    async with receiving([SECRET.export()], listening=False) as server:
        yield server


def uploads_of(receiver: Receiver) -> list[dict[str, Any]]:
    """Return the verified upload bodies the receiver accepted."""
    return [
        json.loads(r.body)
        for r in receiver.requests
        if r.verified and r.answer == "200" and r.webhook_id.startswith("evidence/")
    ]


def upload_rows(path: Path) -> list[tuple[str, str]]:
    """Return (message_id, status) of the upload rows, read with plain sqlite3."""
    with closing(sqlite3.connect(path)) as db:
        return db.execute(
            "SELECT message_id, status FROM outbox WHERE destination = ? ORDER BY seq",
            ("police" + UPLOAD_SUFFIX,),
        ).fetchall()


def test_upload_url_keeps_the_query_and_adds_the_path() -> None:
    """``/evidence`` goes on the path, whatever the URL's end."""
    assert upload_url("https://c.example/alerts/f1?x=1") == (
        "https://c.example/alerts/f1/evidence?x=1"
    )
    assert upload_url("https://c.example/") == "https://c.example/evidence"


async def test_every_file_arrives_signed_and_equal_to_the_manifest(
    tmp_path: Path, session: aiohttp.ClientSession, police: Receiver, store: Receiver
) -> None:
    """Alarm first, then every still and clip, verified by standardwebhooks, SHA-256 equal."""
    await store.start()
    front = Front(tmp_path / "f.db", tmp_path / "ev", session, police.url, store.url)
    await front.ledger.open()
    incident = await front.alarm("b1")
    entries = write_bundle(tmp_path / "ev", incident)
    await front.ledger.add_evidence(incident, entries)
    await wait_until(lambda: len(uploads_of(store)) == len(FILES))
    manifest = json.loads(
        (tmp_path / "ev" / FRONT.front_id / incident / "manifest.json").read_text()
    )
    listed = {item["file"]: item["sha256"] for item in manifest["files"]}
    for body in uploads_of(store):
        data = base64.b64decode(body["content_base64"])
        assert body["type"] == UPLOAD_TYPE
        assert (
            hashlib.sha256(data).hexdigest() == listed[body["file"]] == body["sha256"]
        )
        assert body["size_bytes"] == len(data) == len(FILES[body["file"]][2])
        assert body["id"] == upload_id(incident, body["file"])
    assert {b["file"] for b in uploads_of(store)} == set(FILES)
    request = store.requests[0]  # the reference library verifies it unmodified
    headers = {
        "webhook-id": request.webhook_id,
        "webhook-timestamp": request.timestamp,
        "webhook-signature": request.signature,
    }
    Webhook(SECRET.export()).verify(request.body, headers)
    assert request.content_type == "application/json"
    types = [json.loads(r.body)["type"] for r in police.requests]
    assert types[:2] == ["incident.created", "incident.updated"]  # alerts unaffected
    await front.ledger.close()
    assert {status for _, status in upload_rows(tmp_path / "f.db")} == {"delivered"}


async def test_uploads_survive_a_restart_and_never_hold_an_alarm(
    tmp_path: Path, session: aiohttp.ClientSession, police: Receiver, store: Receiver
) -> None:
    """Uploads wait on disk while their receiver is down; alarms still leave at once."""
    sleep = FakeSleep()
    front = Front(
        tmp_path / "f.db", tmp_path / "ev", session, police.url, store.url, sleep
    )
    await front.ledger.open()
    incident = await front.alarm("b1")
    await front.ledger.add_evidence(incident, write_bundle(tmp_path / "ev", incident))
    assert len(upload_rows(tmp_path / "f.db")) == len(FILES)  # committed before return
    await wait_until(lambda: len(sleep.delays) >= 2)  # the uploads are retrying
    await front.ledger.advance(
        incident, IncidentState.CANCELLED, by="u-ana", details={"reason": "x"}
    )
    second = await front.alarm("b2")
    await wait_until(
        lambda: any(
            json.loads(r.body)["incident_id"] == second for r in police.requests
        )
    )
    assert uploads_of(store) == []
    await front.ledger.close()
    await store.start()
    again = Front(tmp_path / "f.db", tmp_path / "ev", session, police.url, store.url)
    await again.ledger.open()
    await wait_until(lambda: len(uploads_of(store)) == len(FILES))
    await again.ledger.close()


async def test_a_refused_upload_is_set_aside_and_the_next_flows(
    tmp_path: Path, session: aiohttp.ClientSession, police: Receiver, store: Receiver
) -> None:
    """A 4xx sets one upload aside (dead letter); 409 is retried; a changed file is not sent."""
    await store.start()
    store.plan.extend(["422", "409"])
    front = Front(tmp_path / "f.db", tmp_path / "ev", session, police.url, store.url)
    await front.ledger.open()
    incident = await front.alarm("b1")
    entries = write_bundle(tmp_path / "ev", incident)
    (tmp_path / "ev" / FRONT.front_id / incident / "cam1-clip.mp4").write_bytes(b"x")
    await front.ledger.add_evidence(incident, entries)
    await wait_until(lambda: len(front.upload.dead_letters) == 2)
    await wait_until(lambda: front.upload.depth == 0)
    assert [b["file"] for b in uploads_of(store)] == ["cam2-press.jpg"]
    reasons = sorted(letter.error for letter in front.upload.dead_letters)
    assert reasons[0].startswith("HTTP 422")
    assert "SHA-256" in reasons[1]
    assert [r.answer for r in store.requests] == ["422", "409", "200"]
    await front.ledger.close()
