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

Evidence and map locations are shown as links only; the console fetches nothing.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
import html
import json
import os
import re
from typing import Any, Final, Literal
from urllib.parse import quote, urlsplit
import uuid
from xml.etree import ElementTree as ET

import aiohttp
from aiohttp import web

from custom_components.mi_frente_seguro.frente.dispatch.signing import (
    HEADER_ID,
    InvalidSecretError,
    WebhookError,
    WebhookSecret,
    signature_headers,
    verify,
)

HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 8765
MAX_BODY: Final = 1024 * 1024  # bytes accepted on /alerts
MAX_REJECTED: Final = 200  # rejected requests remembered
MAX_SEEN: Final = 50_000  # webhook ids remembered for dedupe
FRONT_TIMEOUT: Final = aiohttp.ClientTimeout(total=10, connect=3)
CAP_NS: Final = "{urn:oasis:names:tc:emergency:cap:1.2}"
STATUSES: Final = ("received", "dispatched", "on_scene", "closed")

KIND_LABELS: Final = {"panic": "pánico", "silent": "silencioso", "drill": "simulacro"}
STATE_LABELS: Final = {
    "triggered": "activada",
    "sent": "enviada",
    "received": "recibida",
    "dispatched": "despachada",
    "on_scene": "en el sitio",
    "closed": "cerrada",
    "cancelled": "cancelada",
}
STATUS_LABELS: Final = {
    "received": "Recibido",
    "dispatched": "Despachado",
    "on_scene": "En el sitio",
    "closed": "Cerrado",
}
REASON_LABELS: Final = {
    "unsigned": "sin firma",
    "forged": "firma falsa",
    "stale": "fuera de la ventana de tiempo",
    "malformed": "mal formado",
}

type Json = dict[str, Any]


class MalformedAlertError(ValueError):
    """A correctly signed alert whose body is not a message of the contract."""


@dataclass(frozen=True, slots=True)
class CapAlert:
    """What the console reads from a CAP 1.2 alert (the raw XML is kept too)."""

    identifier: str
    sender: str
    sent: str
    status: str
    msg_type: str
    addresses: str
    note: str
    incident_id: str
    sender_name: str
    event: str
    headline: str
    description: str
    contact: str
    parameters: dict[str, str]
    areas: list[tuple[str, float | None, float | None]]
    resources: list[dict[str, str]]
    raw: str


@dataclass(frozen=True, slots=True)
class Alert:
    """One accepted message, as received."""

    webhook_id: str
    received_at: datetime
    format: Literal["json", "cap"]
    type: str
    body: Json | None = None
    cap: CapAlert | None = None


@dataclass(slots=True)
class StatusUpdate:
    """One status update sent to the front, with the front's answer."""

    webhook_id: str
    status: str
    body: Json
    sent_at: datetime
    http_status: int | None = None
    answer: str = ""
    error: str = ""

    def view(self) -> Json:
        """Return it as JSON for the page and the tests."""
        return {
            "webhook_id": self.webhook_id,
            "status": self.status,
            "status_label": STATUS_LABELS.get(self.status, self.status),
            "unit": self.body.get("unit"),
            "eta_minutes": self.body.get("eta_minutes"),
            "note": self.body.get("note"),
            "sent_at": self.sent_at.astimezone().isoformat(timespec="seconds"),
            "http_status": self.http_status,
            "answer": self.answer,
            "error": self.error,
            "ok": self.http_status is not None and 200 <= self.http_status < 300,
        }


@dataclass(frozen=True, slots=True)
class Rejected:
    """One refused request to ``/alerts``."""

    at: datetime
    reason: str
    status: int
    webhook_id: str
    remote: str
    content_type: str
    size: int
    detail: str

    def view(self) -> Json:
        """Return it as JSON for the page and the tests."""
        return {
            "at": self.at.astimezone().isoformat(timespec="seconds"),
            "reason": self.reason,
            "reason_label": REASON_LABELS.get(self.reason, self.reason),
            "status": self.status,
            "webhook_id": self.webhook_id,
            "remote": self.remote,
            "content_type": self.content_type,
            "size": self.size,
            "detail": self.detail,
        }


