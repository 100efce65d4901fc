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

ANSWERS: Final = {Verdict.STORED: "stored", Verdict.DUPLICATE: "duplicate"}


async def alerts(request: web.Request) -> web.StreamResponse:
    """Take one signed alert."""
    console = request.app[CONSOLE]
    chunks: list[bytes] = []
    size = 0
    oversize = request.content_length is not None and request.content_length > MAX_BODY
    if not oversize:
        async for chunk in request.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > MAX_BODY:
                oversize = True
                break
            chunks.append(chunk)
    body = b"".join(chunks)
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
