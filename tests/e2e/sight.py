"""What a non-admin HA user can read, and a check of it for what tells of a front.

:class:`Watch` holds one user's own websocket (``listeners.UserSocket``) subscribed to
everything a non-admin may subscribe to, and asks every API such a user may call (states,
history, logbook, repairs, websocket and REST): :meth:`Watch.traces` returns, per API,
what tells of the front or of one incident since :meth:`Watch.start`. The duress test
expects nothing; its control expects every API to tell.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
import json
from typing import Any
from urllib.parse import quote

from homeassistant.auth.permissions.events import SUBSCRIBE_ALLOWLIST
from scripts.harness.ha_client import HaClient

from .listeners import UserSocket

DOMAIN = "mi_frente_seguro"


async def eventually[T](
    check: Callable[[], Awaitable[T] | T], timeout: float = 60
) -> T:
    """Poll ``check`` (sync or async) until it returns something truthy."""
    async with asyncio.timeout(timeout):
        while True:
            result = check()
            if isinstance(result, Awaitable):
                result = await result
            if result:
                return result
            await asyncio.sleep(0.2)


@dataclass
class Front:
    """The front as its entities and devices, and what names it in any payload."""

    entry_id: str
    entities: dict[str, str]  # key (unique id without the front id) -> entity id
    devices: list[str]

    def ids(self, allowed: Iterable[str] = ()) -> set[str]:
        """Return the entity ids, but those of the ``allowed`` keys."""
        return {eid for key, eid in self.entities.items() if key not in set(allowed)}

    def leaks(
        self,
        parts: Iterable[tuple[str | None, Any]],
        incident_id: str,
        allowed: Iterable[str] = (),
    ) -> list[Any]:
        """Return the (entity id, payload) parts that tell of the front or the incident.

        The ``allowed`` keys' entities may change (nothing of theirs may name the incident).
        """
        hidden, catching_up = self.ids(allowed), self.ids() - self.ids(allowed)
        words = [*hidden, *self.devices, self.entry_id, DOMAIN]
        found = []
        for entity_id, part in parts:
            text = json.dumps(part, ensure_ascii=False)
            tells = entity_id not in catching_up and any(w in text for w in words)
            if incident_id in text or entity_id in hidden or tells:
                found.append(part)
        return found


def parts(kind: str, event: Any) -> Iterable[tuple[str | None, Any]]:
    """Split one subscription's event message into (entity id or None, part) pieces."""
    if kind == "state_changed":
        yield event["data"]["entity_id"], event
    elif kind == "subscribe_entities":
        for key in ("a", "c"):
            yield from (event.get(key) or {}).items()
        yield from ((entity_id, entity_id) for entity_id in event.get("r") or [])
    elif kind == "logbook/event_stream":
        yield from (
            (entry.get("entity_id"), entry) for entry in event.get("events", [])
        )
    else:
        yield None, event


