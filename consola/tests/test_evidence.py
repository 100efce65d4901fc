"""Evidence uploads into the console and the pictures on the incident page (issue 17, part 4).

A front uploads each file signed (``standardwebhooks``) to ``/alerts/<front>/evidence``:
kept only when the signature holds and its SHA-256 is the one the incident's messages list;
``409`` before the file is listed (the front retries), ``401``/``413``/``422`` otherwise.
The incident page shows the kept stills as thumbnails and the clips in ``<video>``; every
file served is audited.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import aiohttp

from consola.ingest.evidence import MAX_FILE_BYTES
from consola.storage.audit import list_audit

from .conftest import OPERATOR, Running, store_alert
from .helpers import FRONT_ID, INCIDENT_ID, login, signed

STILL = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8 + b"\xff\xd9"
CLIP = b"\x00\x00\x00\x18ftypmp42" + b"\x80" * 4000
FILES = {"cam1-press.jpg": ("snapshot", STILL), "cam1-clip.mp4": ("clip", CLIP)}


def evidence_item(name: str) -> dict[str, Any]:
    """Return the alert's evidence entry of one file (as the front lists it)."""
    kind, data = FILES[name]
    return {
        "camera": "cam1", "kind": kind, "sha256": hashlib.sha256(data).hexdigest(),
        "sha1": None, "captured_at": "2026-11-26T20:00:03-05:00",
        "url": f"media-source://mi_frente_seguro/{FRONT_ID}/{INCIDENT_ID}/{name}",
        "mime_type": "video/mp4" if kind == "clip" else "image/jpeg",
        "size_bytes": len(data),
    }  # fmt: skip


def upload_of(name: str, data: bytes | None = None, **changes: Any) -> dict[str, Any]:
    """Return the body a front uploads for ``name``."""
    kind, content = FILES[name]
    content = content if data is None else data
    return {
        "version": "1", "type": "evidence.upload", "id": f"evidence/{INCIDENT_ID}/{name}",
        "sent_at": "2026-11-26T20:00:05-05:00", "incident_id": INCIDENT_ID,
        "front_id": FRONT_ID, "exercise": False, "file": name, "camera": "cam1",
        "kind": kind, "mime_type": "image/jpeg", "captured_at": "2026-11-26T20:00:03-05:00",
        "sha256": hashlib.sha256(content).hexdigest(), "size_bytes": len(content),
        "content_base64": base64.b64encode(content).decode(), **changes,
    }  # fmt: skip


async def post(
    running: Running, http: aiohttp.ClientSession, body: dict[str, Any],
    secret: str | None = None,
) -> int:  # fmt: skip
    """POST a signed upload; return the status."""
    data, headers = signed(body, secret or running.secret, msg_id=body["id"])
    url = f"{running.alerts_url}/evidence"
    async with http.post(url, data=data, headers=headers) as response:
        return response.status


async def announce(running: Running, http: aiohttp.ClientSession) -> int:
    """Store the alert and the evidence update listing both files; return the incident."""
    await store_alert(running, http)
    return await store_alert(running, http, id="01JDR6Q7ZMB1H2J3K4N5P6Q7R9",
                             type="incident.updated", sent_at="2026-11-26T20:00:04-05:00",
                             changes=["evidence"],
                             evidence=[evidence_item(name) for name in FILES])  # fmt: skip


async def test_uploads_are_checked_against_the_alert_and_kept(
    running: Running, http: aiohttp.ClientSession
) -> None:
    """409 before the listing; then 200 (once), 401 forged, 422 wrong digest, 413 too big."""
    assert (
        await post(running, http, upload_of("cam1-press.jpg")) == 409
    )  # not listed yet
    pk = await announce(running, http)
    assert (
        await post(running, http, upload_of("cam1-press.jpg"), "whsec_" + "A" * 44)
        == 401
    )
    forged = upload_of(
        "cam1-press.jpg", STILL + b"x"
    )  # consistent, but not the listed file
    assert await post(running, http, forged) == 422
    wrong_id = upload_of("cam1-press.jpg", id=f"evidence/{INCIDENT_ID}/cam1-clip.mp4")
    assert await post(running, http, wrong_id) == 422
    big = b"\xff" * (MAX_FILE_BYTES + 1)
    assert await post(running, http, upload_of("cam1-press.jpg", big)) == 413
    for name in FILES:
        assert await post(running, http, upload_of(name)) == 200
    assert await post(running, http, upload_of("cam1-press.jpg")) == 200  # a retry
    rows = await running.console.db.tx(
        lambda tx: tx.all(
            "SELECT file, sha256, content FROM evidence WHERE incident_pk = ?", pk
        )
    )
    assert {r["file"]: bytes(r["content"]) for r in rows} == {
        n: d for n, (_, d) in FILES.items()
    }


