"""The live screen: the incident list and its server push (Server-Sent Events)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Final

from aiohttp import web

from ..bus import Change
from ..incidents import Summary, summary
from ..storage.db import Tx
from ..storage.evidence import kept_stills
from ..storage.fronts import cuadrantes
from ..storage.incidents import live_window, recent_incidents
from .keys import CONSOLE
from .render import render_text
from .security import login_required

HEARTBEAT_S: Final = 15.0
STREAM_MAX_S: Final = (
    300.0  # then the browser reconnects, and the session is checked again
)


def _cuadrante(request: web.Request) -> str | None:
    value = request.query.get("cuadrante", "")
    return value[:120] or None


async def _rows(request: web.Request, cuadrante: str | None) -> list[Summary]:
    console = request.app[CONSOLE]
    since = live_window(console.clock())

    def work(tx: Tx) -> list[Summary]:
        rows = recent_incidents(tx, cuadrante, since)
        return [summary(row, kept_stills(tx, int(row["id"]))) for row in rows]

    return await console.db.tx(work)


@login_required
async def live(request: web.Request) -> web.StreamResponse:
    """Show the live screen (optionally one cuadrante)."""
    console = request.app[CONSOLE]
    cuadrante = _cuadrante(request)
    items = await _rows(request, cuadrante)
    options = await console.db.tx(cuadrantes)
    text = render_text(
        request, "live.html", items=items, cuadrantes=options, cuadrante=cuadrante,
        tiles_url=console.settings.tiles_url,
        tiles_attribution=console.settings.tiles_attribution,
    )  # fmt: skip
    return web.Response(text=text, content_type="text/html", charset="utf-8")


@login_required
async def live_rows(request: web.Request) -> web.StreamResponse:
    """Return the list's rows alone (the screen reloads them after a reconnect)."""
    items = await _rows(request, _cuadrante(request))
    text = render_text(request, "live_rows.html", items=items)
    return web.Response(text=text, content_type="text/html", charset="utf-8")


def _event(request: web.Request, change: Change) -> bytes:
    row = render_text(request, "live_row.html", item=change.summary)
    data = json.dumps({"pk": change.summary.pk, "html": row, "sound": change.sound,
                       "new": change.new, "cuadrante": change.summary.cuadrante_code})  # fmt: skip
    return f"event: incident\ndata: {data}\n\n".encode()


@login_required
async def live_events(request: web.Request) -> web.StreamResponse:
    """Push every new or changed incident to this screen as it is committed."""
    console = request.app[CONSOLE]
    cuadrante = _cuadrante(request)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
        }  # fmt: skip
    )
    await response.prepare(request)
    with console.bus.subscribe() as queue:
        await response.write(b"retry: 2000\nevent: hello\ndata: {}\n\n")
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            async with asyncio.timeout(STREAM_MAX_S):
                while True:
                    try:
                        async with asyncio.timeout(HEARTBEAT_S):
                            change = await queue.get()
                    except TimeoutError:
                        await response.write(b": ping\n\n")
                        continue
                    if change is None:
                        await response.write(b"event: reload\ndata: {}\n\n")
                        break
                    if cuadrante and change.summary.cuadrante_code != cuadrante:
                        continue
                    await response.write(_event(request, change))
    return response
