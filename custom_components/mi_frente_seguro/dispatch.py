"""A front's police link in HA: the outbox that sends, escalation, and the status webhook.

Every incident change worth telling the police becomes a message in the durable outbox
(committed before the first attempt). The first message never waits for cameras: evidence
follows as ``incident.updated``. A delivered ``incident.created`` moves the incident to
``sent``; the police's signed status updates come back through an HA webhook.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from homeassistant.components import webhook
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .const import (
    BY_POLICE,
    BY_SYSTEM,
    CONF_ESCALATION_DELAY,
    CONF_POLICE_FORMAT,
    CONF_POLICE_SECRET,
    CONF_POLICE_SECRET_PREVIOUS,
    CONF_POLICE_URL,
    CONF_POLICE_WEBHOOK_ID,
    DEFAULT_ESCALATION_DELAY,
    DOMAIN,
    LOGGER,
)
from .frente.book import UnknownIncidentError
from .frente.dispatch.attempt import OutboxFormat
from .frente.dispatch.changes import message_for_change
from .frente.dispatch.inbound import MAX_BODY, InboundVerifier, StatusUpdate
from .frente.dispatch.messages import build_created
from .frente.dispatch.outbox import Outbox, OutboxEvent
from .frente.dispatch.outbox_db import read_legacy, remove_legacy
from .frente.dispatch.replay import ReplayCache
from .frente.dispatch.signing import WebhookError, WebhookSecret
from .frente.front import Front
from .frente.incident import IllegalTransitionError, Incident, IncidentState
from .incidents import FrontIncidents

EVENT_ESCALATION = "mi_frente_seguro_escalation"
ENTITY_REFRESH_COOLDOWN = 1.0  # s between refreshes of the police-link entities
RECEIVED_OR_LATER = frozenset(
    {
        IncidentState.RECEIVED,
        IncidentState.DISPATCHED,
        IncidentState.ON_SCENE,
        IncidentState.CLOSED,
        IncidentState.CANCELLED,
    }
)


@dataclass(frozen=True, slots=True)
class PoliceSettings:
    """The front's police endpoint and its webhook back."""

    url: str | None
    message_format: OutboxFormat
    secrets: tuple[WebhookSecret, ...]
    escalation_delay: int
    webhook_id: str | None


def police_settings(options: Mapping[str, Any]) -> PoliceSettings:
    """Return the police settings in a front's options."""
    secrets = tuple(
        WebhookSecret.parse(text)
        for key in (CONF_POLICE_SECRET, CONF_POLICE_SECRET_PREVIOUS)
        if (text := options.get(key))
    )
    return PoliceSettings(
        url=options.get(CONF_POLICE_URL) or None,
        message_format=OutboxFormat(options.get(CONF_POLICE_FORMAT, OutboxFormat.JSON)),
        secrets=secrets,
        escalation_delay=int(
            options.get(CONF_ESCALATION_DELAY, DEFAULT_ESCALATION_DELAY)
        ),
        webhook_id=options.get(CONF_POLICE_WEBHOOK_ID) or None,
    )