@dataclass(slots=True)
class Incident:
    """An incident as the police see it: every message received, every update sent."""

    incident_id: str
    alerts: list[Alert] = field(default_factory=list)
    status_updates: list[StatusUpdate] = field(default_factory=list)

    @property
    def updated_at(self) -> datetime:
        """Return when the last message arrived."""
        return self.alerts[-1].received_at

    def view(self) -> Json:
        """Return what the page shows, from the latest message (each carries it all)."""
        latest = self.alerts[-1]
        if latest.body is not None:
            view = _json_view(latest.body)
        else:
            assert latest.cap is not None
            view = _cap_view(latest.cap)
        kind = str(view["kind"])
        state = str(view["state"])
        view.update(
            incident_id=self.incident_id,
            format=latest.format,
            type=latest.type,
            kind_label=KIND_LABELS.get(kind, kind),
            state_label=STATE_LABELS.get(state, state),
            received_at=self.alerts[0]
            .received_at.astimezone()
            .isoformat(timespec="seconds"),
            updated_at=self.updated_at.astimezone().isoformat(timespec="seconds"),
            messages=[
                {
                    "webhook_id": alert.webhook_id,
                    "type": alert.type,
                    "format": alert.format,
                    "received_at": alert.received_at.astimezone().isoformat(
                        timespec="seconds"
                    ),
                }
                for alert in self.alerts
            ],
            status_updates=[update.view() for update in self.status_updates],
            latest_status=(
                self.status_updates[-1].view() if self.status_updates else None
            ),
        )
        return view


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _obj(value: object) -> Json:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def map_url(lat: float, lon: float) -> str:
    """Return an OpenStreetMap link to a point (a link only: nothing is fetched)."""
    return f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=18/{lat:.6f}/{lon:.6f}"


def _location(
    lat: float | None, lon: float | None, accuracy: float | None
) -> Json | None:
    if lat is None or lon is None:
        return None
    return {
        "lat": lat,
        "lon": lon,
        "accuracy_m": accuracy,
        "map_url": map_url(lat, lon),
    }


def _json_view(body: Json) -> Json:
    front = _obj(body.get("front"))
    cuadrante = _obj(front.get("cuadrante"))
    coordinator = _obj(front.get("coordinator"))
    senders = []
    for press in _list(body.get("presses")):
        press_obj = _obj(press)
        sender = _obj(press_obj.get("sender"))
        where = _obj(press_obj.get("location"))
        location = _location(
            _number(where.get("lat")),
            _number(where.get("lon")),
            _number(where.get("accuracy_m")),
        )
        if location is not None:
            location["distance_m"] = _number(where.get("distance_m"))
            location["outside_area"] = where.get("outside_area") is True
        senders.append(
            {
                "name": _text(sender.get("name"))
                or (
                    f"botón {device}" if (device := _text(sender.get("device"))) else ""
                ),
                "house": _text(sender.get("house")),
                "phone": _text(sender.get("phone")),
                "at": _text(press_obj.get("at")),
                "kind": _text(press_obj.get("kind")),
                "note": _text(press_obj.get("note")),
                "location": location,
            }
        )
    evidence = [
        {
            "camera": _text(item.get("camera")),
            "url": _text(item.get("url")),
            "kind": _text(item.get("kind")),
            "mime_type": _text(item.get("mime_type")),
            "captured_at": _text(item.get("captured_at")),
            "sha256": _text(item.get("sha256")),
        }
        for item in map(_obj, _list(body.get("evidence")))
    ]
    front_lat, front_lon = _number(front.get("lat")), _number(front.get("lon"))
    return {
        "front": {
            "id": _text(front.get("id")),
            "name": _text(front.get("name")),
            "barrio": _text(front.get("barrio")),
            "address": _text(front.get("address")),
            "cuadrante": " ".join(
                part
                for part in (_text(cuadrante.get("code")), _text(cuadrante.get("name")))
                if part
            ),
            "coordinator": " ".join(
                part
                for part in (
                    _text(coordinator.get("name")),
                    _text(coordinator.get("phone")),
                )
                if part
            ),
            "location": _location(front_lat, front_lon, _number(front.get("radius_m"))),
        },
        "kind": _text(body.get("kind")),
        "exercise": body.get("exercise") is True,
        "state": _text(body.get("state")),
        "source": _text(body.get("source")),
        "note": _text(body.get("note")),
        "opened_at": _text(body.get("opened_at")),
        "sent_at": _text(body.get("sent_at")),
        "senders": senders,
        "evidence": evidence,
        "cancel": _obj(body.get("cancel")) or None,
        "close": _obj(body.get("close")) or None,
        "description": "",
        "cap": None,
    }


