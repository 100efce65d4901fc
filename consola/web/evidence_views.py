"""Evidence: the fronts' uploads (``POST /alerts/<front_id>/evidence``) and the pictures.

The upload answers with a status and no detail (``consola/ingest/evidence.py`` says
which); ``GET /incidentes/<pk>/evidencia/<file>`` serves a kept file to a logged-in
operator, with an audit row written in the same transaction as the read (a picture of
a street and its people is personal data).
"""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web

from ..ingest.envelope import Verdict
from ..ingest.evidence import MAX_UPLOAD_BODY, UPLOAD_STATUS, UploadVerdict
from ..storage.db import Row, Tx
from ..storage.evidence import evidence_file as kept_file
from ..storage.incidents import incident_row
from .keys import CONSOLE
from .parts import actor_of, path_number, read_body
from .security import login_required

ANSWERS: Final[dict[UploadVerdict, str]] = {
    Verdict.STORED: "stored",
    Verdict.DUPLICATE: "duplicate",
}
MAX_FILE_NAME: Final = 64


async def upload(request: web.Request) -> web.StreamResponse:
    """Take one signed evidence upload; 200 only once it is stored."""
    console = request.app[CONSOLE]
    body, oversize = await read_body(request, MAX_UPLOAD_BODY, 256 * 1024)
    verdict = await console.evidence.ingest(
        request.match_info.get("front_id"), dict(request.headers), body, oversize
    )
    if verdict in ANSWERS:
        return web.json_response({"status": ANSWERS[verdict]})
    return web.Response(status=UPLOAD_STATUS[verdict])


@login_required
async def evidence_file(request: web.Request) -> web.StreamResponse:
    """Serve one kept photo or clip of an incident (audited)."""
    pk = path_number(request, "pk")
    name = request.match_info["file"]
    if len(name) > MAX_FILE_NAME or not name.isascii() or "/" in name:
        raise web.HTTPNotFound
    actor = actor_of(request)

    def work(tx: Tx) -> dict[str, Any] | None:
        row = incident_row(tx, pk)
        found: Row | None = None if row is None else kept_file(tx, pk, name)
        if row is None or found is None:
            return None
        actor.audit(
            tx, "view_evidence", f"{row['front_id']}/{row['incident_id']}", name
        )
        return found

    found = await request.app[CONSOLE].db.tx(work)
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