class FrontDispatch:
    """The police link of one loaded front."""

    def __init__(
        self,
        hass: HomeAssistant,
        folder: Path,
        incidents: FrontIncidents,
        settings: PoliceSettings,
    ) -> None:
        """Prepare the outbox and the status verifier (opened by async_start)."""
        self.hass = hass
        self.incidents = incidents
        self.settings = settings
        front_id = incidents.front.front_id
        self.outbox: Outbox | None = None
        if settings.url and settings.secrets:
            self.outbox = Outbox(
                incidents.store.committer,
                async_get_clientsession(hass),
                settings.url,
                settings.secrets,
                message_format=settings.message_format,
                executor=hass.async_add_executor_job,
                clock=dt_util.now,
                on_gone=self._on_gone,
            )
        self.legacy_outbox = folder / f"{front_id}-outbox.db"
        self.replay = ReplayCache(
            folder / f"{front_id}-replay.db", hass.async_add_executor_job, dt_util.now
        )
        self.verifier = InboundVerifier(settings.secrets, self.replay, dt_util.now)
        self.last_police_status: str | None = None
        self._escalations: dict[str, CALLBACK_TYPE] = {}
        self._listeners: list[Callable[[], None]] = []
        self._unsubs: list[CALLBACK_TYPE] = []
        self._stopped = False
        self._refresh = Debouncer(
            hass,
            LOGGER,
            cooldown=ENTITY_REFRESH_COOLDOWN,
            immediate=True,
            function=self._notify_now,
        )

    @property
    def issue_id(self) -> str:
        """Return the id of the endpoint-gone repair issue."""
        return f"endpoint_gone_{self.incidents.front.front_id}"

    async def async_start(self) -> None:
        """Open the files, resend what a crash may have left unsent, start delivering."""
        await self.replay.open()
        self._unsubs.append(self.incidents.async_add_change_listener(self._on_change))
        self._unsubs.append(self.incidents.async_add_commit_hook(self._stage))
        if self.outbox is None:
            return
        await self.outbox.open()
        await self._adopt_legacy_outbox()
        self._unsubs.append(self.outbox.add_listener(self._on_outbox))
        for incident in self.incidents.book.all():
            # Open but never queued (opened before the police link was set): queue it now.
            if (
                incident.is_open
                and self.outbox.original_of(incident.incident_id) is None
            ):
                created = build_created(incident, self.front, dt_util.now())
                await self.outbox.enqueue(created)
        self.outbox.start()

    async def async_stop(self) -> None:
        """Stop delivering and close the files (nothing is lost: it is all on disk)."""
        if self._stopped:
            return
        self._stopped = True
        for unsub in (*self._unsubs, *self._escalations.values()):
            unsub()
        self._unsubs.clear()
        self._escalations.clear()
        self._refresh.async_shutdown()
        if self.outbox is not None:
            await self.outbox.stop()
            await self.outbox.close()
        await self.replay.close()

    @property
    def front(self) -> Front:
        """Return the front's settings."""
        return self.incidents.front

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``listener`` when the outbox or the police status changes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _notify(self) -> None:
        """Refresh the police-link entities: at once, then at most once a second.

        A drained backlog delivers hundreds of messages a second; one state write per
        message would load the event loop and the recorder for nothing.
        """
        self._refresh.async_schedule_call()

    @callback
    def _notify_now(self) -> None:
        for listener in list(self._listeners):
            listener()

    # -- front -> police -------------------------------------------------------------

    @callback
    def _on_change(self, incident: Incident, change: str) -> None:
        if change == "opened":
            self._arm_escalation(incident)
        elif change == "state" and incident.state in RECEIVED_OR_LATER:
            self._disarm_escalation(incident.incident_id)

    def _stage(
        self, incident: Incident, change: str
    ) -> Coroutine[Any, Any, bool] | None:
        """Stage the change's police message in the change's own transaction.

        One fsync makes the change and its alert durable; the outbox starts delivering as
        soon as it is, while the event loop is still free of the entity and event work
        the change brings (that is told only afterwards). The outbox's own "enqueued"
        event refreshes the police-link entities.
        """
        if self.outbox is None:
            return None
        message = message_for_change(incident, self.front, change, dt_util.now())
        if message is None:
            return None
        return self.outbox.stage(message)

    async def _adopt_legacy_outbox(self) -> None:
        """Re-queue what a separate outbox file (earlier versions) left undelivered."""
        assert self.outbox is not None
        legacy = await self.hass.async_add_executor_job(read_legacy, self.legacy_outbox)
        if legacy is None:
            return
        await self.outbox.adopt(legacy)
        await self.hass.async_add_executor_job(remove_legacy, self.legacy_outbox)
        LOGGER.info(
            "Moved %s undelivered police messages of %s into its incident file",
            len(legacy.pending),
            self.front.name,
        )

    @callback
    def _on_outbox(self, event: OutboxEvent) -> None:
        if (
            event.kind == "delivered"
            and event.message_type == "incident.created"
            and event.incident_id is not None
        ):
            self.hass.async_create_task(
                self._mark_sent(event.incident_id), eager_start=True
            )
        if event.kind in {"resumed", "delivered"}:
            ir.async_delete_issue(self.hass, DOMAIN, self.issue_id)
        self._notify()

    async def _mark_sent(self, incident_id: str) -> None:
        try:
            incident = self.incidents.book.get(incident_id)
        except UnknownIncidentError:
            return
        if incident.state is IncidentState.TRIGGERED:
            await self.incidents.async_advance(
                incident_id, IncidentState.SENT, by=BY_SYSTEM
            )

    def _on_gone(self) -> None:
        LOGGER.error(
            "The police endpoint of %s answered 410 Gone: delivery stopped",
            self.incidents.front.name,
        )
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self.issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="endpoint_gone",
            translation_placeholders={"front": self.incidents.front.name},
        )
        self._notify()

    # -- escalation ----------------------------------------------------------------------

    def _arm_escalation(self, incident: Incident) -> None:
        if incident.exercise:
            return
        incident_id = incident.incident_id

        @callback
        def escalate(_now: datetime) -> None:
            self._escalations.pop(incident_id, None)
            try:
                current = self.incidents.book.get(incident_id)
            except UnknownIncidentError:
                return
            if current.state in RECEIVED_OR_LATER:
                return
            front = self.incidents.front
            self.hass.bus.async_fire(
                EVENT_ESCALATION,
                {
                    **self.incidents.event_data(current),
                    "cuadrante_code": front.cuadrante_code,
                    "cuadrante_name": front.cuadrante_name,
                    "cuadrante_phone": front.cuadrante_phone,
                    "delay": self.settings.escalation_delay,
                },
            )

        self._escalations[incident_id] = async_call_later(
            self.hass, self.settings.escalation_delay, escalate
        )

    def _disarm_escalation(self, incident_id: str) -> None:
        if (unsub := self._escalations.pop(incident_id, None)) is not None:
            unsub()

    # -- police -> front ------------------------------------------------------------------

    async def async_handle_webhook(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        """Apply a signed police status update; 200 only once it is stored."""
        body = await request.content.read(MAX_BODY + 1)
        try:
            update = self.verifier.check(dict(request.headers), body)
        except WebhookError as err:
            LOGGER.warning(
                "Refused a police update for %s: %s",
                self.incidents.front.name,
                err.reason,
            )
            return web.json_response({"error": err.reason}, status=err.status)
        if self.outbox is not None:  # a signed call: the police system is up again
            self.outbox.retry_now()
        try:
            status = await self._apply(update)
        except Exception:  # noqa: BLE001  (HA's webhook would answer 200: say 500)
            self.verifier.release(update)
            LOGGER.exception("A police update could not be stored")
            return web.json_response({"error": "internal_error"}, status=500)
        if status == 200:
            await self.verifier.commit(update)
        else:
            self.verifier.release(update)
        reason = {200: "stored", 404: "unknown_incident", 409: "illegal_transition"}
        return web.json_response(
            {"status": reason[status]} if status == 200 else {"error": reason[status]},
            status=status,
        )

    async def _apply(self, update: StatusUpdate) -> int:
        try:
            incident = self.incidents.book.get(update.incident_id)
        except UnknownIncidentError:
            return 404
        if incident.state is update.status:
            return 200  # a retry of an update we already stored
        try:
            await self.incidents.async_advance(
                update.incident_id,
                update.status,
                by=BY_POLICE,
                details=update.details(),
            )
        except IllegalTransitionError:
            return 409
        self.last_police_status = update.status.value
        self._notify_now()  # the police's word shows at once
        return 200


@callback
def async_register_webhook(
    hass: HomeAssistant, dispatch: FrontDispatch
) -> CALLBACK_TYPE:
    """Register the front's status webhook (reachable from outside: police are not local)."""
    webhook_id = dispatch.settings.webhook_id
    if not webhook_id:
        return lambda: None
    webhook.async_register(
        hass,
        DOMAIN,
        f"Mi Frente Seguro {dispatch.incidents.front.name}",
        webhook_id,
        dispatch.async_handle_webhook,
        local_only=False,
        allowed_methods=["POST"],
    )
    return lambda: webhook.async_unregister(hass, webhook_id)
