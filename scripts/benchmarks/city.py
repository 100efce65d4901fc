"""City uplink benchmark: fronts -> city broker -> two console instances on one PostgreSQL.

    .venv/bin/python -m scripts.benchmarks.city [--fronts 500] [--per-front 2] [--rate 50]
                                                [--output docs/benchmarks.md]

Real Mosquitto (MQTT 5 shared subscriptions), Debian's PostgreSQL, and two ``python -m
consola serve --mqtt`` processes sharing ``$share/consola/city/fronts/+/alerts``. Every
simulated front is its own MQTT client with a persistent session and publishes signed
alerts (QoS 1), each opening its own incident. Halfway through, instance B is killed with
SIGKILL and started again with the same ``--mqtt-id`` a second later. Figures: alerts lost
(published and PUBACKed but not stored), stored twice (rows) and shown twice (``new``
events on the operators' live streams, both instances' screens together), press -> stored
(the row's ``received_at``, stamped in the committing transaction) and press -> on a live
screen, and ingest per second. ``--output`` replaces section 10 of that file (the other
sections come from ``scripts/bench``). Nothing asserts a timing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from datetime import UTC, datetime
import os
from pathlib import Path
import tempfile
import time
from typing import Any

from consola.auth.passwords import hash_password
from consola.fronts import FrontForm
from consola.storage.accounts import create_operator
from consola.storage.db import Tx, open_database
from consola.storage.fronts import save_front
from consola.tests.helpers import CUADRANTE, free_port, new_secret
from consola.tests.pg import fresh_database, postgres_server
from consola.tiempo import from_db
from scripts.harness.mosquitto import Mosquitto

from .city_parts import ConsoleProcess, Fronts, LiveScreen
from .stats import summary

OPERATOR = ("bench", "operador-de-prueba-123")
SECTION = "## 10. City uplink:"
SETTLE_TIMEOUT = 180.0  # s for every alert to be stored after the last publish


def seed(db_url: str, fronts: int) -> dict[str, str]:
    """Register ``fronts`` fronts (no webhook: answers would go over the broker)."""
    secrets = {f"bench_front_{number:03d}": new_secret() for number in range(fronts)}
    now = datetime.now(UTC)
    hashed = hash_password(OPERATOR[1])

    def work(tx: Tx) -> None:
        create_operator(tx, OPERATOR[0], "Operador", "operator", hashed, now=now)
        for front_id, secret in secrets.items():
            form = FrontForm(front_id, front_id, CUADRANTE, "Cuadrante 3", "", secret)
            save_front(tx, form, now)

    db = open_database(db_url)
    try:
        db.tx_sync(work)
    finally:
        db.close()
    return secrets


def stored(db_url: str) -> list[dict[str, Any]]:
    """Return every stored message: its id, incident and when it was stored."""
    db = open_database(db_url)
    try:
        return db.tx_sync(
            lambda tx: tx.all(
                "SELECT message_id, incident_pk, received_at FROM messages"
            )
        )
    finally:
        db.close()


async def run_city(  # noqa: PLR0913, PLR0915  (one scenario, start to end)
    scratch: Path, pg_dsn: str, *, fronts: int = 500, per_front: int = 2,
    rate: float = 50.0, kill: bool = True,
) -> dict[str, Any]:  # fmt: skip
    """Run the scenario; return its figures."""
    db_url = fresh_database(pg_dsn, "consola_city")
    secrets = seed(db_url, fronts)
    broker = Mosquitto(scratch / "mosquitto")
    await broker.start()
    mqtt_url = f"mqtt://127.0.0.1:{broker.port}/city"
    consoles = [
        ConsoleProcess(name, db_url, mqtt_url, free_port(), scratch / f"{name}.log")
        for name in ("consola-a", "consola-b")
    ]
    screens: list[LiveScreen] = []
    simulated = Fronts(broker.port, secrets)
    total = fronts * per_front
    try:
        for console in consoles:
            await console.start()
            screens.append(LiveScreen(f"http://127.0.0.1:{console.port}", OPERATOR))
        for screen in screens:
            screen.start()
            async with asyncio.timeout(30):
                await screen.connected.wait()
        await simulated.connect()
        ids = list(secrets)
        presses: list[asyncio.Task[None]] = []
        restart: asyncio.Task[None] | None = None
        started = time.monotonic()
        for number in range(total):
            delay = started + number / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if kill and number == total // 2:
                consoles[1].kill()

                async def come_back() -> None:
                    await consoles[1].wait_dead()
                    await asyncio.sleep(1.0)
                    await consoles[1].start()

                restart = asyncio.get_running_loop().create_task(come_back())
            presses.append(
                asyncio.get_running_loop().create_task(
                    simulated.press(ids[number % fronts], number)
                )
            )
        await asyncio.gather(*presses)
        published_s = time.monotonic() - started
        if restart is not None:
            await restart
        deadline = time.monotonic() + SETTLE_TIMEOUT
        rows = stored(db_url)
        while len(rows) < total and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            rows = stored(db_url)
        await asyncio.sleep(1.0)  # the last pushes reach the screens
        paced = figures(rows, simulated, screens, total, published_s, rate, fronts)
        # Capacity: every front presses at once; both instances drain the backlog.
        burst_start = time.time()
        await asyncio.gather(*(
            simulated.press(front_id, total + number) for number, front_id in enumerate(ids)
        ))  # fmt: skip
        rows = stored(db_url)
        while (
            len(rows) < total + fronts and time.monotonic() < deadline + SETTLE_TIMEOUT
        ):
            await asyncio.sleep(0.2)
            rows = stored(db_url)
        last = max(from_db(row["received_at"]).timestamp() for row in rows)
        paced["burst"] = fronts
        paced["burst_stored"] = len(rows) - paced["stored"]
        paced["burst_per_s"] = round(fronts / (last - burst_start), 1)
    finally:
        for screen in screens:
            await screen.stop()
        await simulated.close()
        for console in consoles:
            await console.stop()
        await broker.stop()
    return paced


def figures(  # noqa: PLR0913, PLR0917
    rows: list[dict[str, Any]], simulated: Fronts, screens: list[LiveScreen],
    total: int, published_s: float, rate: float, fronts: int,
) -> dict[str, Any]:  # fmt: skip
    """Turn what was stored and shown into the section's figures."""
    ids = {row["message_id"] for row in rows}
    stored_at = {
        row["message_id"]: from_db(row["received_at"]).timestamp() for row in rows
    }
    to_stored = [
        (stored_at[key] - simulated.pressed[key]) * 1000
        for key in stored_at
        if key in simulated.pressed
    ]
    pk_of = {row["message_id"]: int(row["incident_pk"]) for row in rows}
    first_seen: dict[int, float] = {}
    shown: dict[int, int] = {}
    for screen in screens:
        for pk, at in screen.seen.items():
            first_seen[pk] = min(at, first_seen.get(pk, at))
        for pk, count in screen.shown_new.items():
            shown[pk] = shown.get(pk, 0) + count
    to_live = [
        (first_seen[pk_of[key]] - simulated.pressed[key]) * 1000
        for key in pk_of
        if pk_of[key] in first_seen and key in simulated.pressed
    ]
    times = sorted(stored_at.values())
    span = (times[-1] - times[0]) if len(times) > 1 else 0.0
    return {
        "fronts": fronts, "published": total, "rate": rate,
        "publish_failed": simulated.failed, "stored": len(ids),
        "lost": len(set(simulated.pressed) - ids), "stored_twice": len(rows) - len(ids),
        "shown_twice": sum(1 for count in shown.values() if count > 1),
        "on_screen": len(to_live), "press_to_stored_ms": summary(to_stored),
        "press_to_screen_ms": summary(to_live),
        "ingest_per_s": round(len(ids) / span, 1) if span else 0.0,
        "published_s": round(published_s, 2),
        "load": round(os.getloadavg()[0], 1), "cores": os.cpu_count() or 0,
        "at": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
    }  # fmt: skip


