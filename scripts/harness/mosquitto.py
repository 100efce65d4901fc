"""A real Mosquitto broker on 127.0.0.1, for the tests, the demo, the benchmarks and chaos.

It runs from a private folder (config, optional password file, persistence) and can be
stopped and started again on the same port, as a broker outage would look to clients.
SIGTERM makes it save its persistence file first.
"""

from __future__ import annotations

from pathlib import Path
import shutil
import subprocess

from .process import ManagedProcess, accepts_tcp, free_port, poll

READY_TIMEOUT = 10.0  # s


def mosquitto_bin() -> str:
    """Return the mosquitto executable (Debian installs it in /usr/sbin)."""
    found = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(found).exists():
        raise FileNotFoundError("mosquitto is not installed: run scripts/setup")
    return found


class Mosquitto(ManagedProcess):
    """One broker process, restartable on the same port, ready once it accepts TCP."""

    def __init__(
        self,
        folder: Path,
        *,
        port: int | None = None,
        users: dict[str, str] | None = None,
        persistence: bool = True,
    ) -> None:
        """Prepare the broker's folder; ``users`` turns anonymous access off."""
        super().__init__(
            "mosquitto",
            folder / "mosquitto.log",
            ready_timeout=READY_TIMEOUT,
            stop_timeout=READY_TIMEOUT,
        )
        self.folder = folder
        self.port = port or free_port()
        self.users = users or {}
        self.persistence = persistence

    def command(self) -> list[str]:
        """Write the configuration and return the broker's command line."""
        return [mosquitto_bin(), "-c", str(self._write_config())]

    async def ready(self) -> None:
        """Return once the broker accepts TCP connections."""
        await poll(lambda: accepts_tcp(self.port), 0.05)

    def _write_config(self) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        lines = [
            f"listener {self.port} 127.0.0.1",
            "user root",
            f"persistence {'true' if self.persistence else 'false'}",
            f"persistence_location {self.folder}/",
            "autosave_interval 1",
            "log_dest stderr",
            "log_type error",
            "log_type warning",
            "max_queued_messages 100000",
        ]
        if self.users:
            password_file = self.folder / "passwords"
            password_file.write_text("", encoding="utf-8")
            for username, password in self.users.items():
                subprocess.run(
                    ["mosquitto_passwd", "-b", str(password_file), username, password],
                    check=True,
                    capture_output=True,
                )
            lines += ["allow_anonymous false", f"password_file {password_file}"]
        else:
            lines.append("allow_anonymous true")
        config = self.folder / "mosquitto.conf"
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return config
