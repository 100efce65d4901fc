"""Reference police console: receives a front's alerts and answers with status updates.

For a police quadrant whose dispatch system does not speak docs/police-api.md yet. It is the
other end of the contract, kept in memory, on 127.0.0.1 only:

- ``POST /alerts`` takes alerts (JSON, or CAP 1.2 XML shown raw with its identifier). Each
  request must carry a valid Standard Webhooks signature made with one of the configured
  secrets and a timestamp inside the window; anything else is answered 401 (or 400 when the
  signed body is unreadable) and listed as *rechazado*, never as an incident. Accepted
  messages are answered 200 once kept; a retry (same ``webhook-id``) is answered 200 and not
  counted twice.
- ``GET /`` is a Spanish page listing the incidents, newest first, refreshed every 2 s from
  ``GET /api/incidents``. Its buttons (*Recibido*, *Despachar*, *En el sitio*, *Cerrar*)
  ``POST /api/incidents/<id>/status``: the console signs a status update with the same secrets
  and sends it to the front's status webhook, then shows the front's answer.

    scripts/police_console --port 8765 --secret whsec_... --previous-secret whsec_...
        --front-webhook http://127.0.0.1:8123/api/webhook/<webhook_id>

Evidence and map locations are shown as links only; the console fetches nothing. This
module is the console itself (:class:`PoliceConsole`, an aiohttp application); the command
line is ``python -m scripts.console``.
"""

from __future__ import annotations

import base64
from collections import deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
import hashlib
import json
from typing import Final
from urllib.parse import quote
import uuid

from aiohttp import web

from consola.answers.update import answer_fields
from custom_components.mi_frente_seguro.frente.dispatch.signing import (
    HEADER_ID,
    WebhookError,
    WebhookSecret,
    verify,
)

from .alerts import Json, MalformedAlertError, parse_alert
from .delivery import FrontLink
from .incidents import Incident, Rejected, StatusUpdate
from .page import render_incidents, render_page, render_rejected

HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 8765
MAX_BODY: Final = 1024 * 1024  # bytes accepted on /alerts
MAX_REJECTED: Final = 200  # rejected requests remembered
UPLOAD_LIMIT: Final = 48 * 1024 * 1024  # bytes accepted on /alerts/evidence
MAX_SEEN: Final = 50_000  # webhook ids remembered for dedupe
STATUSES: Final = ("received", "dispatched", "on_scene", "closed")


def parse_secrets(secrets: Sequence[str | WebhookSecret]) -> list[WebhookSecret]:
    """Return the secrets as keys; raise ValueError (InvalidSecretError) on a bad one."""
    keys = [
        secret if isinstance(secret, WebhookSecret) else WebhookSecret.parse(secret)
        for secret in secrets
    ]
    if not keys:
        raise ValueError("the console needs at least one secret")
    return keys


