"""Supervisors' response-time report per cuadrante and month, on screen and as CSV."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from aiohttp import web

from ..i18n import t
from ..reports import ReportLine, report, to_csv
from ..storage.db import Tx
from ..storage.incidents import report_rows
from ..tiempo import local
from .keys import CONSOLE
from .parts import actor_of
from .render import lang_of, page
from .security import supervisor_required

PERIOD: Final = timedelta(days=366)
COLUMNS: Final = ("col.month", "col.cuadrante", "col.incidents", "col.answered",
                  "col.to_received", "col.to_dispatched", "col.to_on_scene")  # fmt: skip


async def _lines(request: web.Request, action: str) -> list[ReportLine]:
    actor = actor_of(request)

    def work(tx: Tx) -> list[ReportLine]:
        actor.audit(tx, action, "")
        return report(*report_rows(tx, actor.now - PERIOD))

    return await request.app[CONSOLE].db.tx(work)


@supervisor_required
async def reports(request: web.Request) -> web.StreamResponse:
    """Show the report of the last twelve months."""
    return page(request, "reports.html", lines=await _lines(request, "view_report"))


@supervisor_required
async def reports_csv(request: web.Request) -> web.StreamResponse:
    """Download the report as CSV (UTF-8 with BOM, so spreadsheets read the accents)."""
    lines = await _lines(request, "export_report")
    lang = lang_of(request)
    text = to_csv(lines, [t(key, lang) for key in COLUMNS])
    stamp = local(request.app[CONSOLE].clock()).strftime("%Y%m%d")
    return web.Response(
        body=("\ufeff" + text).encode(),
        content_type="text/csv",
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="tiempos-respuesta-{stamp}.csv"'
        },
    )
