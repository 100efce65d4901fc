"""A real PostgreSQL for the tests: Debian's server on a free 127.0.0.1 port, temp data dir.

PostgreSQL refuses to run as root (CI runs as root): then the server runs as ``nobody``,
owning the data folder. Trust authentication on loopback only, for a throwaway cluster.
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
import os
from pathlib import Path
import shutil
import subprocess
import tempfile
import time

import psycopg

from .helpers import free_port


def postgres_bin() -> Path | None:
    """Return the folder of Debian's PostgreSQL binaries (the newest), or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    return Path(found[-1]).parent if found else None


def _as_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "nobody", "--", *command]


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Run a throwaway PostgreSQL; yield the DSN of its ``postgres`` database."""
    binaries = postgres_bin()
    if binaries is None:
        raise RuntimeError("PostgreSQL is not installed (consola/test installs it)")
    folder = Path(tempfile.mkdtemp(prefix="consola-pg-"))
    data = folder / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "nobody", "nogroup")
        shutil.chown(data, "nobody", "nogroup")
    folder.chmod(0o700)
    data.chmod(0o700)
    subprocess.run(
        _as_user([str(binaries / "initdb"), "-D", str(data), "-U", "postgres",
                  "-A", "trust", "-E", "UTF8", "--no-instructions"]),
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        _as_user([str(binaries / "postgres"), "-D", str(data), "-p", str(port),
                  "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={folder}",
                  "-c", "fsync=on", "-c", "max_connections=50"]),
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    dsn = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    try:
        for _ in range(300):  # bounded: up to about 30 s for a cold start
            if server.poll() is not None:
                raise RuntimeError(
                    (folder / "server.log").read_text(errors="replace")[-2000:]
                )
            try:
                psycopg.connect(dsn, connect_timeout=2).close()
                break
            except psycopg.OperationalError:
                time.sleep(0.1)
        else:
            raise RuntimeError("PostgreSQL did not start")
        yield dsn
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def fresh_database(dsn: str, name: str) -> str:
    """Create an empty database ``name`` on the server; return its DSN."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')  # noqa: S608 (test names only)
        conn.execute(f'CREATE DATABASE "{name}"')
    return dsn.rsplit("/", 1)[0] + f"/{name}"
