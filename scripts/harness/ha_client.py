"""A client of a real Home Assistant's public REST and websocket APIs, logged in as a user.

It logs in through HA's public login flow, exactly as the web UI does, and drives what a
coordinator does in the UI: config flows, options flows, websocket commands.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import itertools
import json
from typing import Any, Self

import aiohttp

from .ha import START_TIMEOUT
from .process import poll

CLIENT_ID = "http://127.0.0.1/"


class HaClient:
    """HA's public REST and websocket APIs, logged in as a user."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        """Use ``session`` to talk to HA at ``url``."""
        self.session = session
        self.url = url
        self.token = ""
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ids = itertools.count(1)

    @classmethod
    async def connect(
        cls, session: aiohttp.ClientSession, url: str, username: str, password: str
    ) -> Self:
        """Return a client logged in as ``username``, once HA is running."""
        client = cls(session, url)
        await client.login(username, password)
        await client.wait_running()
        return client

    async def login(self, username: str, password: str) -> None:
        """Log in through the login flow the web UI uses and keep the access token."""
        flow = await self._post_json(
            "/auth/login_flow",
            {
                "client_id": CLIENT_ID,
                "handler": ["homeassistant", None],
                "redirect_uri": CLIENT_ID,
            },
        )
        result = await self._post_json(
            f"/auth/login_flow/{flow['flow_id']}",
            {"client_id": CLIENT_ID, "username": username, "password": password},
        )
        if result.get("type") != "create_entry":
            raise PermissionError(
                f"login refused for {username}: {result.get('errors')}"
            )
        async with self.session.post(
            f"{self.url}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": result["result"],
                "client_id": CLIENT_ID,
            },
        ) as response:
            response.raise_for_status()
            self.token = (await response.json())["access_token"]

    async def _post_json(self, path: str, body: Any) -> Any:
        async with self.session.post(f"{self.url}{path}", json=body) as response:
            response.raise_for_status()
            return await response.json()

    @property
    def headers(self) -> dict[str, str]:
        """Return the bearer authorization header."""
        return {"Authorization": f"Bearer {self.token}"}

    async def rest(self, method: str, path: str, body: Any = None) -> Any:
        """Call the REST API and return the decoded JSON answer."""
        async with self.session.request(
            method, f"{self.url}{path}", json=body, headers=self.headers
        ) as response:
            text = await response.text()
            if response.status >= 400:
                raise RuntimeError(f"{method} {path} -> {response.status}: {text}")
            return json.loads(text) if text else None

    async def wait_running(self) -> None:
        """Wait (at most START_TIMEOUT s) until HA reports it has finished starting."""
        async with asyncio.timeout(START_TIMEOUT):
            await poll(self._running)
        await self.confirm_http_config()

    async def confirm_http_config(self) -> None:
        """Confirm our HTTP settings (127.0.0.1:port) so HA does not revert them.

        HA 2026.10 treats a changed ``http:`` configuration as a trial and, unless it is
        confirmed, restarts after a few minutes with the previous one (port 8123 on every
        interface): the demo and the tests must stay on their loopback port.
        """
        config = await self.ws("http/config")
        if config.get("pending") and config.get("revert_at"):
            await self.ws("http/config/promote")

    async def _running(self) -> bool:
        return bool((await self.rest("GET", "/api/config"))["state"] == "RUNNING")

    async def ws(self, command: str, **fields: Any) -> Any:
        """Send one websocket command and return its result."""
        if self._ws is None:
            self._ws = await self.session.ws_connect(f"{self.url}/api/websocket")
            await self._ws.receive_json()  # auth_required
            await self._ws.send_json({"type": "auth", "access_token": self.token})
            answer = await self._ws.receive_json()
            if answer["type"] != "auth_ok":
                raise PermissionError(answer)
        message_id = next(self._ids)
        await self._ws.send_json({"id": message_id, "type": command, **fields})
        while True:
            answer = await self._ws.receive_json()
            if answer.get("id") == message_id and answer["type"] == "result":
                if not answer["success"]:
                    raise RuntimeError(f"{command}: {answer['error']}")
                return answer["result"]

    async def close(self) -> None:
        """Close the websocket, if open."""
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    async def run_config_flow(self, *steps: Mapping[str, Any]) -> dict[str, Any]:
        """Start our config flow, submit each step's fields in turn, return the last answer."""
        result: dict[str, Any] = await self.rest(
            "POST", "/api/config/config_entries/flow", {"handler": "mi_frente_seguro"}
        )
        for fields in steps:
            result = await self.rest(
                "POST",
                f"/api/config/config_entries/flow/{result['flow_id']}",
                dict(fields),
            )
            if result["type"] != "form":
                break
        return result

    async def options_flow(
        self, entry_id: str, step: str, fields: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Open a front's options, pick ``step`` in the menu and submit ``fields``."""
        base = "/api/config/config_entries/options/flow"
        result: dict[str, Any] = await self.rest("POST", base, {"handler": entry_id})
        result = await self.rest(
            "POST", f"{base}/{result['flow_id']}", {"next_step_id": step}
        )
        result = await self.rest("POST", f"{base}/{result['flow_id']}", dict(fields))
        if result["type"] != "create_entry":
            raise RuntimeError(f"options step {step} was not saved: {result}")
        return result

    async def add_front(
        self, fields: Mapping[str, Any], broker: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Add a front (and its kit's broker, if any) through the config-flow REST API."""
        broker_step = broker or {"broker_host": "", "broker_port": 1883}
        result = await self.run_config_flow(
            fields, {"broker_tls": False, "topic_base": "mfs", **broker_step}
        )
        if result["type"] != "create_entry":
            raise RuntimeError(f"config flow did not create the front: {result}")
        return result

    async def diagnostics(self, entry_id: str) -> dict[str, Any]:
        """Return a config entry's diagnostics data ({} while it reloads: 4xx/5xx)."""
        try:
            answer = await self.rest("GET", f"/api/diagnostics/config_entry/{entry_id}")
        except RuntimeError:
            return {}
        data: dict[str, Any] = (answer or {}).get("data") or {}
        return data

    async def police_linked(self, entry_id: str) -> bool:
        """Return whether the front runs with its police link (per its diagnostics)."""
        police = (await self.diagnostics(entry_id)).get("police") or {}
        return bool(police.get("endpoint"))

    async def wait_for_police_link(self, entry_id: str, timeout: float = 60) -> None:
        """Wait until the front has reloaded with its police link."""
        async with asyncio.timeout(timeout):
            await poll(lambda: self.police_linked(entry_id), 0.2)

    async def create_user(
        self, name: str, username: str, password: str, *, admin: bool = False
    ) -> str:
        """Create an HA user with a username and password (as admin); return its id.

        A non-admin joins ``system-users``, as HA's "People" page creates one.
        """
        group = "system-admin" if admin else "system-users"
        created = await self.ws("config/auth/create", name=name, group_ids=[group])
        user_id = str(created["user"]["id"])
        await self.ws(
            "config/auth_provider/homeassistant/create",
            user_id=user_id,
            username=username,
            password=password,
        )
        return user_id

    async def create_person(self, name: str, user_id: str | None = None) -> str:
        """Create a person (linked to ``user_id``, if given); return its entity id."""
        created = await self.ws("person/create", name=name, user_id=user_id)
        async with asyncio.timeout(30):
            while True:  # the person's state appears once the collection is saved
                for state in await self.rest("GET", "/api/states"):
                    entity_id = str(state["entity_id"])
                    if entity_id.startswith("person.") and (
                        state["attributes"].get("id") == created["id"]
                    ):
                        return entity_id
                await asyncio.sleep(0.2)

    async def set_person_trackers(self, person: str, trackers: list[str]) -> None:
        """Set the device trackers of ``person`` (an entity id), as its HA page does."""
        state = await self.rest("GET", f"/api/states/{person}")
        await self.ws(
            "person/update",
            person_id=state["attributes"]["id"],
            device_trackers=trackers,
        )

    async def add_member(
        self, entry_id: str, person: str, house: str, phone: str, role: str
    ) -> dict[str, Any]:
        """Add a member to a front through its member subentry flow (the "Add member").

        The member's form, then the privacy notice, authorized (Ley 1581).
        """
        base = "/api/config/config_entries/subentries/flow"
        flow: dict[str, Any] = await self.rest(
            "POST", base, {"handler": [entry_id, "member"]}
        )
        url = f"{base}/{flow['flow_id']}"
        member = {"person": person, "house": house, "phone": phone, "role": role}
        result: dict[str, Any] = await self.rest("POST", url, member)
        if result.get("step_id") != "privacy":
            raise RuntimeError(f"member {person}: no privacy notice: {result}")
        result = await self.rest("POST", url, {"authorized": True})
        if result["type"] != "create_entry":
            raise RuntimeError(f"member {person} was not added: {result}")
        return result

    async def register_phone(
        self, device_name: str, push_url: str, push_token: str
    ) -> dict[str, Any]:
        """Register an Android companion app for this client's user (mobile_app API).

        Pushes for it go to ``push_url`` with ``push_token``; returns HA's answer
        (``webhook_id`` and the rest).
        """
        answer: dict[str, Any] = await self.rest(
            "POST",
            "/api/mobile_app/registrations",
            {
                "app_id": "io.homeassistant.companion.android",
                "app_name": "Home Assistant",
                "app_version": "2026.11",
                "device_name": device_name,
                "manufacturer": "Google",
                "model": "Pixel 9",
                "os_name": "Android",
                "os_version": "16",
                "supports_encryption": False,
                "app_data": {"push_url": push_url, "push_token": push_token},
            },
        )
        return answer

    async def phone_tracker(self, device_name: str) -> str | None:
        """Return the device tracker mobile_app made for a registered phone (as admin).

        None until the registration's entities exist.
        """
        entries = await self.rest(
            "GET", "/api/config/config_entries/entry?domain=mobile_app"
        )
        ids = {entry["entry_id"] for entry in entries if entry["title"] == device_name}
        for item in await self.ws("config/entity_registry/list"):
            if item["config_entry_id"] in ids and item["entity_id"].startswith(
                "device_tracker."
            ):
                return str(item["entity_id"])
        return None