async def test_the_incident_page_shows_thumbnails_and_plays_clips_audited(
    running: Running, http: aiohttp.ClientSession
) -> None:
    """<img> for the still, <video> for the clip; each file served is audited."""
    pk = await announce(running, http)
    assert await post(running, http, upload_of("cam1-press.jpg")) == 200
    src = f"/incidentes/{pk}/evidencia/cam1-press.jpg"
    async with http.get(f"{running.base}{src}") as response:
        assert response.status in {401, 403} or response.url.path == "/ingresar"
    assert await login(http, running.base, *OPERATOR) == 200
    async with http.get(f"{running.base}/incidentes/{pk}") as response:
        page = await response.text()
    assert f'<img class="evidence-thumb" src="{src}"' in page
    assert "<video" not in page  # the clip is listed, not uploaded yet
    assert await post(running, http, upload_of("cam1-clip.mp4")) == 200
    async with http.get(f"{running.base}/incidentes/{pk}") as response:
        page = await response.text()
    assert (
        f'src="/incidentes/{pk}/evidencia/cam1-clip.mp4"' in page and "<video" in page
    )
    async with http.get(f"{running.base}{src}") as response:
        assert response.status == 200
        assert response.content_type == "image/jpeg"
        assert await response.read() == STILL
    async with http.get(
        f"{running.base}/incidentes/{pk}/evidencia/nope.jpg"
    ) as response:
        assert response.status == 404
    audit = await running.console.db.tx(list_audit)
    viewed = [row for row in audit if row["action"] == "view_evidence"]
    assert [row["detail"] for row in viewed] == ["cam1-press.jpg"]
    assert json.dumps(viewed[0]["target"]) == json.dumps(f"{FRONT_ID}/{INCIDENT_ID}")


async def test_a_kept_still_is_pushed_to_the_live_screen_as_a_thumbnail(
    running: Running, http: aiohttp.ClientSession
) -> None:
    """Each new still re-sends its incident's live row with a thumbnail linking to it."""
    pk = await announce(running, http)
    assert await login(http, running.base, *OPERATOR) == 200
    src = f"/incidentes/{pk}/evidencia/cam1-press.jpg"
    async with http.get(f"{running.base}/en-vivo") as response:
        assert src not in await response.text()  # nothing kept yet
    async with http.get(f"{running.base}/en-vivo/eventos") as stream:
        assert b"event: hello" in await stream.content.readuntil(b"\n\n")
        assert await post(running, http, upload_of("cam1-press.jpg")) == 200
        event = (await stream.content.readuntil(b"\n\n")).decode()
    assert event.startswith("event: incident")
    data = json.loads(event.split("data: ", 1)[1])
    assert data["pk"] == pk and data["sound"] is False and data["new"] is False
    row = data["html"]
    assert f'<a href="/incidentes/{pk}"><img class="thumb" src="{src}"' in row
    assert "<script" not in row and 'alt="Foto de una cámara del frente"' in row
    assert "cam1-clip.mp4" not in row  # a clip is no thumbnail
    async with http.get(f"{running.base}/en-vivo") as response:
        assert f'<img class="thumb" src="{src}"' in await response.text()
    async with http.get(
        f"{running.base}{src}"
    ) as response:  # the picture the row shows
        assert response.status == 200 and await response.read() == STILL
    audit = await running.console.db.tx(list_audit)
    assert [r["detail"] for r in audit if r["action"] == "view_evidence"] == [
        "cam1-press.jpg"
    ]  # the thumbnail's read is audited like the incident page's
