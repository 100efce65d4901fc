"""Lines typed on stdin, read by the event loop itself: nothing blocks, no thread waits.

``loop.run_in_executor(None, sys.stdin.readline)`` leaves a thread blocked in ``readline``
that ``asyncio.run`` waits for at shutdown, so Ctrl-C would wait for an Enter. The demo and
the kit simulator read their commands with :class:`StdinLines` instead.
"""

from __future__ import annotations

import asyncio
import os

READ_SIZE = 4096


class StdinLines:
    """Lines from a file descriptor, read by the event loop when it is readable.

    ``os.read`` on a readable descriptor returns at once, so nothing blocks and no thread
    is left waiting; the descriptor's blocking mode is left as it is (it is the terminal's).
    A descriptor the loop cannot watch (a regular file, which never blocks) is read to
    its end at once.
    """

    def __init__(self, fd: int) -> None:
        """Start watching ``fd``."""
        self.fd = fd
        self.lines: asyncio.Queue[str | None] = asyncio.Queue()  # None: end of input
        self._loop = asyncio.get_running_loop()
        self._pending = b""
        self.watching = False
        try:
            self._loop.add_reader(fd, self._readable)
        except OSError, ValueError:
            while self._take(self._read() or b""):
                pass
        else:
            self.watching = True

    def _read(self) -> bytes | None:
        """Return what is there (b"": the end), or None when nothing is there after all."""
        try:
            return os.read(self.fd, READ_SIZE)
        except BlockingIOError:
            return None
        except OSError:
            return b""  # a closed or broken descriptor: the end of input

    def _readable(self) -> None:
        data = self._read()
        if data is not None and not self._take(data):
            self.close()

    def _take(self, data: bytes) -> bool:
        """Queue the complete lines of ``data``; at the end (b""), the rest and None."""
        if not data:
            if self._pending:
                self.lines.put_nowait(self._pending.decode(errors="replace"))
                self._pending = b""
            self.lines.put_nowait(None)
            return False
        *complete, self._pending = (self._pending + data).split(b"\n")
        for line in complete:
            self.lines.put_nowait(line.decode(errors="replace"))
        return True

    def close(self) -> None:
        """Stop watching the descriptor."""
        if self.watching:
            self._loop.remove_reader(self.fd)
            self.watching = False
