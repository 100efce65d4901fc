"""A real Mosquitto for the console's tests: Debian's broker on a free 127.0.0.1 port.

MQTT 5 shared subscriptions are Mosquitto's since 1.6. Persistence on (SIGTERM saves it),
so a restarted broker still holds every persistent session and its queued messages.
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
from pathlib import Path
import shutil
import socket
import subprocess
import tempfile
import time

from .helpers import free_port


def mosquitto_bin() -> str | None:
    """Return Debian's mosquitto, or None when it is not installed."""
    return shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
    )


class Broker:
    """One broker process on a fixed port, restartable."""

    def __init__(self, folder: Path) -> None:
        """Prepare its folder and config."""
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        config = folder / "mosquitto.conf"
        config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\nuser root\n"
            f"persistence true\npersistence_location {folder}/\nautosave_interval 1\n"
            "max_queued_messages 100000\nmax_inflight_messages 100\n"
            "log_dest stderr\nlog_type error\n",
            encoding="utf-8",
        )
        self.config = config

    def start(self) -> None:
        """Start it and wait (bounded) until it accepts connections."""
        binary = mosquitto_bin()
        if binary is None:
            raise RuntimeError("mosquitto is not installed (consola/test installs it)")
        log = (self.folder / "mosquitto.log").open("ab")
        self.process = subprocess.Popen([binary, "-c", str(self.config)], stderr=log)
        for _ in range(200):
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2),
            ):
                return
            time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def stop(self) -> None:
        """Stop it with SIGTERM (it saves its persistence file)."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None

    @property
    def url(self) -> str:
        """Return the console's ``--mqtt`` URL for this broker, prefix ``city``."""
        return f"mqtt://127.0.0.1:{self.port}/city"


@contextlib.contextmanager
def mosquitto() -> Iterator[Broker]:
    """Run a throwaway broker; stop it after."""
    folder = Path(tempfile.mkdtemp(prefix="consola-mqtt-"))
    broker = Broker(folder)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()
        shutil.rmtree(folder, ignore_errors=True)
