"""The test cameras: ``scripts/rtsp_server.py`` (GStreamer, run by Debian's python3).

Used by the evidence tests, the benchmarks and the demo. The server serves ``/cam1`` ..
``/camN`` on 127.0.0.1 and prints a ready line with its port.
"""

from __future__ import annotations

from pathlib import Path
import re
import select
import signal
import subprocess
import time

ROOT = Path(__file__).resolve().parents[2]
SERVER_SCRIPT = ROOT / "scripts" / "rtsp_server.py"
SYSTEM_PYTHON = (
    "/usr/bin/python3"  # Debian's: it has GStreamer's bindings, the venv not
)
READY = re.compile(rb"^READY port=(\d+) ")
START_TIMEOUT = 20.0


class RtspServer:
    """``scripts/rtsp_server.py`` run by Debian's python3, started and stopped by a test."""

    def __init__(self, log: Path, cameras: int = 4, port: int = 0) -> None:
        """Remember the settings; ``port`` 0 lets the server pick a free one."""
        self.log = log
        self.cameras = cameras
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, camera: int, credentials: str = "") -> str:
        """Return the URL of camera ``camera`` (1-based), optionally with ``user:pass``."""
        userinfo = f"{credentials}@" if credentials else ""
        return f"rtsp://{userinfo}127.0.0.1:{self.port}/cam{camera}"

    def start(self) -> None:
        """Start the server and wait for its ready line (same port as before, if any)."""
        command = [SYSTEM_PYTHON, str(SERVER_SCRIPT), "--port", str(self.port)]
        command += ["--cameras", str(self.cameras)]
        with self.log.open("ab") as log:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log)
        self.process = process
        assert process.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT
        while (left := deadline - time.monotonic()) > 0:
            readable, _, _ = select.select([process.stdout], [], [], left)
            if not readable:
                break
            line = process.stdout.readline()
            if not line:
                break  # exited before it was ready
            if match := READY.match(line):
                self.port = int(match.group(1))
                return
        self.stop()
        raise RuntimeError(f"RTSP server did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> int:
        """Stop the server with SIGTERM and return its exit status."""
        process, self.process = self.process, None
        if process is None:
            return 0
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
        if process.stdout is not None:
            process.stdout.close()
        return code
