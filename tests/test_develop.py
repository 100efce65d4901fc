"""``scripts/develop`` ends at once on Ctrl-C: no Enter needed, every process stopped first.

The demo runs in a subprocess, as ``scripts/develop`` runs it, with a small fake stack in
place of the real one (which takes a minute to start): the relay loop, the signal handling
and the shutdown are the demo's own. Its stdin stays open and nothing is typed, which is
what left the old demo waiting for an Enter after "Stopping ...".
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
import signal
import sys

from scripts.harness.stdin import StdinLines

ROOT = Path(__file__).resolve().parents[1]
FAKE_DEMO = """
import sys
from scripts.harness import develop

class FakeStack:
    def __init__(self, folder, ha_port=None, ha_config=None):
        pass
    async def start(self, session):
        return self
    async def close(self):
        pass
    def summary(self):
        return "  (a fake stack)"
    async def press(self, kind="panic"):
        print(f"fake press {kind}", flush=True)
    async def stop(self):
        print("fake stack stopped", flush=True)

develop.DemoStack = FakeStack
sys.argv = ["develop", "--port", "0", "--state", sys.argv[1]]
develop.main()
"""


async def _read_until(stream: asyncio.StreamReader, text: str) -> str:
    seen = ""
    while text not in seen:
        line = await stream.readline()
        assert line, f"output ended before {text!r}: {seen}"
        seen += line.decode()
    return seen


async def test_ctrl_c_ends_the_demo_at_once(tmp_path: Path) -> None:
    """Presses are relayed; SIGINT stops the stack and exits in well under 3 s."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", FAKE_DEMO, str(tmp_path),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=ROOT,
    )  # fmt: skip
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        async with asyncio.timeout(30):
            await _read_until(process.stdout, "Ctrl-C stops everything.")
            process.stdin.write(b"press silent\n")
            await process.stdin.drain()
            await _read_until(process.stdout, "pressed")
        process.send_signal(signal.SIGINT)  # stdin stays open: no Enter, no EOF
        async with asyncio.timeout(3):
            rest = (await process.stdout.read()).decode()
            code = await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert code == 0
    assert "Stopping ..." in rest
    assert rest.rstrip().endswith("fake stack stopped")


async def test_stdin_lines_from_a_pipe_and_a_file(tmp_path: Path) -> None:
    """Lines arrive as typed (a last line without newline too), then the end (None)."""
    read_end, write_end = os.pipe()
    try:
        lines = StdinLines(read_end)
        assert lines.watching
        os.write(write_end, b"press\npress sil")
        assert await asyncio.wait_for(lines.lines.get(), 5) == "press"
        os.write(write_end, b"ent\nquit")
        assert await asyncio.wait_for(lines.lines.get(), 5) == "press silent"
        os.close(write_end)
        write_end = -1
        assert await asyncio.wait_for(lines.lines.get(), 5) == "quit"
        assert await asyncio.wait_for(lines.lines.get(), 5) is None
        assert not lines.watching
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)
    typed = tmp_path / "typed.txt"
    typed.write_text("press\n\nbattery 40\n", encoding="utf-8")
    with typed.open("rb") as file:  # a regular file: the loop cannot watch it
        from_file = StdinLines(file.fileno())
        assert not from_file.watching
        got = [from_file.lines.get_nowait() for _ in range(4)]
    assert got == ["press", "", "battery 40", None]
