"""Benchmark 9: delivery time per destination with one of them down.

A front with three destinations, as issue #17 asks: the police's signed JSON endpoint
(the benchmarks' receiver, taken down for the run), a monitoring centre's SIA DC-09
receiver (the unmodified pysiaalarm ``SIAClient`` on 127.0.0.1, AES-128) and the
cuadrante's phone (the phone text rendered as the integration stores it, taken by an
in-process stand-in for HA's notify service: no HA around the ledger here). Alarms are
raised one after the other through the front's ledger on a real SQLite file, each cancelled
before the next; for each we time press -> the SIA receiver accepted the report, and press
-> the phone took the text. Then the JSON receiver comes back: its queue (every alert and
cancel, in order) drains; we count what arrived, in which order and how often, and how
long the drain took. Nothing is asserted: the figures go in the report.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import importlib
from pathlib import Path
import time
from typing import Any

import aiohttp

from custom_components.mi_frente_seguro.frente.dispatch.outbox import Outbox
from custom_components.mi_frente_seguro.frente.dispatch.outcome import (
    DELIVERED,
    Outcome,
)
from custom_components.mi_frente_seguro.frente.dispatch.phone_text import phone_text
from custom_components.mi_frente_seguro.frente.dispatch.sia import (
    SiaKey,
    SiaSettings,
    SiaTransport,
)
from custom_components.mi_frente_seguro.frente.dispatch.signing import WebhookSecret
from custom_components.mi_frente_seguro.frente.incident import IncidentState
from custom_components.mi_frente_seguro.frente.ledger import FrontLedger
from custom_components.mi_frente_seguro.frente.store import IncidentStore
from homeassistant.util import dt as dt_util

from .receiver import PoliceReceiver
from .stats import summary
from .storm import FRONT, button_press

# pysiaalarm has no type information: its receiver is used untyped.
_PYSIA: Any = importlib.import_module("pysiaalarm")
_PYSIA_AIO: Any = importlib.import_module("pysiaalarm.aio")
type SIAEvent = Any
ACCOUNT = "1A2B3C"
KEY = "0123456789ABCDEF"  # AES-128, pysiaalarm's form
WAIT = 30.0  # s: a bound on one arrival, not a target


class PhoneStandIn:
    """The phone destination's transport with HA's notify call replaced by a stamp."""

    endpoint = "notify.cuadrante"

    def __init__(self) -> None:
        """Start with nothing taken."""
        self.took: asyncio.Queue[tuple[float, str]] = asyncio.Queue()

    def render(self, message: Mapping[str, Any]) -> bytes | None:
        """Return the stored text, as the integration's phone transport does."""
        text = phone_text(message)
        return None if text is None else text.encode("utf-8")

    async def attempt(self, message_id: str, body: bytes) -> Outcome:
        """Take the text (the notify call returning)."""
        self.took.put_nowait((time.perf_counter(), body.decode("utf-8")))
        return DELIVERED


async def destinations_down(alarms: int, scratch: Path) -> dict[str, Any]:
    """Raise ``alarms`` alarms with the JSON receiver down; then bring it back."""
    secret = WebhookSecret.generate()
    police = PoliceReceiver()
    police.add_front(FRONT.front_id, secret.export())
    police.start()
    police.down()
    sia_events: asyncio.Queue[tuple[float, SIAEvent]] = asyncio.Queue()

    async def took(event: SIAEvent) -> None:
        sia_events.put_nowait((time.perf_counter(), event))

    sia = _PYSIA_AIO.SIAClient("127.0.0.1", 0, [_PYSIA.SIAAccount(ACCOUNT, KEY)], took)
    await sia.async_start()
    sia_port = sia.server.sockets[0].getsockname()[1]
    phone = PhoneStandIn()
    try:
        async with aiohttp.ClientSession() as session:
            store = IncidentStore(scratch / "destinations.db")
            settings = SiaSettings(
                "127.0.0.1", sia_port, ACCOUNT, SiaKey.from_text(KEY)
            )
            json_outbox = Outbox(
                store.committer, session, f"{police.url}/alerts/{FRONT.front_id}",
                [secret], clock=dt_util.now, destination="police",
            )  # fmt: skip
            outboxes = [
                json_outbox,
                Outbox(store.committer, transport=SiaTransport(settings, log_trouble=False),
                       destination="sia", clock=dt_util.now),
                Outbox(store.committer, transport=phone, destination="phone",
                       clock=dt_util.now),
            ]  # fmt: skip
            ledger = FrontLedger(FRONT, store, clock=dt_util.now, outboxes=outboxes)
            await ledger.open()
            sia_ms, phone_ms, sent = await _alarms(ledger, alarms, sia_events, phone)
            queued = json_outbox.depth
            police.up()
            drain_start = time.perf_counter()
            json_outbox.retry_now()
            async with asyncio.timeout(300):
                while json_outbox.depth:
                    await asyncio.sleep(0.01)
            drain_s = time.perf_counter() - drain_start
            await ledger.close()
    finally:
        await sia.async_stop()
        police.stop()
    ids = [a.message_id or "" for a in police.arrivals if a.valid]
    return {
        "alarms": alarms,
        "sia_ms": summary(sia_ms, 2),
        "phone_ms": summary(phone_ms, 2),
        "sent": sent,
        "json_queued": queued,
        "json_arrived": len(ids),
        "json_unique": len(set(ids)),
        "json_in_order": ids == sorted(ids),  # message ids are ULIDs: sort by time
        "drain_s": round(drain_s, 2),
    }


