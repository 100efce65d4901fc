"""Small HTTP servers for the tests: POST routes on a port of 127.0.0.1."""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler


async def serve_post(
    port: int,
    path: str,
    handler: Handler,
    *more_paths: str,
    shutdown_timeout: float = 60.0,
) -> web.AppRunner:
    """Answer POSTs to ``path`` (and ``more_paths``) on 127.0.0.1:``port`` with ``handler``.

    Return its runner: ``await runner.cleanup()`` stops it, waiting at most
    ``shutdown_timeout`` seconds for requests still open (aiohttp's default: 60).
    """
    app = web.Application()
    for route in (path, *more_paths):
        app.router.add_post(route, handler)
    runner = web.AppRunner(app, shutdown_timeout=shutdown_timeout)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner
