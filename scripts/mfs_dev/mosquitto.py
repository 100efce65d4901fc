"""A real Mosquitto broker on 127.0.0.1, for the tests, the demo and the benchmarks.

It runs from a private folder (config, optional password file, persistence) and can be
stopped and started again on the same port, as a broker outage would look to clients.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
import shutil
import signal
import subprocess
from types import TracebackType
from typing import Self

from .ha import free_port

READY_TIMEOUT = 10.0  # s


def mosquitto_bin() -> str:
    """Return the mosquitto executable (Debian installs it in /usr/sbin)."""
    found = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(found).exists():
        raise FileNotFoundError("mosquitto is not installed: run scripts/setup")
    return found


class Mosquitto:
    """One broker process, restartable on the same port."""

    def __init__(
        self,
        folder: Path,
        *,
        port: int | None = None,
        users: dict[str, str] | None = None,
        persistence: bool = True,
    ) -> None:
        """Prepare the broker's folder; ``users`` turns anonymous access off."""
        self.folder = folder
        self.port = port or free_port()
        self.users = users or {}
        self.persistence = persistence
        self.process: asyncio.subprocess.Process | None = None
        self.log_path = folder / "mosquitto.log"

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

    async def start(self) -> None:
        """Start the broker and wait until it accepts TCP connections."""
        config = self._write_config()
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                mosquitto_bin(), "-c", str(config), stdout=log, stderr=log
            )
        async with asyncio.timeout(READY_TIMEOUT):
            while True:
                if self.process.returncode is not None:
                    raise RuntimeError(f"mosquitto exited; see {self.log_path}")
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                except OSError:
                    await asyncio.sleep(0.05)
                    continue
                writer.close()
                await writer.wait_closed()
                return

    async def stop(self) -> None:
        """Stop the broker (SIGTERM: it saves its persistence file first)."""
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(READY_TIMEOUT):
                await self.process.wait()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()

    async def __aenter__(self) -> Self:
        """Start the broker."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the broker."""
        await self.stop()
