"""A real Home Assistant process on 127.0.0.1, set up headless.

Used by ``scripts/develop`` (the demo), the end-to-end tests, the benchmarks and the chaos
run: it writes a light configuration, links the integration into ``custom_components``,
creates administrators with HA's own ``auth`` script, marks onboarding done and starts
``hass`` as a :class:`~scripts.harness.process.ManagedProcess`. ``ha_client`` logs in.
"""

from __future__ import annotations

from collections.abc import Mapping
import json
from pathlib import Path
import subprocess
import sys

import aiohttp

from .process import ManagedProcess, poll

ROOT = Path(__file__).resolve().parents[2]
CONFIG_TEMPLATE = ROOT / "config" / "configuration.yaml"
COMPONENT = ROOT / "custom_components" / "mi_frente_seguro"
START_TIMEOUT = 120  # s; the first start on a slow machine compiles translations
STOP_TIMEOUT = 30  # s
ONBOARDING = {
    "version": 4,
    "minor_version": 1,
    "key": "onboarding",
    "data": {"done": ["user", "core_config", "analytics", "integration"]},
}
# The box of every configuration the harness writes: Cartagena, HTTP on loopback only.
BOX = """\
homeassistant:
  name: {name}
  latitude: 10.4236
  longitude: -75.5518
  elevation: 2
  unit_system: metric
  time_zone: America/Bogota
  country: CO
  currency: COP
  language: es
http:
  server_host: 127.0.0.1
  server_port: !env_var MFS_HA_PORT 8123
api:
config:
onboarding:
"""


def light_config(name: str, body: str, comment: str) -> str:
    """Return a light configuration (no ``default_config:``): the box, then ``body``.

    ``name`` is HA's location name; ``comment`` heads the file (who wrote it, and why).
    """
    return f"# {comment}\n" + BOX.format(name=name) + body


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
    link_component(config_dir, COMPONENT)
    storage = config_dir / ".storage"
    storage.mkdir(exist_ok=True)
    (storage / "onboarding").write_text(json.dumps(ONBOARDING), encoding="utf-8")
    existing = _existing_users(config_dir)
    for username, password in users.items():
        if username not in existing:
            _run_auth_script(config_dir, "add", username, password)


def link_component(
    config_dir: Path, component: Path, domain: str | None = None
) -> None:
    """Link a custom component folder into the configuration (as ``domain``, if given)."""
    components = config_dir / "custom_components"
    components.mkdir(parents=True, exist_ok=True)
    link = components / (domain or component.name)
    if not link.exists():
        link.symlink_to(component, target_is_directory=True)


def _existing_users(config_dir: Path) -> set[str]:
    path = config_dir / ".storage" / "auth_provider.homeassistant"
    if not path.exists():
        return set()
    data = json.loads(path.read_text(encoding="utf-8"))
    return {user["username"] for user in data["data"]["users"]}


def _run_auth_script(config_dir: Path, *args: str) -> None:
    subprocess.run(
        [hass_bin(), "--script", "auth", "-c", str(config_dir), *args],
        check=True,
        capture_output=True,
    )


def police_webhook_id(config_dir: Path, entry_id: str) -> str | None:
    """Return the front's police webhook id from HA's storage (None: not saved yet)."""
    path = config_dir / ".storage" / "core.config_entries"
    if not path.exists():
        return None
    for entry in json.loads(path.read_text(encoding="utf-8"))["data"]["entries"]:
        if entry["entry_id"] == entry_id and (
            hook := entry["options"].get("police_webhook_id")
        ):
            return str(hook)
    return None


class HaProcess(ManagedProcess):
    """``hass -c CONFIG`` on 127.0.0.1:PORT, ready once its HTTP server answers."""

    def __init__(self, config_dir: Path, port: int) -> None:
        """Remember where the configuration is and which port to use.

        The log is ``config_dir / "hass.log"``. ``self.env`` adds variables to the
        environment of every later :meth:`start` (change it between starts to start the
        next run with others).
        """
        super().__init__(
            "hass",
            config_dir / "hass.log",
            ready_timeout=START_TIMEOUT,
            stop_timeout=STOP_TIMEOUT,
            new_session=True,
        )
        self.config_dir = config_dir
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    def command(self) -> list[str]:
        """Return hass's command line."""
        return [hass_bin(), "-c", str(self.config_dir), "--skip-pip"]

    def environment(self) -> dict[str, str]:
        """Return the environment, with the port the configuration reads."""
        return {**super().environment(), "MFS_HA_PORT": str(self.port)}

    async def ready(self) -> None:
        """Return once HA's HTTP server answers."""
        async with aiohttp.ClientSession() as session:
            await poll(lambda: self._answers(session))

    async def _answers(self, session: aiohttp.ClientSession) -> bool:
        # /auth/providers needs no login, so polling it logs no failed logins.
        try:
            async with session.get(f"{self.url}/auth/providers") as response:
                return response.status == 200
        except aiohttp.ClientError, OSError:
            return False

    def log_text(self) -> str:
        """Return what HA logged so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")