def _cap_view(cap: CapAlert) -> Json:
    front_area = cap.areas[0] if cap.areas else ("", None, None)
    senders = [
        {
            "name": desc.removeprefix("Ubicación de ").split(" (")[0],
            "house": "",
            "phone": "",
            "at": "",
            "kind": "",
            "note": "",
            "location": _location(lat, lon, None),
        }
        for desc, lat, lon in cap.areas[1:]
    ]
    evidence = [
        {
            "camera": resource.get("resourceDesc", ""),
            "url": resource.get("uri", ""),
            "kind": "",
            "mime_type": resource.get("mimeType", ""),
            "captured_at": "",
            "sha256": "",
        }
        for resource in cap.resources
    ]
    return {
        "front": {
            "id": cap.sender.removeprefix("mi-frente-seguro:"),
            "name": cap.sender_name.removeprefix("Frente de seguridad "),
            "barrio": front_area[0].split(",")[0],
            "address": front_area[0],
            "cuadrante": cap.addresses,
            "coordinator": cap.contact,
            "location": _location(front_area[1], front_area[2], None),
        },
        "kind": cap.parameters.get("kind", ""),
        "exercise": cap.status == "Exercise",
        "state": cap.parameters.get("state", ""),
        "source": "",
        "note": cap.note,
        "opened_at": "",
        "sent_at": cap.sent,
        "senders": senders,
        "evidence": evidence,
        "cancel": None,
        "close": None,
        "description": cap.description,
        "cap": {"identifier": cap.identifier, "msg_type": cap.msg_type, "raw": cap.raw},
    }


def parse_cap(raw: str) -> CapAlert:
    """Read the parts of a CAP 1.2 alert the console shows; raise MalformedAlertError."""
    if "<!DOCTYPE" in raw or "<!ENTITY" in raw:
        raise MalformedAlertError("CAP with a DOCTYPE or entities is refused")
    try:
        # Only parsed once its signature verified, and without DTDs (checked above).
        root = ET.fromstring(raw)  # noqa: S314
    except ET.ParseError as err:
        raise MalformedAlertError(f"not XML: {err}") from err
    if root.tag != f"{CAP_NS}alert":
        raise MalformedAlertError("not a CAP 1.2 alert")

    def child(parent: ET.Element | None, name: str) -> str:
        found = None if parent is None else parent.find(f"{CAP_NS}{name}")
        return (found.text or "").strip() if found is not None else ""

    info = root.find(f"{CAP_NS}info")
    parameters = {}
    areas: list[tuple[str, float | None, float | None]] = []
    resources: list[dict[str, str]] = []
    if info is not None:
        for parameter in info.findall(f"{CAP_NS}parameter"):
            parameters[child(parameter, "valueName")] = child(parameter, "value")
        for area in info.findall(f"{CAP_NS}area"):
            match = re.match(r"\s*(-?[\d.]+),(-?[\d.]+)", child(area, "circle"))
            lat = float(match[1]) if match else None
            lon = float(match[2]) if match else None
            areas.append((child(area, "areaDesc"), lat, lon))
        resources = [
            {
                name: child(resource, name)
                for name in ("resourceDesc", "mimeType", "uri")
            }
            for resource in info.findall(f"{CAP_NS}resource")
        ]
    incident_id = child(root, "incidents") or parameters.get("incident_id", "")
    if not child(root, "identifier") or not incident_id:
        raise MalformedAlertError("CAP alert without identifier or incidents")
    return CapAlert(
        identifier=child(root, "identifier"),
        sender=child(root, "sender"),
        sent=child(root, "sent"),
        status=child(root, "status"),
        msg_type=child(root, "msgType"),
        addresses=child(root, "addresses"),
        note=child(root, "note"),
        incident_id=incident_id,
        sender_name=child(info, "senderName"),
        event=child(info, "event"),
        headline=child(info, "headline"),
        description=child(info, "description"),
        contact=child(info, "contact"),
        parameters=parameters,
        areas=areas,
        resources=resources,
        raw=raw,
    )


