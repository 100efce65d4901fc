"""Supervisors' pages: the fronts registry, operators, refused alerts and the audit log.

The fronts page shows each front's health: the devices its trouble messages say are down.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiohttp import web

from .. import texto
from ..auth.passwords import acceptable, hash_password
from ..fronts import InvalidFrontError, parse_front_form, valid_front_id
from ..storage.accounts import ROLES, Role, create_operator, list_operators
from ..storage.audit import audit, list_audit
from ..storage.db import Row, Tx
from ..storage.fronts import (
    Activity,
    Front,
    front_activity,
    list_fronts,
    remove_secret,
    save_front,
    set_active,
)
from ..storage.incidents import list_rejected
from ..storage.notices import front_health
from .auth_views import remote_of
from .keys import CONSOLE
from .render import page, session_of
from .security import supervisor_required


def _alerts_url(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}/alerts/<id>"


async def _fronts_page(request: web.Request, *, status: int = 200, error: str | None = None,
                       saved: bool = False) -> web.Response:  # fmt: skip
    console = request.app[CONSOLE]
    since = console.clock() - timedelta(hours=24)

    def work(
        tx: Tx,
    ) -> tuple[list[Front], dict[str, Activity], dict[str, list[Row]]]:
        return list_fronts(tx), front_activity(tx, since), front_health(tx)

    fronts, activity, health = await console.db.tx(work)
    return page(request, "fronts.html", status=status, fronts=fronts, error=error,
                saved=saved, alerts_url=_alerts_url(request), activity=activity,
                no_activity=Activity(),
                health=health)  # fmt: skip


@supervisor_required
async def fronts(request: web.Request) -> web.StreamResponse:
    """List the fronts and the form to register one."""
    return await _fronts_page(request)


@supervisor_required
async def save(request: web.Request) -> web.StreamResponse:
    """Register or update a front (a secret entered is added to its secrets)."""
    console = request.app[CONSOLE]
    session = session_of(request)
    assert session is not None
    try:
        form = parse_front_form(await request.post())
    except InvalidFrontError as err:
        return await _fronts_page(request, status=400, error=err.reason)
    now = console.clock()

    def work(tx: Tx) -> None:
        save_front(tx, form, now)
        detail = "secret added" if form.secret else ""
        audit(
            tx,
            now,
            session.operator,
            "front_saved",
            form.front_id,
            remote_of(request),
            detail,
        )

    try:
        await console.db.tx(work)
    except ValueError as err:
        return await _fronts_page(request, status=400, error=str(err))
    return await _fronts_page(request, saved=True)


def _front_id(request: web.Request) -> str:
    front_id = valid_front_id(request.match_info["front_id"])
    if front_id is None:
        raise web.HTTPNotFound
    return front_id


@supervisor_required
async def toggle(request: web.Request) -> web.StreamResponse:
    """Activate or deactivate a front (a deactivated front's alerts are refused)."""
    console = request.app[CONSOLE]
    session = session_of(request)
    assert session is not None
    front_id = _front_id(request)
    active = (await request.post()).get("active") == "1"
    now = console.clock()

    def work(tx: Tx) -> bool:
        found = set_active(tx, front_id, active, now)
        if found:
            audit(tx, now, session.operator, "front_active", front_id, remote_of(request),
                  "active" if active else "inactive")  # fmt: skip
        return found

    if not await console.db.tx(work):
        raise web.HTTPNotFound
    raise web.HTTPSeeOther("/supervision/frentes")


@supervisor_required
async def drop_secret(request: web.Request) -> web.StreamResponse:
    """Remove one of a front's secrets (never its last)."""
    console = request.app[CONSOLE]
    session = session_of(request)
    assert session is not None
    front_id = _front_id(request)
    secret_text = request.match_info["secret_id"]
    if not secret_text.isascii() or not secret_text.isdigit() or len(secret_text) > 18:
        raise web.HTTPNotFound
    now = console.clock()

    def work(tx: Tx) -> bool:
        removed = remove_secret(tx, front_id, int(secret_text))
        if removed:
            audit(tx, now, session.operator, "front_secret", front_id, remote_of(request),
                  "secret removed")  # fmt: skip
        return removed

    if not await console.db.tx(work):
        return await _fronts_page(
            request, status=400, error="fronts.reason.last_secret"
        )
    raise web.HTTPSeeOther("/supervision/frentes")


async def _operators_page(request: web.Request, *, status: int = 200, error: str | None = None,
                          created: bool = False) -> web.Response:  # fmt: skip
    console = request.app[CONSOLE]
    operators = await console.db.tx(list_operators)
    return page(request, "operators.html", status=status, operators=operators, error=error,
                created=created, roles=ROLES)  # fmt: skip


@supervisor_required
async def operators(request: web.Request) -> web.StreamResponse:
    """List the operators and the form to create one."""
    return await _operators_page(request)


@supervisor_required
async def create(request: web.Request) -> web.StreamResponse:
    """Create an operator or supervisor."""
    console = request.app[CONSOLE]
    session = session_of(request)
    assert session is not None
    form = await request.post()
    username = texto.line(form.get("username"), min_len=3, max_len=40)
    name = texto.line(form.get("display_name"), min_len=1, max_len=80)
    password, role = form.get("password"), form.get("role")
    problem = None
    if username is None or not valid_username(username):
        problem = "operators.reason.username"
    elif name is None:
        problem = "operators.reason.name"
    elif not isinstance(password, str) or not acceptable(password):
        problem = "operators.reason.password"
    elif role not in ROLES:
        problem = "operators.reason.role"
    if problem is not None:
        return await _operators_page(request, status=400, error=problem)
    assert username is not None and name is not None and isinstance(password, str)
    hashed = await asyncio.get_running_loop().run_in_executor(
        None, hash_password, password
    )
    now = console.clock()
    chosen: Role = "supervisor" if role == "supervisor" else "operator"

    def work(tx: Tx) -> bool:
        made = create_operator(tx, username, name, chosen, hashed, now=now)
        if made is not None:
            audit(tx, now, session.operator, "operator_created", username, remote_of(request),
                  chosen)  # fmt: skip
        return made is not None

    if not await console.db.tx(work):
        return await _operators_page(
            request, status=400, error="operators.reason.taken"
        )
    return await _operators_page(request, created=True)


def valid_username(username: str) -> bool:
    """Return True for 3-40 lowercase ASCII letters, digits, ``.``, ``_`` or ``-``."""
    return 3 <= len(username) <= 40 and all(
        c.isascii() and (c.islower() or c.isdigit() or c in "._-") for c in username
    )


@supervisor_required
async def rejected(request: web.Request) -> web.StreamResponse:
    """List the refused alerts (audited)."""
    console = request.app[CONSOLE]
    session = session_of(request)
    assert session is not None
    now = console.clock()

    def work(tx: Tx) -> list[object]:
        audit(tx, now, session.operator, "view_rejected", "", remote_of(request))
        return list(list_rejected(tx))

    return page(request, "rejected.html", items=await console.db.tx(work))


@supervisor_required
async def audit_log(request: web.Request) -> web.StreamResponse:
    """Show the audit log (itself audited)."""
    console = request.app[CONSOLE]
    session = session_of(request)
    assert session is not None
    now = console.clock()

    def work(tx: Tx) -> list[object]:
        audit(tx, now, session.operator, "view_audit", "", remote_of(request))
        return list(list_audit(tx))

    return page(request, "audit.html", items=await console.db.tx(work))
