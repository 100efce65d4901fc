"""A real Home Assistant process on 127.0.0.1, set up headless, and a client for it.

Used by ``scripts/develop`` (the demo) and by the end-to-end tests: it writes a light
configuration, links the integration into ``custom_components``, creates an admin user with
HA's own ``auth`` script, marks onboarding done, starts ``hass`` and logs in through HA's
public login flow, exactly as the web UI does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
import contextlib
import itertools
import json
import os
from pathlib import Path
import shutil
import signal
import socket
import sys
from types import TracebackType
from typing import Any, Self

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
CONFIG_TEMPLATE = ROOT / "config" / "configuration.yaml"
COMPONENT = ROOT / "custom_components" / "mi_frente_seguro"
CLIENT_ID = "http://127.0.0.1/"
START_TIMEOUT = 120  # s; the first start on a slow machine compiles translations
STOP_TIMEOUT = 30  # s
POLL_INTERVAL = 0.25  # s
ONBOARDING = {
    "version": 4,
    "minor_version": 1,
    "key": "onboarding",
    "data": {"done": ["user", "core_config", "analytics", "integration"]},
}


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def poll(check: Callable[[], Awaitable[bool]]) -> None:
    """Await ``check`` every POLL_INTERVAL s until it is true; the caller bounds the time."""
    # Another process's state has no event to wait on: polling is the only way.
    while not await check():  # noqa: ASYNC110
        await asyncio.sleep(POLL_INTERVAL)


def hass_bin() -> str:
    """Return the ``hass`` executable of the running venv."""
    return str(Path(sys.executable).with_name("hass"))


def prepare_config(
    config_dir: Path,
    users: Mapping[str, str],
    *,
    extra_yaml: str = "",
    base_yaml: str | None = None,
) -> None:
    """Write a runnable HA configuration into ``config_dir`` (idempotent).

    ``users`` maps usernames to passwords; each becomes an administrator. ``base_yaml``
    replaces the demo's configuration (``config/configuration.yaml``).
    """
    config_dir.mkdir(parents=True, exist_ok=True)
    target = config_dir / "configuration.yaml"
    if target.resolve() != CONFIG_TEMPLATE.resolve():
        base = base_yaml or CONFIG_TEMPLATE.read_text(encoding="utf-8")
        target.write_text(base + extra_yaml, encoding="utf-8")
    components = config_dir / "custom_components"
    components.mkdir(exist_ok=True)
    link = components / COMPONENT.name
    if not link.exists():
        link.symlink_to(COMPONENT, target_is_directory=True)
    storage = config_dir / ".storage"
    storage.mkdir(exist_ok=True)
    (storage / "onboarding").write_text(json.dumps(ONBOARDING), encoding="utf-8")
    existing = _existing_users(config_dir)
    for username, password in users.items():
        if username not in existing:
            _run_auth_script(config_dir, "add", username, password)


def _existing_users(config_dir: Path) -> set[str]:
    path = config_dir / ".storage" / "auth_provider.homeassistant"
    if not path.exists():
        return set()
    data = json.loads(path.read_text(encoding="utf-8"))
    return {user["username"] for user in data["data"]["users"]}


def _run_auth_script(config_dir: Path, *args: str) -> None:
    import subprocess  # noqa: PLC0415  (only the set-up step needs it)

    subprocess.run(
        [hass_bin(), "--script", "auth", "-c", str(config_dir), *args],
        check=True,
        capture_output=True,
    )


class HaProcess:
    """``hass -c CONFIG`` on 127.0.0.1:PORT, started and stopped as a context manager."""

    def __init__(
        self,
        config_dir: Path,
        port: int,
        *,
        log_path: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        """Remember where the configuration is and which port to use.

        ``env`` adds variables to the environment of every later :meth:`start` (change
        ``self.env`` between starts to start the next run with others).
        """
        self.config_dir = config_dir
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path or config_dir / "hass.log"
        self.env: dict[str, str] = dict(env or {})
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start HA and wait (at most START_TIMEOUT s) until its HTTP server answers."""
        env = {**os.environ, **self.env, "MFS_HA_PORT": str(self.port)}
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                hass_bin(),
                "-c",
                str(self.config_dir),
                "--skip-pip",
                stdout=log,
                stderr=log,
                env=env,
                start_new_session=True,
            )
        try:
            async with (
                asyncio.timeout(START_TIMEOUT),
                aiohttp.ClientSession() as session,
            ):
                await poll(lambda: self._answers(session))
        except BaseException:
            await self.stop()
            raise

    async def _answers(self, session: aiohttp.ClientSession) -> bool:
        # /auth/providers needs no login, so polling it logs no failed logins.
        if self.process is None or self.process.returncode is not None:
            raise RuntimeError(f"hass exited early; see {self.log_path}")
        try:
            async with session.get(f"{self.url}/auth/providers") as response:
                return response.status == 200
        except aiohttp.ClientError, OSError:
            return False

    async def stop(self) -> None:
        """Stop HA with SIGTERM, and SIGKILL after STOP_TIMEOUT s."""
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(STOP_TIMEOUT):
                await self.process.wait()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            await self.process.wait()

    async def __aenter__(self) -> Self:
        """Start HA."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop HA."""
        await self.stop()

    def log_text(self) -> str:
        """Return what HA logged so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


class HaClient:
    """HA's public REST and websocket APIs, logged in as a user."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        """Use ``session`` to talk to HA at ``url``."""
        self.session = session
        self.url = url
        self.token = ""
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ids = itertools.count(1)

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


def remove_config(config_dir: Path) -> None:
    """Delete a configuration folder made by :func:`prepare_config`."""
    shutil.rmtree(config_dir, ignore_errors=True)
