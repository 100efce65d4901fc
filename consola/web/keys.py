"""The application keys the views share."""

from __future__ import annotations

from typing import Final

from aiohttp import web

from ..runtime import Console

CONSOLE: Final = web.AppKey("consola", Console)
