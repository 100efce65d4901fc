"""Login, logout and the language switch."""

from __future__ import annotations

import asyncio
import math
from typing import Final

from aiohttp import web

from ..auth.passwords import verify_password
from ..storage.accounts import (
    SESSION_MAX,
    clear_failures,
    create_session,
    credentials,
    end_session,
    record_failure,
    throttle_wait,
)
from ..storage.audit import audit
from ..storage.db import Tx
from .keys import CONSOLE
from .render import page, session_of
from .security import LANG_COOKIE, LOGIN_COOKIE, session_cookie_name, set_cookie

MAX_USERNAME: Final = 64


def remote_of(request: web.Request) -> str:
    """Return the client's address (the proxy's when behind one: see docs/consola.md)."""
    return (request.remote or "?")[:64]


async def login_form(request: web.Request) -> web.StreamResponse:
    """Show the login page (or go to the live screen when logged in)."""
    if session_of(request) is not None:
        raise web.HTTPSeeOther("/en-vivo")
    return page(request, "login.html", error=None, username="")


async def login(request: web.Request) -> web.StreamResponse:
    """Check a login, throttled per account and per address."""
    console = request.app[CONSOLE]
    form = await request.post()
    raw_username, password = form.get("username"), form.get("password")
    username = (
        raw_username.strip().lower()[:MAX_USERNAME]
        if isinstance(raw_username, str)
        else ""
    )
    password = password if isinstance(password, str) else ""
    remote = remote_of(request)
    now = console.clock()
    wait = await console.db.tx(lambda tx: throttle_wait(tx, username, remote, now))
    if wait is not None:
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        return page(request, "login.html", status=429, username=username,
                    error=("login.throttled", {"minutes": minutes}))  # fmt: skip
    found = await console.db.tx(lambda tx: credentials(tx, username))
    stored = found[1] if found else None
    ok = await asyncio.get_running_loop().run_in_executor(
        None, verify_password, stored, password
    )
    if not ok or found is None:

        def failed(tx: Tx) -> None:
            record_failure(tx, username, remote, now)
            audit(tx, now, None, "login_failed", username, remote, username=username)

        await console.db.tx(failed)
        return page(request, "login.html", status=401, username=username,
                    error=("login.failed", {}))  # fmt: skip
    operator = found[0]

    def succeeded(tx: Tx) -> str:
        clear_failures(tx, username)
        token, _csrf = create_session(tx, operator, remote, now)
        audit(tx, now, operator, "login", operator.username, remote)
        return token

    token = await console.db.tx(succeeded)
    response = web.HTTPSeeOther("/en-vivo")
    set_cookie(response, request, session_cookie_name(request), token,
               max_age=int(SESSION_MAX.total_seconds()))  # fmt: skip
    response.del_cookie(LOGIN_COOKIE, path="/")
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    """End the session."""
    console = request.app[CONSOLE]
    session = session_of(request)
    if session is not None:
        now = console.clock()

        def work(tx: Tx) -> None:
            end_session(tx, session.token_hash)
            audit(tx, now, session.operator, "logout", session.operator.username,
                  remote_of(request))  # fmt: skip

        await console.db.tx(work)
    response = web.HTTPSeeOther("/ingresar")
    response.del_cookie(session_cookie_name(request), path="/")
    raise response


async def language(request: web.Request) -> web.StreamResponse:
    """Switch the language (es/en) and go back to the live screen."""
    lang = "en" if request.match_info["lang"] == "en" else "es"
    response = web.HTTPSeeOther("/en-vivo" if session_of(request) else "/ingresar")
    set_cookie(response, request, LANG_COOKIE, lang, max_age=365 * 24 * 3600)
    raise response
