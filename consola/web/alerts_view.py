"""``POST /alerts`` and ``POST /alerts/<front_id>``: the HTTP face of ingest.

Refusals carry no detail (the reason is kept for supervisors, never told to the sender);
a 2xx is sent only after the message is committed.
"""

from __future__ import annotations

from typing import Final

from aiohttp import web

from ..ingest.envelope import Delivery, Verdict
from ..ingest.service import MAX_BODY
from .keys import CONSOLE
from .parts import read_body

ANSWERS: Final = {Verdict.STORED: "stored", Verdict.DUPLICATE: "duplicate"}


async def alerts(request: web.Request) -> web.StreamResponse:
    """Take one signed alert."""
    console = request.app[CONSOLE]
    body, oversize = await read_body(request, MAX_BODY, 64 * 1024)
    delivery = Delivery(
        transport="http",
        headers=dict(request.headers),
        body=body,
        content_type=request.headers.get("Content-Type", ""),
        remote=request.remote or "?",
        front_hint=request.match_info.get("front_id"),
        oversize=oversize,
    )
    outcome = await console.ingest.ingest(delivery)
    if outcome.accepted:
        return web.json_response({"status": ANSWERS[outcome.verdict]})
    return web.Response(status=outcome.http_status)
