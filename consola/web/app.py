"""The aiohttp application: routes, middlewares and the console's lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

from aiohttp import web

from ..runtime import Console
from ..storage.db import StorageError
from . import (
    admin_views,
    alerts_view,
    auth_views,
    evidence_views,
    incident_views,
    live_views,
    report_views,
)
from .keys import CONSOLE
from .render import error_page
from .security import Handler, headers_middleware, session_middleware

STATIC: Final = Path(__file__).parent / "static"
MAX_FORM: Final = 1024 * 1024


@web.middleware
async def errors_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Show Spanish error pages for 404 and storage outages."""
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return error_page(request, 404, "error.not_found")
    except StorageError:
        return error_page(request, 503, "error.unavailable")


async def _lifetime(app: web.Application) -> AsyncIterator[None]:
    console = app[CONSOLE]
    await console.start()
    yield
    await console.stop()


async def _close_streams(app: web.Application) -> None:
    app[CONSOLE].bus.close()  # open live screens end now, not at the shutdown timeout


async def _root(_request: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther("/en-vivo")


async def _health(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    await console.db.tx(lambda tx: tx.one("SELECT 1 AS ok"))
    return web.Response(text="ok")


def create_app(console: Console) -> web.Application:
    """Return the console's application (it starts and stops ``console``'s background work)."""
    app = web.Application(
        client_max_size=MAX_FORM,
        middlewares=[headers_middleware, errors_middleware, session_middleware],
    )
    app[CONSOLE] = console
    app.cleanup_ctx.append(_lifetime)
    app.on_shutdown.append(_close_streams)
    add = app.router
    add.add_get("/", _root)
    add.add_get("/salud", _health)
    add.add_post("/alerts", alerts_view.alerts)
    add.add_post("/alerts/evidence", evidence_views.upload)  # before {front_id}
    add.add_post("/alerts/{front_id}", alerts_view.alerts)
    add.add_post("/alerts/{front_id}/evidence", evidence_views.upload)
    add.add_get("/ingresar", auth_views.login_form)
    add.add_post("/ingresar", auth_views.login)
    add.add_post("/salir", auth_views.logout)
    add.add_get("/idioma/{lang}", auth_views.language)
    add.add_get("/en-vivo", live_views.live)
    add.add_get("/en-vivo/filas", live_views.live_rows)
    add.add_get("/en-vivo/eventos", live_views.live_events)
    add.add_get("/incidentes/{pk}", incident_views.incident_page)
    add.add_get("/incidentes/{pk}/respuestas", incident_views.incident_answers_fragment)
    add.add_post("/incidentes/{pk}/respuesta", incident_views.answer)
    add.add_get("/incidentes/{pk}/evidencia/{file}", evidence_views.evidence_file)
    add.add_get("/supervision/frentes", admin_views.fronts)
    add.add_post("/supervision/frentes", admin_views.save)
    add.add_post("/supervision/frentes/{front_id}/activo", admin_views.toggle)
    add.add_post(
        "/supervision/frentes/{front_id}/secretos/{secret_id}/quitar",
        admin_views.drop_secret,
    )
    add.add_get("/supervision/operadores", admin_views.operators)
    add.add_post("/supervision/operadores", admin_views.create)
    add.add_get("/supervision/rechazados", admin_views.rejected)
    add.add_get("/supervision/auditoria", admin_views.audit_log)
    add.add_get("/supervision/informes", report_views.reports)
    add.add_get("/supervision/informes.csv", report_views.reports_csv)
    add.add_static("/static/", STATIC, append_version=True)
    return app
