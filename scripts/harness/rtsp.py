"""The test cameras: ``rtsp_server.py`` (GStreamer, run by Debian's python3) on 127.0.0.1.

Used by the evidence tests, the benchmarks and the demo. The server serves ``/cam1`` ..
``/camN`` and prints a ready line with its port. :class:`RtspCameras` is the asyncio
process; :class:`RtspServer` runs the same on a loop thread of its own, for synchronous
callers such as pytest's module-scoped fixtures.
"""

from __future__ import annotations

from pathlib import Path

from .loop_thread import LoopThread
from .process import ManagedProcess

SERVER_SCRIPT = Path(__file__).with_name("rtsp_server.py")
SYSTEM_PYTHON = (
    "/usr/bin/python3"  # Debian's: it has GStreamer's bindings, the venv not
)
READY = r"^READY port=(\d+) "
START_TIMEOUT = 20.0  # s
STOP_TIMEOUT = 10.0  # s


class RtspCameras(ManagedProcess):
    """The RTSP server as an asyncio process; restarts on the port it had."""

    def __init__(self, log: Path, cameras: int = 4, port: int = 0) -> None:
        """Remember the settings; ``port`` 0 lets the server pick a free one."""
        super().__init__(
            "rtsp_server.py",
            log,
            ready_line=READY,
            ready_timeout=START_TIMEOUT,
            stop_timeout=STOP_TIMEOUT,
        )
        self.cameras = cameras
        self.port = port

    def url(self, camera: int, credentials: str = "") -> str:
        """Return the URL of camera ``camera`` (1-based), optionally with ``user:pass``."""
        userinfo = f"{credentials}@" if credentials else ""
        return f"rtsp://{userinfo}127.0.0.1:{self.port}/cam{camera}"

    def command(self) -> list[str]:
        """Return the server's command line (the same port as before, if any)."""
        return [SYSTEM_PYTHON, str(SERVER_SCRIPT), "--port", str(self.port),
                "--cameras", str(self.cameras)]  # fmt: skip

    async def ready(self) -> None:
        """Return once the server printed its ready line; keep the port it tells."""
        await super().ready()
        assert self.ready_match is not None
        self.port = int(self.ready_match[1])


class RtspServer:
    """:class:`RtspCameras` for synchronous callers, on a loop thread of its own."""

    def __init__(self, log: Path, cameras: int = 4, port: int = 0) -> None:
        """Remember the settings; ``port`` 0 lets the server pick a free one."""
        self.server = RtspCameras(log, cameras, port)
        self._thread: LoopThread | None = None

    @property
    def port(self) -> int:
        """Return the server's port (once started)."""
        return self.server.port

    def url(self, camera: int, credentials: str = "") -> str:
        """Return the URL of camera ``camera`` (1-based), optionally with ``user:pass``."""
        return self.server.url(camera, credentials)

    def start(self) -> None:
        """Start the server and wait for its ready line (same port as before, if any)."""
        self._thread = LoopThread("rtsp-cameras")
        try:
            self._thread.run(self.server.start())
        except BaseException:
            self._close()
            raise

    def stop(self) -> int:
        """Stop the server with SIGTERM and return its exit status (0: not running)."""
        if self._thread is None:
            return 0
        try:
            code = self._thread.run(self.server.stop())
        finally:
            self._close()
        return 0 if code is None else code

    def _close(self) -> None:
        if self._thread is not None:
            self._thread.close()
            self._thread = None
