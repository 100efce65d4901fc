"""The commands as an operator runs them: ``python -m consola`` on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
import re
import signal
import sys

import aiohttp
import pytest

from consola.__main__ import shown_db
from consola.storage.db import open_database
from consola.storage.schema import SCHEMA_VERSION

from .conftest import seed
from .helpers import alert, new_secret, signed

ROOT = Path(__file__).resolve().parents[2]


async def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
    """Run ``python -m consola ARGS``; return its code, stdout and stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "consola", *args, cwd=ROOT, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(stdin.encode()), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def ignore_sigint() -> None:
    """In the child before exec: SIGINT ignored, as a shell's background job inherits it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


async def test_create_supervisor(db_url: str) -> None:
    """The first supervisor comes from the command line; bad input is refused."""
    assert (await run("create-supervisor", "ana", "--db", db_url, "--password-stdin",
                      stdin="una-clave-muy-larga\n"))[:2] == (0, "Supervisor «ana» creado.\n")  # fmt: skip
    taken = await run("create-supervisor", "ana", "--db", db_url, "--password-stdin",
                      stdin="otra-clave-muy-larga\n")  # fmt: skip
    assert taken[0] == 1 and "ya existe" in taken[2]
    short = await run("create-supervisor", "luis", "--db", db_url, "--password-stdin", "--lang", "en",
                      stdin="short\n")  # fmt: skip
    assert short[0] == 2 and "password of 12" in short[2]
    assert (await run("create-supervisor", "Ana Pérez", "--db", db_url, "--password-stdin",
                      stdin="una-clave-muy-larga\n"))[0] == 2  # fmt: skip
    assert (await run("migrate", "--db", db_url))[:2] == (
        0,
        f"Esquema en la versión {SCHEMA_VERSION}.\n",
    )


async def test_serve_takes_alerts_and_logs_no_secret(db_url: str) -> None:
    """``serve`` answers on its port, takes a signed alert, never logs a secret; SIGTERM ends it."""
    secret = new_secret()
    database = open_database(db_url)
    seed(database, secret=secret, webhook_url="")
    database.close()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "consola", "--db", db_url, "--port", "0", cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
        base = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert base, line
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base[0]}/salud") as response:
                assert (response.status, await response.text()) == (200, "ok")
            for key in (secret, new_secret()):
                data, headers = signed(alert(), key)
                async with http.post(
                    f"{base[0]}/alerts", data=data, headers=headers
                ) as response:
                    assert response.status in (200, 401)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0
    logs = err.decode()
    assert "alert refused: bad_signature" in logs
    assert secret not in logs and "v1," not in logs and secret[6:20] not in logs


@pytest.mark.parametrize(
    ("url", "shown"),
    [("postgresql://consola:s3cr3t@db:5432/c", "postgresql://consola@db:5432/c"),
     ("sqlite:///var/lib/c.sqlite3", "sqlite:///var/lib/c.sqlite3")],
)  # fmt: skip
def test_database_url_shown_without_password(url: str, shown: str) -> None:
    """The serving line names the database but never its password."""
    assert shown_db(url) == shown


def test_commands_in_process(sqlite_url: str, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """The same commands through ``main`` (asked passwords must match)."""
    from consola.__main__ import main

    answers = iter(["una-clave-muy-larga", "otra-clave-distinta"])
    monkeypatch.setattr("getpass.getpass", lambda _prompt: next(answers))
    assert main(["create-supervisor", "ana", "--db", sqlite_url]) == 2
    assert "no coinciden" in capsys.readouterr().err
    monkeypatch.setattr("getpass.getpass", lambda _prompt: "una-clave-muy-larga")
    assert main(["create-supervisor", "ana", "--db", sqlite_url, "--lang", "en"]) == 0
    assert "Supervisor 'ana' created." in capsys.readouterr().out
    assert main(["migrar", "--db", sqlite_url]) == 0
    monkeypatch.setenv("MFS_CONSOLA_DB", sqlite_url)
    from consola.__main__ import default_db

    assert default_db() == sqlite_url


async def test_serve_with_the_city_broker_and_bad_mqtt_options(sqlite_url: str) -> None:
    """``serve --mqtt`` says where it listens (no password); bad options exit with 2.

    Started with SIGINT ignored (a background job of a non-interactive shell, as CI runs
    it), Ctrl-C's SIGINT still stops it: the console handles the signal itself.
    """
    from .broker import mosquitto  # noqa: PLC0415

    with mosquitto() as broker:
        url = broker.url.replace("mqtt://", "mqtt://consola:s3cr3t-pw@")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "consola", "serve", "--db", sqlite_url, "--port", "0",
            "--mqtt", url, "--mqtt-id", "consola-a", "--lang", "en", cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            preexec_fn=ignore_sigint,  # noqa: PLW1509 - no threads in the child yet
        )  # fmt: skip
        try:
            assert process.stdout is not None
            lines = [
                (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
                for _ in range(2)
            ]
        finally:
            process.send_signal(signal.SIGINT)
            _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0
    assert "Alerts from the city broker mqtt://consola@127.0.0.1" in "".join(lines)
    assert "$share/consola/city/fronts/+/alerts" in "".join(lines)
    assert "s3cr3t-pw" not in "".join(lines) + err.decode()
    for bad in (["--mqtt", "http://h/c"], ["--mqtt", "mqtt://h/c", "--mqtt-id", "a b"],
                ["--mqtt", "mqtts://h/c", "--mqtt-cert", "/nonexistent", "--mqtt-key", "/k"]):  # fmt: skip
        code, _, said = await run("serve", "--db", sqlite_url, *bad)
        assert code == 2 and "--mqtt" in said