async def _alarms(
    ledger: FrontLedger,
    alarms: int,
    sia_events: asyncio.Queue[tuple[float, SIAEvent]],
    phone: PhoneStandIn,
) -> tuple[list[float], list[float], int]:
    sia_ms: list[float] = []
    phone_ms: list[float] = []
    sent = 0
    for n in range(alarms):
        press = button_press(n, f"dest:{n}")
        start = time.perf_counter()
        change = await ledger.press(press)
        async with asyncio.timeout(WAIT):
            at, _ = await sia_events.get()
            sia_ms.append((at - start) * 1000)
            at, _ = await phone.took.get()
            phone_ms.append((at - start) * 1000)
        incident_id = change.incident.incident_id
        async with asyncio.timeout(WAIT):
            while ledger.book.get(incident_id).state is IncidentState.TRIGGERED:
                await asyncio.sleep(0.001)
        sent += ledger.book.get(incident_id).state is IncidentState.SENT
        await ledger.advance(
            incident_id,
            IncidentState.CANCELLED,
            by="bench",
            details={"reason": "banco"},
        )
        async with asyncio.timeout(WAIT):
            await sia_events.get()  # the cancel (OC)
            await phone.took.get()
    return sia_ms, phone_ms, sent


def render_destinations(figures: dict[str, Any]) -> list[str]:
    """Return section 9 of the report."""
    sia, phone = figures["sia_ms"], figures["phone_ms"]
    order = "in order" if figures["json_in_order"] else "OUT OF ORDER"
    return [
        "## 9. Delivery time per destination with one of them down",
        "",
        (
            f"One front with three destinations: the police's signed JSON endpoint (the "
            f"benchmarks' receiver, down for the whole run), an SIA DC-09 receiver (the "
            f"unmodified pysiaalarm `SIAClient` on 127.0.0.1, AES-128, SIA-DCS) and the "
            f"cuadrante's phone (the stored phone text, taken by an in-process stand-in "
            f"for HA's notify call: the ledger runs without HA here). {figures['alarms']} "
            "alarms one after the other through the front's ledger on a real SQLite file, "
            "each cancelled before the next. Target: the destination that is down delays "
            "no other; once back, its queue drains in order, each message once."
        ),
        "",
        "| press -> taken by | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |",
        "|---|---|---|---|---|",
        f"| SIA receiver (event accepted) | {sia['p50']:.2f} | {sia['p95']:.2f} | {sia['p99']:.2f} | {sia['max']:.2f} |",
        f"| phone (notify call) | {phone['p50']:.2f} | {phone['p95']:.2f} | {phone['p99']:.2f} | {phone['max']:.2f} |",
        "",
        (
            f"{figures['sent']} of {figures['alarms']} incidents became `sent` while the "
            f"JSON endpoint was down (the first destination to deliver marks it). When "
            f"the JSON receiver came back, its {figures['json_queued']} queued messages "
            f"(alerts and cancels) drained in {figures['drain_s']:.2f} s: "
            f"{figures['json_arrived']} arrived, {figures['json_unique']} distinct, {order}."
        ),
        "",
    ]  # fmt: skip


def main() -> None:
    """Run this section alone: ``python -m scripts.benchmarks.destinations [alarms]``."""
    import sys  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    alarms = int(sys.argv[1]) if len(sys.argv) > 1 else 200

    async def run() -> dict[str, Any]:
        with tempfile.TemporaryDirectory() as scratch:
            return await destinations_down(alarms, Path(scratch))

    print("\n".join(render_destinations(asyncio.run(run()))))  # noqa: T201


if __name__ == "__main__":
    main()
