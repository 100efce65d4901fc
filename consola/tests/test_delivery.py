"""The answer worker's decisions and the push bus, without a browser."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from consola.answers.delivery import MAX_ATTEMPTS, classify
from consola.bus import QUEUE_SIZE, Bus, Change
from consola.incidents import Summary

from .conftest import OPERATOR, Running, store_alert
from .helpers import form_token, login


@pytest.mark.parametrize(
    ("status", "text", "delivery"),
    [(200, "", "delivered"), (409, '{"error": "replayed"}', "delivered"),
     (409, '{"error": "illegal_transition"}', "refused"), (404, "", "refused"),
     (500, "", "retrying"), (429, "", "retrying"), (302, "", "retrying"), (401, "", "retrying")],
)  # fmt: skip
def test_classify(status: int, text: str, delivery: str) -> None:
    """The front's answers map to delivered, refused (never again) or retrying."""
    assert classify(status, text) == delivery


async def answer_once(running: Running, http: aiohttp.ClientSession) -> None:
    """Store an alert and send one ``received`` answer through the page."""
    await store_alert(running, http)
    assert await login(http, running.base, *OPERATOR) == 200
    token = await form_token(http, f"{running.base}/incidentes/1")
    async with http.post(f"{running.base}/incidentes/1/respuesta",
                         data={"csrf": token, "status": "received"}) as response:  # fmt: skip
        assert response.status == 200


async def delivery_state(running: Running, wanted: str) -> str:
    """Wait (bounded) for the answer's delivery state to become ``wanted``."""
    state = ""
    for _ in range(400):
        row = await running.console.db.tx(
            lambda tx: tx.one("SELECT delivery FROM answers")
        )
        state = row["delivery"] if row else ""
        if state == wanted:
            break
        await asyncio.sleep(0.05)
    return state


async def test_refused_and_failed(
    running_sqlite: Running, http: aiohttp.ClientSession
) -> None:
    """A 409 illegal transition is refused for good; retries end after the last attempt."""
    running = running_sqlite
    running.webhook.plan = [409]
    await answer_once(running, http)
    assert await delivery_state(running, "refused") == "refused"
    await running.console.db.tx(lambda tx: tx.run(
        "UPDATE answers SET delivery = 'retrying', attempts = ?, next_at = NULL", MAX_ATTEMPTS))  # fmt: skip
    running.webhook.plan = [503]
    running.console.answers.kick()
    assert await delivery_state(running, "failed") == "failed"


async def test_front_without_webhook(
    running_sqlite: Running, http: aiohttp.ClientSession
) -> None:
    """A front with no status webhook gets its answers marked as such, not retried."""
    running = running_sqlite
    await running.console.db.tx(
        lambda tx: tx.run("UPDATE fronts SET status_webhook_url = ''")
    )
    await answer_once(running, http)
    assert await delivery_state(running, "no_webhook") == "no_webhook"


async def test_unreachable_front_is_retried(
    running_sqlite: Running, http: aiohttp.ClientSession
) -> None:
    """A refused connection is retried later (the answer waits, it is not lost)."""
    running = running_sqlite
    await running.webhook.stop()
    await answer_once(running, http)
    assert await delivery_state(running, "retrying") == "retrying"


def test_bus_drops_a_screen_that_falls_behind() -> None:
    """A full screen queue is told to reload and dropped; others keep receiving."""
    bus = Bus()
    line = Summary(1, "f", "F", "b", "c", "panic", False, "triggered", "", "t", 1)
    with bus.subscribe() as slow, bus.subscribe() as fast:
        for _ in range(QUEUE_SIZE):
            bus.publish(Change(line, new=True, sound=True))
        fast.get_nowait()
        bus.publish(Change(line, new=False, sound=False))
        assert bus.listeners == 1
        assert slow.qsize() == QUEUE_SIZE
        items = [slow.get_nowait() for _ in range(QUEUE_SIZE)]
        assert items[-1] is None
    assert bus.listeners == 0
