"""Fixtures: a real database (SQLite file or PostgreSQL), the console on 127.0.0.1, a front."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from functools import cache
import itertools
import os
from pathlib import Path
import shutil

import aiohttp
from aiohttp import web
from playwright.async_api import Browser, async_playwright
import pytest

from consola.auth.passwords import hash_password
from consola.fronts import FrontForm
from consola.runtime import Console, Settings
from consola.storage.accounts import create_operator
from consola.storage.db import Database, Tx, open_database
from consola.storage.fronts import save_front
from consola.tiempo import utc_now
from consola.web.app import create_app

from .helpers import (
    CUADRANTE,
    FRONT_ID,
    FrontWebhook,
    alert,
    free_port,
    new_secret,
    signed,
)
from .pg import fresh_database, postgres_server

SUPERVISOR = ("ana", "contraseña-de-ana-123")
OPERATOR = ("luis", "contraseña-de-luis-456")
_names = itertools.count()


@cache
def _hash(password: str) -> str:
    return hash_password(password)


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """Run one PostgreSQL server for the whole session."""
    with postgres_server() as dsn:
        yield dsn


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return the URL of an empty database of each backend."""
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'consola.sqlite3'}"
    dsn: str = request.getfixturevalue("pg_dsn")
    return fresh_database(dsn, f"consola_test_{next(_names)}")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """Return the URL of an empty SQLite database."""
    return f"sqlite://{tmp_path / 'consola.sqlite3'}"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """Open (and migrate) the database."""
    database = open_database(db_url)
    yield database
    database.close()


def seed(db: Database, *, secret: str, webhook_url: str) -> None:
    """Add the supervisor, the operator and the test front."""
    now = utc_now()

    def work(tx: Tx) -> None:
        create_operator(
            tx,
            SUPERVISOR[0],
            "Ana Supervisora",
            "supervisor",
            _hash(SUPERVISOR[1]),
            now=now,
        )
        create_operator(
            tx, OPERATOR[0], "Luis Operador", "operator", _hash(OPERATOR[1]), now=now
        )
        save_front(tx, FrontForm(FRONT_ID, "Calle Real", CUADRANTE, "Cuadrante 3 Manga",
                                 webhook_url, secret), now)  # fmt: skip

    db.tx_sync(work)


@dataclass
class Running:
    """The console under test and the front that talks to it."""

    console: Console
    base: str
    secret: str
    webhook: FrontWebhook

    @property
    def alerts_url(self) -> str:
        """Return the front's alerts endpoint."""
        return f"{self.base}/alerts/{FRONT_ID}"


async def store_alert(
    running: Running, http: aiohttp.ClientSession, **changes: object
) -> int:
    """POST a signed alert; return the incident's number."""
    data, headers = signed(alert(**changes), running.secret)
    async with http.post(running.alerts_url, data=data, headers=headers) as response:
        assert response.status == 200
    row = await running.console.db.tx(
        lambda tx: tx.one("SELECT MAX(id) AS pk FROM incidents")
    )
    assert row is not None
    return int(row["pk"])


async def run_console(url: str) -> AsyncIterator[Running]:
    """Start the console on ``url``'s database with a seeded front; stop it after."""
    secret = new_secret()
    webhook = FrontWebhook(secret)
    await webhook.start()
    database = open_database(url)
    seed(database, secret=secret, webhook_url=webhook.url)
    port = free_port()
    console = Console(Settings(url, port=port), database)
    runner = web.AppRunner(create_app(console), shutdown_timeout=0.5)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield Running(console, f"http://127.0.0.1:{port}", secret, webhook)
    finally:
        await runner.cleanup()
        database.close()
        await webhook.stop()


@pytest.fixture
async def running(db_url: str) -> AsyncIterator[Running]:
    """Run the console on each backend."""
    async for item in run_console(db_url):
        yield item


@pytest.fixture
async def running_sqlite(sqlite_url: str) -> AsyncIterator[Running]:
    """Run the console on SQLite only (web and security checks)."""
    async for item in run_console(sqlite_url):
        yield item


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """Return a client with its own cookie jar (one browser)."""
    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True)
    ) as session:
        yield session


def chromium_path() -> str:
    """Return Debian's Chromium (consola/test installs it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(
            "chromium is not installed: run consola/test (it apt-get installs it)"
        )
    return found


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Launch headless Chromium (no sandbox as root, as in CI)."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox"] if os.geteuid() == 0 else [],
        )
        yield launched
        await launched.close()