def parse_alert(
    webhook_id: str, content_type: str, body: bytes, received_at: datetime
) -> tuple[str, Alert]:
    """Return ``(incident_id, alert)`` for a verified body; raise MalformedAlertError."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise MalformedAlertError("body is not UTF-8") from err
    if "xml" in content_type or text.lstrip().startswith("<"):
        cap = parse_cap(text)
        if cap.identifier != webhook_id:
            raise MalformedAlertError("CAP identifier differs from webhook-id")
        message_type = cap.parameters.get("message_type", cap.msg_type)
        return cap.incident_id, Alert(
            webhook_id, received_at, "cap", message_type, cap=cap
        )
    try:
        message = json.loads(text)
    except ValueError as err:
        raise MalformedAlertError("body is not JSON") from err
    if not isinstance(message, dict):
        raise MalformedAlertError("body is not a JSON object")
    if message.get("version") != "1":
        raise MalformedAlertError("version is not '1'")
    incident_id = message.get("incident_id")
    if not isinstance(incident_id, str) or not incident_id:
        raise MalformedAlertError("incident_id missing")
    if message.get("id") != webhook_id:
        raise MalformedAlertError("id differs from webhook-id")
    return incident_id, Alert(
        webhook_id, received_at, "json", _text(message.get("type")), body=message
    )


def _parse_secrets(secrets: Sequence[str | WebhookSecret]) -> list[WebhookSecret]:
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
        self.keys = _parse_secrets(secrets)
        self.front_webhook = front_webhook
        self.clock = clock
        self.incidents: dict[str, Incident] = {}
        self.rejected: deque[Rejected] = deque(maxlen=MAX_REJECTED)
        self.version = 0  # bumped on every change the page should show
        self._seen: dict[str, str] = {}  # webhook id -> incident id
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self.app = web.Application(client_max_size=MAX_BODY)
        self.app[CONSOLE_KEY] = self
        self.app.cleanup_ctx.append(self._client_session)
        self.app.router.add_get("/", self._page)
        self.app.router.add_post("/alerts", self._alerts)
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
        body: Json = {"version": "1", "incident_id": incident_id, "status": status}
        if unit:
            body["unit"] = unit
        if eta_minutes is not None:
            body["eta_minutes"] = eta_minutes
        if note:
            body["note"] = note
        body["sent_at"] = sent_at.astimezone().isoformat(timespec="seconds")
        update = StatusUpdate(f"msg_{uuid.uuid4().hex}", status, body, sent_at)
        self.incidents[incident_id].status_updates.append(update)
        await self._deliver(update)
        self.version += 1
        return update

    async def _deliver(self, update: StatusUpdate) -> None:
        if not self.front_webhook:
            update.error = "sin webhook del frente configurado (--front-webhook)"
            return
        payload = json.dumps(update.body, ensure_ascii=False).encode()
        headers = signature_headers(
            update.webhook_id, int(update.sent_at.timestamp()), payload, self.keys
        )
        headers["Content-Type"] = "application/json"
        headers["User-Agent"] = "mi-frente-seguro-police-console/1"
        session = self._session or aiohttp.ClientSession(timeout=FRONT_TIMEOUT)
        try:
            async with session.post(
                self.front_webhook, data=payload, headers=headers, allow_redirects=False
            ) as response:
                update.http_status = response.status
                update.answer = (await response.text(errors="replace"))[:500]
        except (aiohttp.ClientError, TimeoutError) as err:
            update.error = f"{type(err).__name__}: {err}"[:300]
        finally:
            if session is not self._session:
                await session.close()

    async def _client_session(self, _app: web.Application) -> AsyncIterator[None]:
        self._session = aiohttp.ClientSession(timeout=FRONT_TIMEOUT)
        yield
        session, self._session = self._session, None
        await session.close()

    async def _alerts(self, request: web.Request) -> web.Response:
        body = await request.read()
        result = self.accept(dict(request.headers), body, request.remote or "")
        return web.json_response(result)

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
    }
    return classes.get(status, web.HTTPBadRequest)(
        text=json.dumps({"error": error}), content_type="application/json"
    )


# --- the page -------------------------------------------------------------------------

e = html.escape


def _link(url: str, label: str) -> str:
    """Return a link for http(s) URLs, plain text for anything else (e.g. media-source)."""
    if urlsplit(url).scheme in ("http", "https"):
        return f'<a href="{e(url)}" target="_blank" rel="noopener noreferrer">{e(label)}</a>'
    return f"<code>{e(url)}</code>"


def _where(location: Json | None) -> str:
    if not location:
        return "sin ubicación"
    text = f"{location['lat']:.6f}, {location['lon']:.6f}"
    if location.get("accuracy_m") is not None:
        text += f" (±{location['accuracy_m']:.0f} m)"
    extra = " — fuera del área" if location.get("outside_area") else ""
    return f"{_link(location['map_url'], text)} {e(extra)}"


def _status_line(update: Json | None) -> str:
    if update is None:
        return "—"
    parts = [e(update["status_label"])]
    if update.get("unit"):
        parts.append(f"unidad {e(update['unit'])}")
    if update.get("eta_minutes") is not None:
        parts.append(f"ETA {update['eta_minutes']} min")
    if update.get("note"):
        parts.append(f"«{e(update['note'])}»")
    if update["http_status"] is not None:
        css = "ok" if update["ok"] else "bad"
        answer = f'<span class="{css}">HTTP {update["http_status"]}</span> {e(update["answer"])}'
    else:
        answer = f'<span class="bad">{e(update["error"])}</span>'
    return f"{', '.join(parts)} — {e(update['sent_at'])} → {answer}"


def _buttons(incident_id: str) -> str:
    action = f"/api/incidents/{e(quote(incident_id, safe=''))}/status"

    def form(status: str, label: str, inputs: str = "") -> str:
        return (
            f'<form method="post" action="{action}">'
            f'<input type="hidden" name="status" value="{status}">{inputs}'
            f"<button>{label}</button></form>"
        )

    return (
        '<div class="actions">'
        + form("received", "Recibido")
        + form(
            "dispatched",
            "Despachar",
            '<input name="unit" maxlength="40" placeholder="Unidad" size="10">'
            '<input name="eta_minutes" type="number" min="0" max="240" placeholder="ETA (min)" style="width:6em">',
        )
        + form("on_scene", "En el sitio")
        + form(
            "closed",
            "Cerrar",
            '<input name="note" maxlength="500" placeholder="Nota" size="20">',
        )
        + "</div>"
    )


def render_incident(incident: Json, front_webhook: str | None) -> str:
    """Return one incident as an HTML card."""
    front = incident["front"]
    badge = '<span class="badge">EJERCICIO</span>' if incident["exercise"] else ""
    silent = (
        '<p class="warn">Pánico silencioso: posible coacción, no llame abiertamente a quien lo activó.</p>'
        if incident["kind"] == "silent"
        else ""
    )
    senders = "".join(
        f"<li>{e(s['name'] or '(sin nombre)')}, casa {e(s['house'] or '—')}, "
        f"tel. {e(s['phone'] or '—')} — {_where(s['location'])}"
        + (f" — «{e(s['note'])}»" if s["note"] else "")
        + (f" <small>{e(s['at'])}</small>" if s["at"] else "")
        + "</li>"
        for s in incident["senders"]
    )
    evidence = "".join(
        f"<li>{e(item['camera'] or item['kind'] or 'evidencia')} "
        f"{_link(item['url'], item['mime_type'] or 'abrir')} "
        f"<small>{e(item['captured_at'])}</small></li>"
        for item in incident["evidence"]
        if item["url"]
    )
    messages = ", ".join(
        f"{e(m['type'])} ({e(m['format'])}, {e(m['received_at'])})"
        for m in incident["messages"]
    )
    cap = incident["cap"]
    cap_html = (
        f"<details><summary>CAP {e(cap['identifier'])}</summary><pre>{e(cap['raw'])}</pre></details>"
        if cap
        else ""
    )
    front_place = _where(front["location"]) if front["location"] else ""
    closing = ""
    if incident["cancel"]:
        closing = f"<p>Cancelado: {e(str(incident['cancel'].get('reason', '')))} ({e(str(incident['cancel'].get('by_name', '')))})</p>"
    elif incident["close"]:
        closing = (
            f"<p>Cerrado por el frente: {e(str(incident['close'].get('note', '')))}</p>"
        )
    buttons = (
        _buttons(incident["incident_id"])
        if front_webhook
        else "<p><small>Sin --front-webhook: no se pueden enviar estados.</small></p>"
    )
    return (
        f'<article class="incident kind-{e(incident["kind"])}" id="i-{e(quote(incident["incident_id"], safe=""))}">'
        f"<h2>{e(front['name'] or front['id'])} {badge}</h2>"
        f"<p><b>Barrio:</b> {e(front['barrio'])} — <b>Dirección:</b> {e(front['address'])} {front_place}<br>"
        f"<b>Cuadrante:</b> {e(front['cuadrante'])} — <b>Coordinador:</b> {e(front['coordinator'])}<br>"
        f"<b>Tipo:</b> {e(incident['kind_label'])} — <b>Estado:</b> {e(incident['state_label'])}"
        f" — <b>Incidente:</b> <code>{e(incident['incident_id'])}</code><br>"
        f"<b>Abierto:</b> {e(incident['opened_at'] or '—')} — <b>Recibido:</b> {e(incident['received_at'])}"
        f" — <b>Actualizado:</b> {e(incident['updated_at'])}</p>"
        f"{silent}"
        + (f"<p><b>Nota:</b> {e(incident['note'])}</p>" if incident["note"] else "")
        + f"<h3>Remitentes</h3><ul>{senders or '<li>—</li>'}</ul>"
        f"<h3>Evidencia</h3><ul>{evidence or '<li>sin evidencia</li>'}</ul>"
        + (
            f"<pre>{e(incident['description'])}</pre>"
            if incident["description"]
            else ""
        )
        + f"{closing}{cap_html}"
        f"<p><b>Último estado enviado:</b> {_status_line(incident['latest_status'])}</p>"
        f"{buttons}<p><small>Mensajes: {messages}</small></p></article>"
    )


def render_incidents(incidents: list[Json], front_webhook: str | None) -> str:
    """Return the incident list as HTML."""
    if not incidents:
        return "<p>Sin incidentes todavía.</p>"
    return "".join(render_incident(incident, front_webhook) for incident in incidents)


def render_rejected(rejected: list[Json]) -> str:
    """Return the rejected requests as an HTML list."""
    if not rejected:
        return "<p>Ninguno.</p>"
    return (
        "<ul>"
        + "".join(
            f"<li>{e(item['at'])} — HTTP {item['status']} {e(item['reason_label'])}"
            f" — webhook-id <code>{e(item['webhook_id'] or '—')}</code>"
            f" — {e(item['remote'])}, {item['size']} bytes — <small>{e(item['detail'])}</small></li>"
            for item in rejected
        )
        + "</ul>"
    )


_SCRIPT: Final = """
let version = %d;
async function refresh() {
  try {
    const answer = await fetch('/api/incidents?view=html');
    const data = await answer.json();
    const typing = document.activeElement && document.activeElement.closest('form');
    if (data.version === version || typing) return;
    version = data.version;
    document.getElementById('incidents').innerHTML = data.html.incidents;
    document.getElementById('rejected').innerHTML = data.html.rejected;
  } catch (err) {}
}
setInterval(refresh, 2000);
"""


def render_page(data: Json, front_webhook: str | None) -> str:
    """Return the whole page (Spanish)."""
    webhook = e(front_webhook) if front_webhook else "sin configurar"
    return f"""<!DOCTYPE html>
