"""Evidence: the fronts' uploads (``POST /alerts/<front_id>/evidence``) and the pictures.

The upload answers with a status and no detail (``consola/ingest/evidence.py`` says
which); ``GET /incidentes/<pk>/evidencia/<file>`` serves a kept file to a logged-in
operator, with an audit row written in the same transaction as the read (a picture of
a street and its people is personal data).
"""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web

from ..ingest.evidence import MAX_UPLOAD_BODY, UPLOAD_STATUS, UploadVerdict
from ..storage.audit import audit
from ..storage.db import Row, Tx
from ..storage.evidence import evidence_file as kept_file
from ..storage.incidents import incident_row
from .auth_views import remote_of
from .keys import CONSOLE
from .render import session_of
from .security import login_required

ANSWERS: Final = {UploadVerdict.STORED: "stored", UploadVerdict.DUPLICATE: "duplicate"}
MAX_FILE_NAME: Final = 64


async def upload(request: web.Request) -> web.StreamResponse:
    """Take one signed evidence upload; 200 only once it is stored."""
    console = request.app[CONSOLE]
    chunks: list[bytes] = []
    size = 0
    length = request.content_length
    oversize = length is not None and length > MAX_UPLOAD_BODY
    if not oversize:
        async for chunk in request.content.iter_chunked(256 * 1024):
            size += len(chunk)
            if size > MAX_UPLOAD_BODY:
                oversize = True
                break
            chunks.append(chunk)
    verdict = await console.evidence.ingest(
        request.match_info.get("front_id"),
        dict(request.headers),
        b"".join(chunks),
        oversize,
    )
    if verdict in ANSWERS:
        return web.json_response({"status": ANSWERS[verdict]})
    return web.Response(status=UPLOAD_STATUS[verdict])


def _pk(request: web.Request) -> int:
    text = request.match_info["pk"]
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise web.HTTPNotFound
    return int(text)


@login_required
async def evidence_file(request: web.Request) -> web.StreamResponse:
    """Serve one kept photo or clip of an incident (audited)."""
    console = request.app[CONSOLE]
    session = session_of(request)
    assert session is not None
    pk = _pk(request)
    name = request.match_info["file"]
    if len(name) > MAX_FILE_NAME or not name.isascii() or "/" in name:
        raise web.HTTPNotFound
    now = console.clock()

    def work(tx: Tx) -> dict[str, Any] | None:
        row = incident_row(tx, pk)
        found: Row | None = None if row is None else kept_file(tx, pk, name)
        if row is None or found is None:
            return None
        audit(tx, now, session.operator, "view_evidence",
              f"{row['front_id']}/{row['incident_id']}", remote_of(request),
              detail=name)  # fmt: skip
        return found

    found = await console.db.tx(work)
    if found is None:
        raise web.HTTPNotFound
    return web.Response(
        body=bytes(found["content"]),
        content_type=str(found["mime_type"]),
        headers={
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
