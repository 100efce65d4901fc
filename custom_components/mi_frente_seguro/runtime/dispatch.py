"""A front's police link in HA: the outbox, escalation and the status webhook.

The front's ledger queues a police message for every change worth telling, in the change's
own commit, and marks the incident ``sent`` once its alert is delivered. This module builds
the outbox from the front's settings, shows what it does (entities, repair issues for a
retired endpoint or a refused message), escalates alarms the police have not confirmed in
time, and owns the status webhook the police call: every answer is an explicit status, and
2xx only once the update is committed. While a duress alarm is open, what the link does
(its repair issues, its entities) waits until it has ended (``frente/duress.py``).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from aiohttp import web

from homeassistant.components import webhook
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.dispatcher import (
    async_dispatcher_connect,
    async_dispatcher_send,
)
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from ..const import (
    BY_POLICE,
    DOMAIN,
    EVENT_ESCALATION,
    FIRST_DESTINATION,
    LOGGER,
    SIGNAL_POLICE,
)
from ..frente.change import Change, IncidentChange
from ..frente.committer import StorageError
from ..frente.dispatch.inbound import MAX_BODY, InboundVerifier, TooLargeError
from ..frente.dispatch.outbox import OutboxEvent
from ..frente.dispatch.signing import WebhookError
from ..frente.dispatch.uploads import UPLOAD_SUFFIX
from ..frente.duress import hides, is_hidden
from ..frente.incident import Incident, IncidentKind, IncidentState
from ..frente.ledger import PoliceAnswer
from ..repairs import async_clear_issue, async_raise_issue
from .destinations import DELIVERY_CHANGES, FrontDestinations, async_tell_delivery
from .duress import FrontDuress
from .incidents import FrontIncidents
from .police_settings import PoliceSettings

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
ANSWERS = {
    PoliceAnswer.STORED: 200,
    PoliceAnswer.ALREADY: 200,
    PoliceAnswer.UNKNOWN: 404,
    PoliceAnswer.ILLEGAL: 409,
}


async def read_body(request: web.Request, limit: int) -> bytes:
    """Return the whole request body, however it is split; raise TooLargeError past ``limit``."""
    if request.content_length is not None and request.content_length > limit:
        raise TooLargeError(f"body larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(limit + 1 - size):
        size += len(chunk)
        if size > limit:
            raise TooLargeError(f"body larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


class FrontDispatch:
    """The police link of one loaded front."""

    def __init__(
        self,
        hass: HomeAssistant,
        incidents: FrontIncidents,
        settings: PoliceSettings,
        duress: FrontDuress,
    ) -> None:
        """Follow the ledger's outbox; verify status updates with the front's secrets.

        ``duress`` escalates silent incidents to the coordinators, out of HA's sight.
        """
        self.hass = hass
        self.incidents = incidents
        self.settings = settings
        self.duress = duress
        self.ledger = incidents.ledger
        self.outbox = self.ledger.outbox  # the first destination's (the police link)
        self.destinations = FrontDestinations.of(
            hass, incidents.front.front_id, self.ledger.outboxes, settings
        )
        self.destinations.on_change = self._notify
        self.names = {d.destination_id: d.name for d in settings.destinations}
        self.verifier = InboundVerifier(
            settings.secrets, self.ledger.replay, dt_util.now
        )
        self.last_police_status: str | None = None
        self.refused: Counter[str] = Counter()  # refused status updates by reason
        self.signal = SIGNAL_POLICE.format(incidents.front.front_id)
        self._escalations: dict[str, CALLBACK_TYPE] = {}
        # The link's news during a duress alarm, the latest of each kind, in order.
        self._held: dict[str, OutboxEvent] = {}
        self._unsubs: list[CALLBACK_TYPE] = []
        self._stopped = False
        self._refresh = Debouncer(
            hass,
            LOGGER,
            cooldown=ENTITY_REFRESH_COOLDOWN,
            immediate=True,
            function=self._notify_now,
        )
        self.ledger.on_outbox = self._on_outbox

    @property
    def front_id(self) -> str:
        """Return the front's id."""
        return self.incidents.front.front_id

    def issue_id(self, kind: str, destination: str | None = None) -> str:
        """Return the id of a destination's repair issue of ``kind`` (gone, refused).

        The first destination (``police``, the link of before) keeps the id it had.
        """
        if destination is None or destination == FIRST_DESTINATION:
            return f"endpoint_{kind}_{self.front_id}"
        return f"endpoint_{kind}_{self.front_id}_{destination}"

    @callback
    def async_start(self) -> None:
        """Take status updates; follow changes; escalate what a restart left unconfirmed."""
        self._register_webhook()
        self.destinations.async_start()
        self._unsubs.append(
            async_dispatcher_connect(self.hass, self.incidents.signal, self._on_change)
        )
        now = dt_util.now()
        for incident in self.incidents.book.all():
            if incident.is_open and incident.state not in RECEIVED_OR_LATER:
                elapsed = (now - incident.opened_at).total_seconds()
                self._arm_escalation(incident, self.settings.escalation_delay - elapsed)

    @callback
    def async_stop(self) -> None:
        """Stop escalating and refreshing (the ledger stops delivering)."""
        if self._stopped:
            return
        self._stopped = True
        self.destinations.async_stop()
        for unsub in (*self._unsubs, *self._escalations.values()):
            unsub()
        self._unsubs.clear()
        self._escalations.clear()
        self._refresh.async_shutdown()

    def _register_webhook(self) -> None:
        """Register the status webhook (reachable from outside: police are not local).

        HA's webhook component answers 200 when a handler raises, to unknown ids and to
        remote calls on a ``local_only`` hook: the handler answers for itself, and only
        the signature check keeps others out.
        """
        webhook_id = self.settings.webhook_id
        if not webhook_id:
            return
        webhook.async_register(
            self.hass,
            DOMAIN,
            f"Mi Frente Seguro {self.incidents.front.name}",
            webhook_id,
            self.async_handle_webhook,
            local_only=False,
            allowed_methods=["POST"],
        )
        self._unsubs.append(lambda: webhook.async_unregister(self.hass, webhook_id))

    def _notify(self) -> None:
        """Refresh the police-link entities: at once, then at most once a second.

        A drained backlog delivers hundreds of messages a second; one state write per
        message would load the event loop and the recorder for nothing.
        """
        self._refresh.async_schedule_call()

    @callback
    def _notify_now(self) -> None:
        async_dispatcher_send(self.hass, self.signal)

    # -- front -> police -------------------------------------------------------------

    @callback
    def _on_change(self, change: IncidentChange | None) -> None:
        if change is None:
            return
        if self._held and not self.incidents.duress_open:  # the duress has ended
            held, self._held = self._held, {}
            for event in held.values():
                self._on_outbox(event)
        incident = change.incident
        if change.change is Change.OPENED:
            self._arm_escalation(incident, self.settings.escalation_delay)
        elif (
            change.kind_change is not None
            and change.kind_change.old is IncidentKind.DRILL
        ):
            self._arm_escalation(incident, self.settings.escalation_delay)  # now real
        elif change.change is Change.ADVANCED and incident.state in RECEIVED_OR_LATER:
            self._disarm_escalation(incident.incident_id)
        if (
            change.step is not None
            and change.step.by == BY_POLICE
            and not hides(change)
        ):
            self.last_police_status = change.step.state.value
            self._notify_now()  # the police's word shows at once

    @callback
    def _on_outbox(self, event: OutboxEvent) -> None:
        if event.kind in DELIVERY_CHANGES:  # proof of delivery (not of silent alarms)
            async_tell_delivery(self.hass, self.incidents, self.names, event)
        if self.incidents.duress_open:
            # Repair issues are listed to every user (and their registry event is theirs
            # to hear): what the link does for a duress alarm waits until it has ended.
            self._held.pop(event.kind, None)
            self._held[event.kind] = event
            return
        where = event.destination
        if event.kind == "gone":
            LOGGER.error(
                "A destination of %s answered 410 Gone: its delivery paused",
                self.incidents.front.name,
            )
            self._issue("gone", where, {})
        elif event.kind in {"resumed", "delivered"}:
            async_clear_issue(self.hass, self.issue_id("gone", where))
        elif event.kind == "dead":
            self._issue(
                "refused",
                where,
                {"message_id": event.message_id or "", "reason": event.error or ""},
            )
            self._notify_now()
        self._notify()

    def _issue(
        self, kind: str, destination: str | None, placeholders: dict[str, str]
    ) -> None:
        # An evidence upload's destination is "<destination>.evidence": name its owner.
        found = self.destinations.settings.get(
            (destination or "").removesuffix(UPLOAD_SUFFIX)
        )
        async_raise_issue(
            self.hass,
            self.issue_id(kind, destination),
            f"endpoint_{kind}",
            self.incidents.front.name,
            ir.IssueSeverity.ERROR,
            fixable=kind == "refused",
            destination=found.name if found else "-",
            **placeholders,
        )

    # -- escalation ----------------------------------------------------------------------

    def _arm_escalation(self, incident: Incident, delay: float) -> None:
        """Fire the escalation event in ``delay`` s unless the police confirm first."""
        if incident.exercise or incident.incident_id in self._escalations:
            return
        incident_id = incident.incident_id

        @callback
        def escalate(_now: datetime) -> None:
            self._escalations.pop(incident_id, None)
            try:
                current = self.incidents.book.get(incident_id)
            except LookupError:
                return
            if current.state in RECEIVED_OR_LATER or current.exercise:
                return
            if is_hidden(current):  # duress: no event an automation would show
                self.duress.escalate(current)
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
            self.hass, timedelta(seconds=max(delay, 0.0)), escalate
        )

    def _disarm_escalation(self, incident_id: str) -> None:
        if (unsub := self._escalations.pop(incident_id, None)) is not None:
            unsub()

    # -- police -> front ------------------------------------------------------------------

    async def async_handle_webhook(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        """Apply a signed police status update; 200 only once it is stored.

        HA's webhook component answers 200 when a handler raises: every outcome here is
        an explicit status instead (docs/police-api.md lists them).
        """
        try:
            return await self._handle(request)
        except Exception:  # noqa: BLE001  (never let HA answer 200 for us)
            LOGGER.exception("A police update for %s failed", self.incidents.front.name)
            return web.json_response({"error": "internal_error"}, status=500)

    async def _handle(self, request: web.Request) -> web.Response:
        try:
            body = await read_body(request, MAX_BODY)
            update = self.verifier.check(request.headers, body)
        except WebhookError as err:
            if not self.refused[err.reason]:  # one line a reason; diagnostics count
                LOGGER.warning(
                    "Refused a police update for %s: %s (further ones only counted)",
                    self.incidents.front.name,
                    err.reason,
                )
            self.refused[err.reason] += 1
            return web.json_response({"error": err.reason}, status=err.status)
        for outbox in self.ledger.outboxes:  # a signed call: the police system is up
            if outbox.kind in {"json", "cap"}:
                outbox.resume()
                outbox.retry_now()
        for upload in self.ledger.uploads:  # and so are its evidence uploads
            upload.retry_now()
        try:
            answer, _ = await self.ledger.police_update(update)
        except StorageError as err:
            LOGGER.warning("A police update could not be stored: %s", err)
            return web.json_response({"error": "storage_unavailable"}, status=500)
        finally:
            self.verifier.release(update)
        status = ANSWERS[answer]
        if status == 200:
            return web.json_response({"status": "stored"}, status=200)
        return web.json_response({"error": answer.value}, status=status)
