"""A loaded front's incidents in Home Assistant: presses in, events and entity updates out.

Order of work for every change: decide it in the pure :class:`IncidentBook` (no ``await``),
make it durable in the :class:`IncidentStore` together with what the commit hooks stage in
the same transaction (the police outbox's message: one fsync for the change and its alert,
and the alert leaves before anything else is told, so entity and event work never delays
it), then tell HA (press listeners, bus event, entities).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .const import EVENT_INCIDENT, LOGGER, PRESS_COOLDOWN
from .frente.book import FrontStats, IncidentBook, PressResult
from .frente.front import Front
from .frente.incident import Incident, IncidentState, Press, Response, Transition
from .frente.store import IncidentStore

# Stages its writes (synchronously) and returns what to await once they are committed.
type CommitHook = Callable[[Incident, str], Coroutine[Any, Any, object] | None]


def press_summary(press: Press) -> dict[str, Any]:
    """Return what events and attributes say about a press (no phone numbers)."""
    summary: dict[str, Any] = {
        "at": press.at.isoformat(),
        "kind": press.kind.value,
        "source": press.source.value,
        "sender_name": press.sender.name,
        "user_id": press.sender.user_id,
        "person_id": press.sender.person_id,
        "house": press.sender.house,
        "is_member": press.sender.is_member,
        "device": press.sender.device,
    }
    if press.location is not None:
        summary["location"] = {
            "latitude": press.location.latitude,
            "longitude": press.location.longitude,
            "accuracy": press.location.accuracy,
            "distance": press.location.distance,
            "outside_area": press.location.outside_area,
        }
    return summary


class FrontIncidents:
    """The incidents of one loaded front."""

    def __init__(
        self, hass: HomeAssistant, entry_id: str, front: Front, store: IncidentStore
    ) -> None:
        """Bind the book and the store of ``front``."""
        self.hass = hass
        self.entry_id = entry_id
        self.front = front
        self.store = store
        self.book = IncidentBook(front.front_id, dt_util.now)
        self._listeners: list[Callable[[], None]] = []
        self._press_listeners: list[Callable[[Press, PressResult], None]] = []
        self._change_listeners: list[Callable[[Incident, str], None]] = []
        self._commit_hooks: list[CommitHook] = []
        self._last_press_by_user: dict[str, datetime] = {}
        self._stats: FrontStats | None = None
        # The context of the change being told (see _announce); None in between.
        self.context: Context | None = None

    async def async_load(self) -> None:
        """Restore what the store holds (open incidents and recent history)."""
        self.book.load(await self.store.async_open())

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``listener`` after every stored change; return the remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def async_add_press_listener(
        self, listener: Callable[[Press, PressResult], None]
    ) -> CALLBACK_TYPE:
        """Call ``listener`` with every recorded (non-duplicate) press."""
        self._press_listeners.append(listener)
        return lambda: self._press_listeners.remove(listener)

    @callback
    def async_add_change_listener(
        self, listener: Callable[[Incident, str], None]
    ) -> CALLBACK_TYPE:
        """Call ``listener(incident, change)`` after every stored change."""
        self._change_listeners.append(listener)
        return lambda: self._change_listeners.remove(listener)

    @callback
    def async_add_commit_hook(self, hook: CommitHook) -> CALLBACK_TYPE:
        """Call ``hook(incident, change)`` to stage writes in each change's transaction.

        The hook is called right after the change is staged, with no ``await`` in between
        (so its writes commit with the change); the coroutine it returns is awaited once
        they are durable and before the change is told. A hook that fails is logged; the
        change stands.
        """
        self._commit_hooks.append(hook)
        return lambda: self._commit_hooks.remove(hook)

    async def _persist(self, incident: Incident, change: str) -> None:
        """Commit the change and what the hooks stage, in one transaction."""
        saved = self.store.save(incident)
        staged: list[Coroutine[Any, Any, object]] = []
        for hook in list(self._commit_hooks):
            try:
                if (pending := hook(incident, change)) is not None:
                    staged.append(pending)
            except Exception:  # noqa: BLE001  (the change itself must still be stored)
                LOGGER.exception("Could not stage the %s change's extra writes", change)
        try:
            await asyncio.shield(saved)
        except BaseException:
            for pending in staged:
                pending.close()
            raise
        for pending in staged:
            try:
                await pending
            except Exception:  # noqa: BLE001  (the change is stored: log, go on)
                LOGGER.exception(
                    "Could not finish the %s change of incident %s",
                    change,
                    incident.incident_id,
                )

    @callback
    def async_refresh(self) -> None:
        """Tell the entities to read the book again (e.g. a new month began)."""
        self._stats = None
        for listener in list(self._listeners):
            listener()

    @property
    def current(self) -> Incident | None:
        """Return the open incident, else the most recent one."""
        if self.book.open_incident is not None:
            return self.book.open_incident
        return self.book.history[-1] if self.book.history else None

    def stats(self) -> FrontStats:
        """Return the figures the sensors show, computed once per change (not per sensor)."""
        if self._stats is None:
            self._stats = self.book.stats()
        return self._stats

    async def async_press(
        self, press: Press, context: Context | None = None
    ) -> PressResult:
        """Record a press durably, then announce it. Duplicates change nothing."""
        result = self.book.press(press)
        if result.duplicate:
            return result
        if result.opened:
            change = "opened"
        elif result.kind_change is not None:
            change = "kind_upgraded"
        else:
            change = "joined"
        await self._persist(result.incident, change)
        summary = press_summary(press) | {"repeat": self._is_repeat(press)}
        self._announce(
            result.incident, change, context, pressed=(press, result), press=summary
        )
        return result

    def _is_repeat(self, press: Press) -> bool:
        """Return True when the same user pressed within the cooldown (anti-abuse).

        A repeat is never dropped: it is recorded on the incident like any press; it is
        only marked, so notifications can skip it.
        """
        user_id = press.sender.user_id
        if user_id is None:
            return False
        last = self._last_press_by_user.get(user_id)
        self._last_press_by_user[user_id] = press.at
        return last is not None and (press.at - last).total_seconds() < PRESS_COOLDOWN

    async def async_advance(
        self,
        incident_id: str | None,
        state: IncidentState,
        *,
        by: str | None,
        details: dict[str, Any] | None = None,
        context: Context | None = None,
    ) -> tuple[Incident, Transition]:
        """Move an incident (the open one for None) durably, then announce it.

        Raises ``UnknownIncidentError`` or ``IllegalTransitionError`` with nothing changed.
        """
        incident, step = self.book.advance(incident_id, state, by=by, details=details)
        await self._persist(incident, "state")
        self._announce(incident, "state", context, by=by, details=step.details)
        return incident, step

    async def async_respond(
        self, incident_id: str, response: Response, context: Context | None = None
    ) -> Incident:
        """Record a member's answer to the alarm notification, durably, and announce it."""
        incident = self.book.get(incident_id)
        incident.responses.append(response)
        await self._persist(incident, "response")
        self._announce(
            incident,
            "response",
            context,
            response={
                "action": response.action,
                "name": response.name,
                "user_id": response.user_id,
                "at": response.at.isoformat(),
            },
        )
        return incident

    async def async_add_evidence(
        self,
        incident_id: str,
        links: list[dict[str, Any]],
        summary: dict[str, Any],
    ) -> Incident:
        """Attach evidence files to an incident, durably, and announce them."""
        incident = self.book.get(incident_id)
        incident.evidence.extend(links)
        await self._persist(incident, "evidence")
        self._announce(incident, "evidence", None, evidence=summary)
        return incident

    @callback
    def _announce(
        self,
        incident: Incident,
        change: str,
        context: Context | None,
        *,
        pressed: tuple[Press, PressResult] | None = None,
        **extra: Any,
    ) -> None:
        """Tell a stored change: press listeners, the event, change listeners, entities.

        Everything one change causes carries one context (the caller's, else a new one),
        which ``context`` exposes while the change is told: the logbook attributes every
        state to its cause, and HA links a context to the first event fired with it
        (``Context.origin_event``), so a fresh context per event and per state write
        would leave a reference cycle each for the garbage collector (its pauses stop
        the event loop the next alarm needs).
        """
        self.context = context = context or Context()
        try:
            if pressed is not None:
                for press_listener in list(self._press_listeners):
                    press_listener(*pressed)
            self.hass.bus.async_fire(
                EVENT_INCIDENT,
                {**self.event_data(incident), "change": change, **extra},
                context=context,
            )
            for listener in list(self._change_listeners):
                listener(incident, change)
            self.async_refresh()
        finally:
            self.context = None

    def event_data(self, incident: Incident) -> dict[str, Any]:
        """Return the common fields of an incident event (docs/events.md)."""
        return {
            "entry_id": self.entry_id,
            "front_id": self.front.front_id,
            "front_name": self.front.name,
            "incident_id": incident.incident_id,
            "state": incident.state.value,
            "kind": incident.kind.value,
            "source": incident.source.value,
            "exercise": incident.exercise,
            "presses": len(incident.presses),
        }