class PoliceConsole:
    """The console's state and handlers; ``app`` serves it, ``start()`` runs it."""

    def __init__(
        self,
        secrets: Sequence[str | WebhookSecret],
        front_webhook: str | None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """Accept alerts signed with any of ``secrets`` (the first also signs updates).

        ``front_webhook`` is the front's status webhook URL
        (``http://127.0.0.1:8123/api/webhook/<webhook_id>``); ``None`` disables the buttons.
        """
        self.keys = parse_secrets(secrets)
        self.front_webhook = front_webhook
        self.clock = clock
        self.incidents: dict[str, Incident] = {}
        self.rejected: deque[Rejected] = deque(maxlen=MAX_REJECTED)
        self.version = 0  # bumped on every change the page should show
        self._seen: dict[str, str] = {}  # webhook id -> incident id
        # Evidence uploads (docs/police-api.md section 7): file -> SHA-256 of what came.
        self.evidence: dict[str, dict[str, str]] = {}
        self.front = FrontLink(front_webhook, self.keys)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self.app = web.Application(client_max_size=MAX_BODY)
        self.app[CONSOLE_KEY] = self
        self.app.cleanup_ctx.append(self.front.session_context)
        self.app.router.add_get("/", self._page)
        self.app.router.add_post("/alerts", self._alerts)
        self.app.router.add_post("/alerts/evidence", self._evidence)
        self.app.router.add_get("/api/incidents", self._api_incidents)
        self.app.router.add_post("/api/incidents/{incident_id}/status", self._status)

    @property
    def url(self) -> str:
        """Return the console's base URL (after ``start()``)."""
        return f"http://{HOST}:{self.port}"

    @property
    def alerts_url(self) -> str:
        """Return the URL to configure as the front's police endpoint."""
        return f"{self.url}/alerts"

    async def start(self, port: int = 0) -> str:
        """Listen on 127.0.0.1:``port`` (0: a free one); return the base URL."""
        self._runner = web.AppRunner(self.app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, HOST, port)
        await site.start()
        address = self._runner.addresses[0]
        self.port = int(address[1])
        return self.url

    async def stop(self) -> None:
        """Stop listening and close the client session."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    def listing(self) -> list[Incident]:
        """Return the incidents, newest first (by first message received)."""
        return sorted(
            self.incidents.values(),
            key=lambda incident: (incident.alerts[0].received_at, incident.incident_id),
            reverse=True,
        )

    def snapshot(self) -> Json:
        """Return the JSON of ``GET /api/incidents``."""
        return {
            "version": self.version,
            "incidents": [incident.view() for incident in self.listing()],
            "rejected": [item.view() for item in reversed(self.rejected)],
        }

    def accept(self, headers: dict[str, str], body: bytes, remote: str) -> Json:
        """Verify, dedupe and keep one request to ``/alerts``; raise web errors."""
        now = self.clock()
        lower = {key.lower(): value for key, value in headers.items()}
        claimed_id = lower.get(HEADER_ID, "")
        content_type = lower.get("content-type", "")
        try:
            verified = verify(headers, body, self.keys, now)
            if verified.msg_id in self._seen:
                return {
                    "status": "duplicate",
                    "incident_id": self._seen[verified.msg_id],
                }
            incident_id, alert = parse_alert(verified.msg_id, content_type, body, now)
        except (WebhookError, MalformedAlertError) as err:
            reason = err.reason if isinstance(err, WebhookError) else "malformed"
            status = err.status if isinstance(err, WebhookError) else 400
            self.rejected.append(
                Rejected(
                    now, reason, status, claimed_id[:100], remote,
                    content_type[:100], len(body), str(err)[:200],
                )
            )  # fmt: skip
            self.version += 1
            raise _json_error(status, reason) from err
        incident = self.incidents.setdefault(incident_id, Incident(incident_id))
        incident.alerts.append(alert)
        self._seen[verified.msg_id] = incident_id
        if len(self._seen) > MAX_SEEN:
            del self._seen[next(iter(self._seen))]
        self.version += 1
        return {"status": "stored", "incident_id": incident_id}

    async def send_status(
        self,
        incident_id: str,
        status: str,
        *,
        unit: str | None = None,
        eta_minutes: int | None = None,
        note: str | None = None,
    ) -> StatusUpdate:
        """Sign and send one status update to the front; record and return its answer."""
        if incident_id not in self.incidents:
            raise KeyError(incident_id)
        if status not in STATUSES:
            raise ValueError(f"status is one of {', '.join(STATUSES)}")
        if unit is not None and len(unit) > 40:
            raise ValueError("unit is at most 40 characters")
        if eta_minutes is not None and not 0 <= eta_minutes <= 240:
            raise ValueError("eta_minutes is 0-240")
        if note is not None and len(note) > 500:
            raise ValueError("note is at most 500 characters")
        sent_at = self.clock()
        body: Json = answer_fields(
            incident_id, status=status, unit=unit, eta=eta_minutes, note=note,
            sent_at=sent_at.astimezone().isoformat(timespec="seconds"),
        )  # fmt: skip
        update = StatusUpdate(f"msg_{uuid.uuid4().hex}", status, body, sent_at)
        self.incidents[incident_id].status_updates.append(update)
        await self.front.deliver(update)
        self.version += 1
        return update

    async def _alerts(self, request: web.Request) -> web.Response:
        body = await request.read()
        result = self.accept(dict(request.headers), body, request.remote or "")
        return web.json_response(result)

    async def _evidence(self, request: web.Request) -> web.Response:
        """Take a signed evidence upload: verified, its SHA-256 kept (in memory)."""
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_chunked(256 * 1024):
            size += len(chunk)
            if size > UPLOAD_LIMIT:
                raise web.HTTPRequestEntityTooLarge(UPLOAD_LIMIT, size)
            chunks.append(chunk)
        body = b"".join(chunks)
        try:
            verify(dict(request.headers), body, self.keys, self.clock())
            upload = json.loads(body)
            data = base64.b64decode(upload["content_base64"], validate=True)
        except WebhookError as err:
            raise _json_error(err.status, err.reason) from err
        except (ValueError, KeyError, TypeError) as err:
            raise _json_error(422, "malformed") from err
        digest = hashlib.sha256(data).hexdigest()
        if digest != upload.get("sha256"):
            raise _json_error(422, "digest_mismatch")
        files = self.evidence.setdefault(str(upload.get("incident_id")), {})
        files[str(upload.get("file"))] = digest
        return web.json_response({"status": "stored"})

    async def _api_incidents(self, request: web.Request) -> web.Response:
        data = self.snapshot()
        if request.query.get("view") == "html":
            data["html"] = {
                "incidents": render_incidents(data["incidents"], self.front_webhook),
                "rejected": render_rejected(data["rejected"]),
            }
        return web.json_response(data, dumps=_dumps)

    async def _page(self, _request: web.Request) -> web.Response:
        data = self.snapshot()
        return web.Response(
            text=render_page(data, self.front_webhook), content_type="text/html"
        )

    async def _status(self, request: web.Request) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if origin and origin != f"{request.scheme}://{request.host}":
            raise _json_error(403, "cross_origin")
        incident_id = request.match_info["incident_id"]
        is_json = request.content_type == "application/json"
        try:
            fields: dict[str, object] = (
                dict(await request.json()) if is_json else dict(await request.post())
            )
        except (ValueError, TypeError) as err:
            raise _json_error(400, "malformed") from err
        eta_text = fields.get("eta_minutes")
        try:
            eta = None if eta_text in (None, "") else int(str(eta_text))
            update = await self.send_status(
                incident_id,
                str(fields.get("status", "")),
                unit=_field(fields, "unit"),
                eta_minutes=eta,
                note=_field(fields, "note"),
            )
        except KeyError as err:
            raise _json_error(404, "unknown_incident") from err
        except ValueError as err:
            raise _json_error(400, str(err)) from err
        if not is_json:
            raise web.HTTPSeeOther(f"/#i-{quote(incident_id, safe='')}")
        return web.json_response({"status_update": update.view()}, dumps=_dumps)


CONSOLE_KEY: Final = web.AppKey("police_console", PoliceConsole)


def create_app(
    secrets: Sequence[str | WebhookSecret], front_webhook: str | None
) -> web.Application:
    """Return the console as an aiohttp application (its PoliceConsole is ``app[CONSOLE_KEY]``)."""
    return PoliceConsole(secrets, front_webhook).app


def _field(fields: dict[str, object], name: str) -> str | None:
    value = fields.get(name)
    text = "" if value is None else str(value).strip()
    return text or None


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


def _json_error(status: int, error: str) -> web.HTTPException:
    classes: dict[int, type[web.HTTPException]] = {
        400: web.HTTPBadRequest,
        401: web.HTTPUnauthorized,
        403: web.HTTPForbidden,
        404: web.HTTPNotFound,
        422: web.HTTPUnprocessableEntity,
    }
    return classes.get(status, web.HTTPBadRequest)(
        text=json.dumps({"error": error}), content_type="application/json"
    )
