"""Small HTTP servers for the tests: one POST route on a port of 127.0.0.1."""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler


async def serve_post(port: int, path: str, handler: Handler) -> web.AppRunner:
    """Answer POSTs to ``path`` on 127.0.0.1:``port`` with ``handler``; return its runner.

    ``await runner.cleanup()`` stops it.
    """
    app = web.Application()
    app.router.add_post(path, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner
