"""A loaded front's incidents in Home Assistant: the ledger's changes, told to HA.

Every change goes through the front's :class:`~.frente.ledger.FrontLedger` (validate ->
decide -> commit -> apply). Once it is applied the ledger hands it here, and it is told
once, in one direction: HA's ``mi_frente_seguro_incident`` bus event (for a duress change
the bare ``mi_frente_seguro_duress``: ``frente/duress.py``), then the front's dispatcher signal (siren, escalation, evidence capture, entities), all under one context
(the caller's, else a new one). The police alert has already left by then: its commit
started the delivery. A failing disk raises a repair issue until writes work again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util import dt as dt_util

from ..const import EVENT_DURESS, EVENT_INCIDENT, PRESS_COOLDOWN, SIGNAL_INCIDENT
from ..frente.book import FrontStats, IncidentBook, UnknownIncidentError
from ..frente.change import BY_POLICE, BY_SYSTEM, Change, IncidentChange
from ..frente.committer import StorageError
from ..frente.duress import hides, is_hidden
from ..frente.front import Front
from ..frente.incident import Incident, IncidentState, Press, Response
from ..frente.ledger import FrontLedger
from ..frente.suspension import is_held, releases
from ..repairs import async_clear_issue, async_raise_issue


def press_summary(press: Press) -> dict[str, Any]:
    """Return what HA's bus hears of a press: kinds and flags, nothing personal.

    The recorder stores every bus event, so a resident's name, user and person ids, house,
    phone and GPS stay in the incident store (and go to the police and the members'
    phones), never into the event (Ley 1581 de 2012).
    """
    return {
        "at": press.at.isoformat(),
        "kind": press.kind.value,
        "emergency": press.emergency.value,
        "source": press.source.value,
        "is_member": press.sender.is_member,
        "device": press.sender.device,
        "outside_area": None if press.location is None else press.location.outside_area,
    }


# Bookkeeping changes (Ley 1581): no event, the entities only read the book again.
QUIET_CHANGES = frozenset({Change.FORGOTTEN, Change.PURGED})
MAX_CAUSES = 32  # incidents whose latest cause is kept (a front has one open at a time)

# What a lifecycle step's details may tell the bus (by_name and relayed_by stay home).
PUBLIC_DETAILS = frozenset({"reason", "note", "unit", "eta_minutes"})


def by_police(change: IncidentChange) -> bool:
    """Return True for a step the police took (a status update)."""
    return change.step is not None and change.step.by == BY_POLICE


def public_by(by: str | None) -> str | None:
    """Return who moved an incident as the bus tells it: police, system or user."""
    if by in (BY_POLICE, BY_SYSTEM) or by is None:
        return by
    return "user"


class FrontIncidents:
    """The incidents of one loaded front."""

    def __init__(
        self, hass: HomeAssistant, entry_id: str, front: Front, ledger: FrontLedger
    ) -> None:
        """Tell HA of every change the ledger applies."""
        self.hass = hass
        self.entry_id = entry_id
        self.front = front
        self.ledger = ledger
        self.signal = SIGNAL_INCIDENT.format(front.front_id)
        self._last_press_by_user: dict[str, datetime] = {}
        self._stats: FrontStats | None = None
        # Each incident's latest cause (its context), newest last: ``cause_of``.
        self._causes: dict[str, Context] = {}
        ledger.announce = self._announce
        ledger.committer.on_health = self._on_storage

    @property
    def book(self) -> IncidentBook:
        """Return the front's incident book (read it; change it through the ledger)."""
        return self.ledger.book

    @property
    def issue_id(self) -> str:
        """Return the id of the storage repair issue of this front."""
        return f"storage_{self.front.front_id}"

    @property
    def current(self) -> Incident | None:
        """Return the open incident, else the most recent one (silent ones too)."""
        if self.book.open_incident is not None:
            return self.book.open_incident
        return self.book.history[-1] if self.book.history else None

    @property
    def shown(self) -> Incident | None:
        """Return the incident HA's users may see (never a silent one: ``duress.py``)."""
        return self.book.shown()

    @property
    def duress_open(self) -> bool:
        """Return True while a silent incident is open (the police link shows nothing).

        Being committed counts: its police message is queued (and the outbox tells the
        entities) before the book takes the new version.
        """
        try:
            return is_hidden(self.book.latest(None))
        except UnknownIncidentError:
            return False

    def cause_of(self, incident_id: str) -> Context | None:
        """Return the context of the incident's latest change that had a cause, if any.

        Consequences of a change with no caller of their own (the alert delivered,
        ``sent``, evidence) carry it, so they add no fresh context: each would leave a
        reference cycle (``_announce``). A police step keeps a context of its own.
        """
        return self._causes.get(incident_id)

    def _remember_cause(self, incident_id: str, context: Context) -> None:
        self._causes.pop(incident_id, None)
        self._causes[incident_id] = context
        if len(self._causes) > MAX_CAUSES:
            del self._causes[next(iter(self._causes))]

    def stats(self) -> FrontStats:
        """Return the figures the sensors show, computed once per change (not per sensor)."""
        if self._stats is None:
            self._stats = self.book.stats()
        return self._stats

    @callback
    def async_refresh(self) -> None:
        """Tell the entities to read the book again (e.g. a new month began)."""
        self._stats = None
        async_dispatcher_send(self.hass, self.signal, None)

    # -- changes (each raises what the ledger raises, with nothing changed) ---------------

    async def async_press(
        self, press: Press, context: Context | None = None
    ) -> IncidentChange:
        """Record a press durably, then announce it. Duplicates change nothing."""
        return await self.ledger.press(press, context or Context())

    async def async_advance(
        self,
        incident_id: str | None,
        state: IncidentState,
        *,
        by: str | None,
        details: Mapping[str, Any] | None = None,
        context: Context | None = None,
    ) -> IncidentChange:
        """Move an incident (the open one for None) durably, then announce it."""
        return await self.ledger.advance(
            incident_id, state, by=by, details=details, context=context or Context()
        )

    async def async_respond(
        self, incident_id: str, response: Response, context: Context | None = None
    ) -> IncidentChange:
        """Record a member's answer to the alarm notification, durably, and announce it."""
        return await self.ledger.respond(incident_id, response, context or Context())

    async def async_add_evidence(
        self,
        incident_id: str,
        links: Iterable[dict[str, Any]],
        summary: Mapping[str, Any],
    ) -> IncidentChange:
        """Attach evidence files to an incident, durably, and announce them."""
        return await self.ledger.add_evidence(incident_id, links, summary)

    async def async_forget(self, person: str, user_id: str | None) -> int:
        """Take a member's personal data out of every incident; return how many changed."""
        return await self.ledger.forget(person, user_id)

    async def async_purge(self, days: int) -> int:
        """Delete closed incidents that ended more than ``days`` ago; return how many."""
        return await self.ledger.purge(dt_util.now(), days)

    # -- telling HA -----------------------------------------------------------------------

    @callback
    def _announce(self, change: IncidentChange) -> None:
        """Tell a stored change: the bus event, then the front's signal.

        Everything one change causes carries one context: the logbook attributes every
        state to its cause, and HA links a context to the first event fired with it
        (``Context.origin_event``), so a fresh context per event and per state write
        would leave a reference cycle each for the garbage collector (its pauses stop
        the event loop the next alarm needs).
        """
        self._stats = None
        incident_id = change.incident.incident_id
        if isinstance(change.context, Context):
            self._remember_cause(incident_id, change.context)
        elif not by_police(change) and (cause := self.cause_of(incident_id)):
            # A consequence (sent, evidence): its events and states in its cause's
            # context. A police step keeps a context of its own (docs/events.md).
            change = replace(change, context=cause)
        if change.change in QUIET_CHANGES:
            pass  # nothing happened to the alarm: the entities only read the book again
        elif hides(change):  # duress: no event a logbook line or an automation shows
            self.hass.bus.async_fire(
                EVENT_DURESS,
                {
                    "entry_id": self.entry_id,
                    "front_id": self.front.front_id,
                    "incident_id": change.incident.incident_id,
                    "change": change.change.value,
                    "state": change.incident.state.value,
                },
                context=change.context,
            )
        else:
            self.hass.bus.async_fire(
                EVENT_INCIDENT,
                {**self.event_data(change.incident), **self._extra(change)},
                context=change.context,
            )
        async_dispatcher_send(self.hass, self.signal, change)

    def _extra(self, change: IncidentChange) -> dict[str, Any]:
        """Return the change-specific fields of the event (docs/events.md)."""
        extra: dict[str, Any] = {"change": change.change.value}
        if change.press is not None:
            extra["press"] = press_summary(change.press) | {
                "repeat": self._is_repeat(change.press)
            }
            extra["released"] = releases(change)
        elif change.step is not None:
            extra["by"] = public_by(change.step.by)
            extra["details"] = {
                key: value
                for key, value in change.step.details.items()
                if key in PUBLIC_DETAILS
            }
        elif change.response is not None:
            extra["response"] = {
                "action": change.response.action,
                "at": change.response.at.isoformat(),
            }
        elif change.change is Change.EVIDENCE:
            extra["evidence"] = dict(change.extra)
        return extra

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

    def event_data(self, incident: Incident) -> dict[str, Any]:
        """Return the common fields of an incident event (docs/events.md)."""
        return {
            "entry_id": self.entry_id,
            "front_id": self.front.front_id,
            "front_name": self.front.name,
            "incident_id": incident.incident_id,
            "state": incident.state.value,
            "kind": incident.kind.value,
            "emergency": incident.emergency.value,
            "emergencies": [item.value for item in incident.emergencies],
            "source": incident.source.value,
            "exercise": incident.exercise,
            "presses": incident.senders.shown_count,  # silent presses are never told
            "held": is_held(incident),  # only suspended members pressed (suspension.py)
        }

    @callback
    def _on_storage(self, error: StorageError | None) -> None:
        """Raise the repair issue while the front's file cannot be written; clear it after."""
        if error is None:
            async_clear_issue(self.hass, self.issue_id)
            return
        async_raise_issue(
            self.hass,
            self.issue_id,
            "storage_full" if error.reason == "full" else "storage_failed",
            self.front.name,
            ir.IssueSeverity.CRITICAL,
            path=str(error.path),
            reason=error.reason,
        )
