"""Fixtures that start a real Home Assistant on a free 127.0.0.1 port."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from pathlib import Path

import aiohttp
import pytest

from scripts.harness.ha import HaProcess, prepare_config
from scripts.harness.ha_client import HaClient
from scripts.harness.process import free_port

ADMIN = ("admin", "admin-password")


@pytest.fixture
def ha_config(tmp_path: Path) -> Path:
    """Return a prepared HA configuration folder with one admin user."""
    config = tmp_path / "ha"
    prepare_config(config, dict([ADMIN]))
    return config


@pytest.fixture
async def ha_process(
    socket_enabled: None, ha_config: Path
) -> AsyncGenerator[HaProcess]:
    """Run ``hass`` for the test, stopped afterwards."""
    async with HaProcess(ha_config, free_port()) as process:
        yield process


@pytest.fixture
async def ha_client(ha_process: HaProcess) -> AsyncGenerator[HaClient]:
    """Return a client logged in as the admin, once HA is running."""
    async with aiohttp.ClientSession() as session:
        client = HaClient(session, ha_process.url)
        await client.login(*ADMIN)
        await client.wait_running()
        yield client
        await client.close()
