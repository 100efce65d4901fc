"""The incident page (personal data: every view is audited) and the answer buttons."""

from __future__ import annotations

from typing import Any
import uuid

from aiohttp import web

from ..answers.form import InvalidAnswerError, parse_answer
from ..answers.update import answer_body
from ..i18n import t
from ..incidents import next_steps, senders, snapshot, summary, timeline
from ..mapa import map_data
from ..storage.answers import add_answer, incident_answers
from ..storage.db import Row, Tx
from ..storage.evidence import evidence_rows
from ..storage.fronts import get_front
from ..storage.incidents import incident_messages, incident_row
from ..tiempo import local
from .keys import CONSOLE
from .parts import actor_of, path_number
from .render import lang_of, page, render_text
from .security import login_required


async def _context(request: web.Request, pk: int, *, audited: bool) -> dict[str, Any]:
    console = request.app[CONSOLE]
    actor = actor_of(request)

    def work(tx: Tx) -> dict[str, Any] | None:
        row = incident_row(tx, pk)
        if row is None:
            return None
        if audited:
            actor.audit(tx, "view_incident", f"{row['front_id']}/{row['incident_id']}")
        front = get_front(tx, row["front_id"])
        return {"row": row, "messages": incident_messages(tx, pk),
                "answers": incident_answers(tx, pk), "front": front,
                "evidence": evidence_rows(tx, pk)}  # fmt: skip

    found = await console.db.tx(work)
    if found is None:
        raise web.HTTPNotFound
    row: Row = found["row"]
    body = snapshot(row)
    item = summary(row)
    people = senders(body)
    return {
        "item": item,
        "incident_id": row["incident_id"],
        "body": body,
        "front": body.get("front") if isinstance(body.get("front"), dict) else {},
        "senders": people,
        "timeline": timeline(body, found["messages"], found["answers"]),
        "answers": found["answers"],
        "steps": next_steps(item.police_state),
        "map": map_data(
            body,
            people,
            {
                "front": t(
                    "map.front",
                    lang_of(request),
                    name=item.front_name,
                    radius=round(_radius(body)),
                ),
                "sender": t("map.sender", lang_of(request)),
            },
        ),
        "tiles_url": console.settings.tiles_url,
        "tiles_attribution": console.settings.tiles_attribution,
        "has_webhook": bool(found["front"] and found["front"].status_webhook_url),
        "evidence": found["evidence"],
        "error": None,
    }


def _radius(body: dict[str, Any]) -> float:
    front = body.get("front")
    radius = front.get("radius_m") if isinstance(front, dict) else None
    ok = isinstance(radius, int | float) and not isinstance(radius, bool)
    return float(radius) if ok else 0.0  # type: ignore[arg-type]


@login_required
async def incident_page(request: web.Request) -> web.StreamResponse:
    """Show one incident (audited: it shows residents' names, phones and places)."""
    return page(
        request,
        "incident.html",
        **await _context(request, path_number(request, "pk"), audited=True),
    )


@login_required
async def incident_answers_fragment(request: web.Request) -> web.StreamResponse:
    """Return the answers table alone (police data only: not a personal-data view)."""
    console = request.app[CONSOLE]
    pk = path_number(request, "pk")
    answers = await console.db.tx(lambda tx: incident_answers(tx, pk))
    text = render_text(request, "answers.html", answers=answers)
    return web.Response(text=text, content_type="text/html", charset="utf-8")


@login_required
async def answer(request: web.Request) -> web.StreamResponse:
    """Store an answer (with its audit row) and hand it to the delivery worker."""
    console = request.app[CONSOLE]
    pk = path_number(request, "pk")
    form = await request.post()
    actor = actor_of(request)
    now = actor.now

    def work(tx: Tx) -> str | None:
        row = incident_row(tx, pk)
        if row is None:
            raise web.HTTPNotFound
        try:
            checked = parse_answer(form, row["police_state"])
        except InvalidAnswerError as err:
            return err.reason
        sent_at = local(now).isoformat(timespec="seconds")
        body = answer_body(row["incident_id"], status=checked.status, unit=checked.unit,
                           eta=checked.eta_minutes, note=checked.note, sent_at=sent_at)  # fmt: skip
        webhook_id = f"pol_{uuid.uuid4().hex}"
        add_answer(tx, incident_pk=pk, webhook_id=webhook_id, status=checked.status,
                   unit=checked.unit, eta_minutes=checked.eta_minutes, note=checked.note,
                   body=body, operator_id=actor.operator.id, now=now)  # fmt: skip
        detail = checked.status + (
            f" {checked.unit} eta={checked.eta_minutes}" if checked.unit else ""
        )
        actor.audit(tx, "answer", f"{row['front_id']}/{row['incident_id']}", detail)
        return None

    problem = await console.db.tx(work)
    if problem is not None:
        context = await _context(request, pk, audited=False)
        context["error"] = problem
        return page(request, "incident.html", status=400, **context)
    console.answers.kick()
    await console.announce(pk)
    raise web.HTTPSeeOther(f"/incidentes/{pk}")