def render_city(city: dict[str, Any]) -> list[str]:
    """Return section 10 as Markdown lines."""
    stored, screen = city["press_to_stored_ms"], city["press_to_screen_ms"]
    return [
        "",
        f"{SECTION} {city['fronts']} fronts -> city broker -> two console instances",
        "",
        (
            f"{city['fronts']} simulated fronts, each its own MQTT 5 client with a "
            "persistent session, publish signed alerts (QoS 1, one incident each) to the city "
            "broker (Mosquitto 2.0, shared subscription `$share/consola/city/fronts/+/alerts`) "
            f"at {city['rate']:g} a second; two `consola serve --mqtt` processes on one "
            "PostgreSQL 15 consume them. Halfway through, instance B is killed with SIGKILL "
            "and started again, with the same `--mqtt-id`, a second later. An operator is "
            "logged in on each instance's live screen. Then every front presses at once (the "
            "burst: how fast the two instances drain a backlog). Target: 0 lost, 0 shown "
            "twice."
        ),
        "",
        (
            f"Run: {city['at']}, measured by `python -m scripts.benchmarks.city` (also part "
            f"of a full `scripts/bench`); load average {city['load']} on {city['cores']} cores "
            "at the end (the machine was shared with other work)."
        ),
        "",
        "| figure | value |",
        "|---|---|",
        (
            f"| alerts published (PUBACK) / stored | {city['published'] - city['publish_failed']:,}"
            f" / {city['stored']:,} |"
        ),
        f"| lost | {city['lost']} |",
        (
            f"| stored twice (rows) / shown twice (live screens) | {city['stored_twice']} / "
            f"{city['shown_twice']} |"
        ),
        (
            f"| press -> stored p50 / p99 / max (ms) | {stored['p50']} / {stored['p99']} / "
            f"{stored['max']} |"
        ),
        (
            f"| press -> on a live screen p50 / p99 / max (ms) | {screen['p50']} / "
            f"{screen['p99']} / {screen['max']} ({city['on_screen']:,} alerts pushed while a "
            "screen was connected) |"
        ),
        f"| ingest per second, paced run (stored / span of `received_at`) | {city['ingest_per_s']} |",
        (
            f"| ingest per second, burst (all {city['burst']} fronts at once; "
            f"{city['burst_stored']} stored) | {city['burst_per_s']} |"
        ),
        "",
        (
            "The tail is the restart: alerts instance B had received but not acknowledged, "
            "and those the broker queued in B's session while it was down, wait for B to come "
            "back (Mosquitto does not hand a dead member's messages to the other one; EMQX "
            "and HiveMQ can). What B had stored but not acknowledged arrives again and is a "
            "duplicate by `webhook-id` (the database's unique key): stored once, shown once."
        ),
    ]


def splice(text: str, section: list[str]) -> str:
    """Return ``text`` with section 10 replaced (or appended)."""
    head, found, rest = text.partition(SECTION)
    if found:
        following = rest.find("\n## ")
        tail = rest[following:] if following >= 0 else "\n"
        return head.rstrip("\n") + "\n" + "\n".join(section) + tail
    return text.rstrip("\n") + "\n" + "\n".join(section) + "\n"


async def main_async(args: argparse.Namespace) -> None:
    """Run with a private PostgreSQL, print the section, write it if asked."""
    with (
        tempfile.TemporaryDirectory(prefix="mfs-city-") as folder,
        postgres_server() as dsn,
    ):
        city = await run_city(Path(folder), dsn, fronts=args.fronts,
                              per_front=args.per_front, rate=args.rate)  # fmt: skip
    section = render_city(city)
    print("\n".join(section))
    if args.output is not None:
        args.output.write_text(splice(args.output.read_text(encoding="utf-8"), section),
                               encoding="utf-8")  # fmt: skip


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(prog="python -m scripts.benchmarks.city")
    parser.add_argument("--fronts", type=int, default=500)
    parser.add_argument("--per-front", type=int, default=2)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--output", type=Path)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