<html lang="es"><head><meta charset="utf-8">
<title>Consola policial — Mi Frente Seguro</title>
<style>
body {{ font-family: sans-serif; margin: 1em; max-width: 70em; }}
.incident {{ border: 1px solid #999; border-radius: 6px; padding: .5em 1em; margin: 1em 0; }}
.kind-panic {{ border-left: 8px solid #c00; }} .kind-silent {{ border-left: 8px solid #800080; }}
.kind-drill {{ border-left: 8px solid #888; }}
.badge {{ background: #ffb300; color: #000; padding: 0 .4em; border-radius: 4px; font-size: .7em; }}
.warn {{ color: #800080; font-weight: bold; }} .ok {{ color: #070; }} .bad {{ color: #c00; }}
.actions form {{ display: inline-block; margin-right: 1em; }}
pre {{ white-space: pre-wrap; background: #f4f4f4; padding: .5em; }}
</style></head><body>
<h1>Consola policial de referencia — Mi Frente Seguro</h1>
<p>Alertas en <code>POST /alerts</code> (firmas Standard Webhooks verificadas).
Webhook de estado del frente: <code>{webhook}</code>. Se actualiza cada 2 s.</p>
<h2>Incidentes</h2>
<div id="incidents">{render_incidents(data["incidents"], front_webhook)}</div>
<h2>Rechazados</h2>
<div id="rejected">{render_rejected(data["rejected"])}</div>
<script>{_SCRIPT % data["version"]}</script>
</body></html>
"""


# --- command line ---------------------------------------------------------------------


async def run(args: argparse.Namespace) -> None:
    """Serve the console until interrupted."""
    secrets = [args.secret] + ([args.previous_secret] if args.previous_secret else [])
    console = PoliceConsole(secrets, args.front_webhook)
    url = await console.start(args.port)
    print(f"police console on {url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await console.stop()


def main() -> None:
    """Parse arguments and run the console."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="0: any free port"
    )
    parser.add_argument(
        "--secret",
        default=os.environ.get("MFS_POLICE_SECRET"),
        help="the front's whsec_ secret (or MFS_POLICE_SECRET)",
    )
    parser.add_argument(
        "--previous-secret",
        default=os.environ.get("MFS_POLICE_PREVIOUS_SECRET"),
        help="the previous secret while rotating",
    )
    parser.add_argument(
        "--front-webhook",
        help="the front's status webhook, http://127.0.0.1:8123/api/webhook/<id>",
    )
    args = parser.parse_args()
    if not args.secret:
        parser.error("--secret (or MFS_POLICE_SECRET) is required")
    try:
        _parse_secrets([s for s in (args.secret, args.previous_secret) if s])
    except InvalidSecretError as err:
        parser.error(str(err))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
