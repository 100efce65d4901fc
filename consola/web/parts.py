"""What the views take from a request: who acts, a number in the path, a bounded body."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from aiohttp import web

from ..storage.accounts import Operator
from ..storage.audit import audit
from ..storage.db import Tx
from .auth_views import remote_of
from .keys import CONSOLE
from .render import session_of

MAX_DIGITS: Final = 18  # a path number fits a 64-bit row id


@dataclass(frozen=True, slots=True)
class Actor:
    """The logged-in operator acting on a request, when and from where (its audit rows)."""

    operator: Operator
    now: datetime
    remote: str

    def audit(self, tx: Tx, action: str, target: str, detail: str = "") -> None:
        """Write this act's audit row in ``tx`` (it commits with what it records)."""
        audit(tx, self.now, self.operator, action, target, self.remote, detail)


def actor_of(request: web.Request) -> Actor:
    """Return who acts on ``request`` (a view behind a login check), now."""
    session = session_of(request)
    assert session is not None
    return Actor(session.operator, request.app[CONSOLE].clock(), remote_of(request))


def path_number(request: web.Request, name: str) -> int:
    """Return the path's ``name`` as a number (ASCII digits only), else raise 404."""
    text = request.match_info[name]
    if not text.isascii() or not text.isdigit() or len(text) > MAX_DIGITS:
        raise web.HTTPNotFound
    return int(text)


async def read_body(
    request: web.Request, limit: int, chunk_size: int
) -> tuple[bytes, bool]:
    """Return the body read up to ``limit`` bytes, and whether it was longer (then cut)."""
    chunks: list[bytes] = []
    size = 0
    oversize = request.content_length is not None and request.content_length > limit
    if not oversize:
        async for chunk in request.content.iter_chunked(chunk_size):
            size += len(chunk)
            if size > limit:
                oversize = True
                break
            chunks.append(chunk)
    return b"".join(chunks), oversize
