"""Supervisors' pages: the fronts registry, operators, refused alerts and the audit log.

The fronts page shows each front's health: the devices its trouble messages say are down.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from aiohttp import web

from .. import texto
from ..auth.passwords import acceptable, hash_password
from ..fronts import InvalidFrontError, parse_front_form, valid_front_id
from ..storage.accounts import ROLES, Role, create_operator, list_operators
from ..storage.audit import list_audit
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
from .keys import CONSOLE
from .parts import actor_of, path_number
from .render import page
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
    try:
        form = parse_front_form(await request.post())
    except InvalidFrontError as err:
        return await _fronts_page(request, status=400, error=err.reason)
    actor = actor_of(request)

    def work(tx: Tx) -> None:
        save_front(tx, form, actor.now)
        actor.audit(
            tx, "front_saved", form.front_id, "secret added" if form.secret else ""
        )

    try:
        await request.app[CONSOLE].db.tx(work)
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
    front_id = _front_id(request)
    active = (await request.post()).get("active") == "1"
    actor = actor_of(request)

    def work(tx: Tx) -> bool:
        found = set_active(tx, front_id, active, actor.now)
        if found:
            actor.audit(
                tx, "front_active", front_id, "active" if active else "inactive"
            )
        return found

    if not await request.app[CONSOLE].db.tx(work):
        raise web.HTTPNotFound
    raise web.HTTPSeeOther("/supervision/frentes")


@supervisor_required
async def drop_secret(request: web.Request) -> web.StreamResponse:
    """Remove one of a front's secrets (never its last)."""
    front_id = _front_id(request)
    secret_id = path_number(request, "secret_id")
    actor = actor_of(request)

    def work(tx: Tx) -> bool:
        removed = remove_secret(tx, front_id, secret_id)
        if removed:
            actor.audit(tx, "front_secret", front_id, "secret removed")
        return removed

    if not await request.app[CONSOLE].db.tx(work):
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
    actor = actor_of(request)
    chosen: Role = "supervisor" if role == "supervisor" else "operator"

    def work(tx: Tx) -> bool:
        made = create_operator(tx, username, name, chosen, hashed, now=actor.now)
        if made is not None:
            actor.audit(tx, "operator_created", username, chosen)
        return made is not None

    if not await request.app[CONSOLE].db.tx(work):
        return await _operators_page(
            request, status=400, error="operators.reason.taken"
        )
    return await _operators_page(request, created=True)


def valid_username(username: str) -> bool:
    """Return True for 3-40 lowercase ASCII letters, digits, ``.``, ``_`` or ``-``."""
    return 3 <= len(username) <= 40 and all(
        c.isascii() and (c.islower() or c.isdigit() or c in "._-") for c in username
    )


async def _audited_list(request: web.Request, template: str, action: str,
                        rows: Callable[[Tx], list[Row]]) -> web.Response:  # fmt: skip
    """Return a page of ``rows``, audited as ``action`` in the transaction that reads them."""
    actor = actor_of(request)

    def work(tx: Tx) -> list[Row]:
        actor.audit(tx, action, "")
        return rows(tx)

    return page(request, template, items=await request.app[CONSOLE].db.tx(work))


@supervisor_required
async def rejected(request: web.Request) -> web.StreamResponse:
    """List the refused alerts (audited)."""
    return await _audited_list(request, "rejected.html", "view_rejected", list_rejected)


@supervisor_required
async def audit_log(request: web.Request) -> web.StreamResponse:
    """Show the audit log (itself audited)."""
    return await _audited_list(request, "audit.html", "view_audit", list_audit)