@dataclass
class Watch:
    """All a user can read from their own login: what their socket hears, what they ask."""

    sock: UserSocket
    client: HaClient
    admin: HaClient
    front: Front
    kinds: dict[int, str] = field(default_factory=dict)  # subscription id -> kind
    moment: float = 0.0  # loop time: what the socket hears after it counts
    since: datetime = field(default_factory=lambda: datetime.now(UTC))
    before: dict[str, Any] = field(default_factory=dict)  # what each API showed

    async def listen(self, webhook_id: str) -> None:
        """Subscribe to everything a non-admin may subscribe to."""
        start, sub = datetime.now(UTC).isoformat(), self.sock.subscribe
        for event_type in sorted(map(str, SUBSCRIBE_ALLOWLIST)):
            kind = "state_changed" if event_type == "state_changed" else "bus event"
            self.kinds[await sub("subscribe_events", event_type=event_type)] = kind
        self.kinds[await sub("subscribe_entities")] = "subscribe_entities"
        for scope in ({}, {"device_ids": self.front.devices}):
            stream = await sub("logbook/event_stream", start_time=start, **scope)
            self.kinds[stream] = "logbook/event_stream"
        self.kinds[await sub("persistent_notification/subscribe")] = "notifications"
        channel = await sub(
            "mobile_app/push_notification_channel", webhook_id=webhook_id
        )
        self.kinds[channel] = (
            "phone"  # the app's local push channel: what it would show
        )

    async def start(self) -> None:
        """Count from now, once the front is quiet; keep what each API shows now."""
        self.moment = await self.sock.quiet([*self.front.ids(), self.front.entry_id])
        self.since = datetime.now(UTC)
        self.before = await self._shown()

    async def _shown(self) -> dict[str, Any]:
        return {
            "get_states": await self.sock.command("get_states"),
            "GET /api/states": await self.client.rest("GET", "/api/states"),
            "repairs/list_issues": (await self.sock.command("repairs/list_issues"))[
                "issues"
            ],
        }

    def heard(self, incident_id: str, allowed: Iterable[str] = ()) -> list[Any]:
        """Return what the socket heard that tells of it (from the phone: anything)."""
        found = []
        for item in self.sock.since(self.moment):
            kind = self.kinds[item.subscription]
            if kind == "phone" or (
                kind == "notifications" and item.event["type"] != "current"
            ):
                found.append(item.event)
            else:
                found += self.front.leaks(parts(kind, item.event), incident_id, allowed)
        return found

    async def traces(
        self, incident_id: str, context_id: str | None, allowed: Iterable[str] = ()
    ) -> dict[str, list[Any]]:
        """Return, per API, what tells of the front or of the incident since the start."""
        await flush_recorder(self.admin)
        found: dict[str, list[Any]] = {
            "subscriptions": self.heard(incident_id, allowed)
        }
        now = await self._shown()
        for api in ("get_states", "GET /api/states"):
            found[api] = self._changed(self.before[api], now[api], incident_id, allowed)
        found["repairs/list_issues"] = [
            issue for issue in now["repairs/list_issues"]
            if issue not in self.before["repairs/list_issues"]
        ]  # fmt: skip
        found |= await self._asked(incident_id, context_id, allowed)
        return {api: items for api, items in found.items() if items}

    def _changed(
        self,
        before: list[Any],
        now: list[Any],
        incident_id: str,
        allowed: Iterable[str],
    ) -> list[Any]:
        ids = self.front.ids(allowed)
        then = {s["entity_id"]: (s["state"], s["attributes"]) for s in before}
        changed = [
            s for s in now
            if s["entity_id"] in ids
            and then.get(s["entity_id"]) != (s["state"], s["attributes"])
        ]  # fmt: skip
        return changed + ([incident_id] if incident_id in json.dumps(now) else [])

    async def _asked(
        self, incident_id: str, context_id: str | None, allowed: Iterable[str]
    ) -> dict[str, list[Any]]:
        """Ask the history and logbook APIs (websocket and REST) for the window."""
        ids, start = sorted(self.front.ids()), self.since.isoformat()
        history = await self.sock.command(
            "history/history_during_period",
            start_time=start,
            entity_ids=ids,
            include_start_time_state=False,
            significant_changes_only=False,
        )
        rest_history = await self.client.rest(
            "GET",
            f"/api/history/period/{quote(start)}?filter_entity_id={','.join(ids)}"
            "&significant_changes_only=0",
        )  # each entity's state at the start comes first: only later ones are news
        later = [
            (state["entity_id"], state)
            for states in rest_history
            for state in states
            if datetime.fromisoformat(state["last_updated"]) > self.since
        ]
        logbook = [
            (entry.get("entity_id"), entry)
            for scope in ({}, {"entity_ids": ids}, {"device_ids": self.front.devices})
            for entry in await self.sock.command(
                "logbook/get_events", start_time=start, **scope
            )
        ]
        rest_logbook = await self.client.rest("GET", f"/api/logbook/{quote(start)}")
        leaks = self.front.leaks
        return {
            "history/history_during_period": leaks(
                ((e, s) for e, s in history.items() if s), incident_id, allowed
            ),
            "GET /api/history/period": leaks(later, incident_id, allowed),
            "logbook/get_events": leaks(logbook, incident_id, allowed),
            "GET /api/logbook": leaks(
                ((e.get("entity_id"), e) for e in rest_logbook), incident_id, allowed
            ),
            "logbook/get_events by the press's context": (  # all the press caused
                await self.sock.command(
                    "logbook/get_events", start_time=start, context_id=context_id
                )
                if context_id
                else []
            ),
        }


async def flush_recorder(admin: HaClient) -> None:
    """Write a probe state and wait until history has it: all before it is committed."""
    start = datetime.now(UTC).isoformat()
    value = f"probe-{asyncio.get_running_loop().time()}"
    await admin.rest("POST", "/api/states/sensor.mfs_probe", {"state": value})

    async def recorded() -> bool:
        history = await admin.ws(
            "history/history_during_period",
            start_time=start,
            entity_ids=["sensor.mfs_probe"],
            include_start_time_state=False,
            significant_changes_only=False,
        )
        return any(s.get("s") == value for s in history.get("sensor.mfs_probe", []))

    await eventually(recorded)
