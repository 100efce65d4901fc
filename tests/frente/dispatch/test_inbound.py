"""Police status updates: signatures (made with the reference library), window, replays."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import closing
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import sqlite3
from typing import Any

import pytest
from standardwebhooks import Webhook

from custom_components.mi_frente_seguro.frente.committer import Committer
from custom_components.mi_frente_seguro.frente.dispatch.inbound import (
    MAX_BODY,
    HeaderTooLargeError,
    InboundVerifier,
    MalformedError,
    ReplayedError,
    StatusUpdate,
    TooLargeError,
)
from custom_components.mi_frente_seguro.frente.dispatch.replay import (
    REMEMBER_FOR,
    ReplayCache,
)
from custom_components.mi_frente_seguro.frente.dispatch.signing import (
    ForgedError,
    StaleError,
    UnsignedError,
    WebhookError,
    WebhookSecret,
    generate_secret,
    signature_headers,
)
from custom_components.mi_frente_seguro.frente.incident import IncidentState

from .contract import validator

CURRENT, PREVIOUS = generate_secret(), generate_secret()
INCIDENT = "01JDR6Q7ZK3M8YV2C4T5N9B0AX"
GOOD: dict[str, Any] = {
    "version": "1",
    "incident_id": INCIDENT,
    "status": "dispatched",
    "unit": "Patrulla 12",
    "eta_minutes": 6,
    "note": "Vamos en camino",
    "sent_at": "2026-11-26T20:01:10-05:00",
}


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        """Start at a fixed moment."""
        self.now = datetime(2026, 11, 27, 1, 1, 10, tzinfo=UTC)

    def __call__(self) -> datetime:
        """Return the current fake time."""
        return self.now


def signed(
    body: bytes | dict[str, Any],
    msg_id: str = "msg_1",
    *,
    secret: str = CURRENT,
    at: datetime,
) -> tuple[dict[str, str], bytes]:
    """Return headers signed by the reference library, and the body bytes."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    timestamp = int(at.timestamp())
    try:
        signature = Webhook(secret).sign(msg_id, at, data.decode())
    except UnicodeDecodeError:  # the reference library only signs text
        keys = [WebhookSecret.parse(secret)]
        return signature_headers(msg_id, timestamp, data, keys), data
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }
    return headers, data


@pytest.fixture
def clock() -> Clock:
    """Return the test's clock."""
    return Clock()


@pytest.fixture
async def cache(tmp_path: Path, clock: Clock) -> AsyncGenerator[ReplayCache]:
    """Return an open replay cache on a file (as in a front's incident file)."""
    committer = Committer(tmp_path / "replay.db")
    await committer.open()
    replay = ReplayCache(committer, clock=clock)
    await replay.open()
    yield replay
    await committer.close()


async def remember(
    verifier: InboundVerifier, cache: ReplayCache, update: StatusUpdate
) -> None:
    """Record ``update``'s id on disk, as the ledger does in the update's commit."""
    write, after = cache.writes(update.webhook_id, update.timestamp)
    await asyncio.shield(cache.committer.stage(write, after=after))
    verifier.release(update)


@pytest.fixture
def verifier(cache: ReplayCache, clock: Clock) -> InboundVerifier:
    """Return a verifier holding the current and the previous secret."""
    keys = [WebhookSecret.parse(CURRENT), WebhookSecret.parse(PREVIOUS)]
    return InboundVerifier(keys, cache, clock)


async def test_valid_update(verifier: InboundVerifier, clock: Clock) -> None:
    """A good update comes back typed, with details ready for the incident's step."""
    update = verifier.check(*signed(GOOD, at=clock.now))
    assert update == StatusUpdate(
        webhook_id="msg_1",
        timestamp=int(clock.now.timestamp()),
        incident_id=INCIDENT,
        status=IncidentState.DISPATCHED,
        unit="Patrulla 12",
        eta_minutes=6,
        note="Vamos en camino",
        sent_at=datetime.fromisoformat("2026-11-26T20:01:10-05:00"),
    )
    assert update.details() == {
        "unit": "Patrulla 12",
        "eta_minutes": 6,
        "note": "Vamos en camino",
    }
    minimal = {"version": "1", "incident_id": INCIDENT, "status": "closed", "x": 1}
    assert verifier.check(*signed(minimal, "msg_2", at=clock.now)).details() == {}
    validator("statusUpdate").validate(GOOD)


async def test_both_rotation_secrets_accepted(
    verifier: InboundVerifier, clock: Clock
) -> None:
    """During a rotation, updates signed with the new or the previous secret pass."""
    for n, secret in enumerate((CURRENT, PREVIOUS)):
        update = verifier.check(*signed(GOOD, f"m{n}", secret=secret, at=clock.now))
        assert update.status is IncidentState.DISPATCHED


async def test_forged_and_unsigned(verifier: InboundVerifier, clock: Clock) -> None:
    """Another secret or a changed body is forged (401); no headers is unsigned (401)."""
    headers, body = signed(GOOD, secret=generate_secret(), at=clock.now)
    with pytest.raises(ForgedError) as forged:
        verifier.check(headers, body)
    headers, body = signed(GOOD, at=clock.now)
    with pytest.raises(ForgedError):
        verifier.check(headers, body.replace(b"dispatched", b"on_scene"))
    with pytest.raises(UnsignedError) as unsigned:
        verifier.check({}, body)
    assert (forged.value.status, forged.value.reason) == (401, "forged")
    assert (unsigned.value.status, unsigned.value.reason) == (401, "unsigned")


@pytest.mark.parametrize("offset", [-41, -600, 21, 3600])
async def test_stale_both_directions(
    verifier: InboundVerifier, clock: Clock, offset: int
) -> None:
    """Too old or too far in the future: 401 with its own reason."""
    at = clock.now + timedelta(seconds=offset)
    with pytest.raises(StaleError) as err:
        verifier.check(*signed(GOOD, at=at))
    assert (err.value.status, err.value.reason) == (401, "stale")


async def test_replayed(
    verifier: InboundVerifier, cache: ReplayCache, clock: Clock
) -> None:
    """Same id again: 409, both while the first is being applied and after its commit."""
    request = signed(GOOD, at=clock.now)
    first = verifier.check(*request)
    with pytest.raises(ReplayedError) as in_flight:
        verifier.check(*request)
    assert in_flight.value.status == 409
    await remember(verifier, cache, first)
    with pytest.raises(ReplayedError):
        verifier.check(*request)


async def test_release_lets_a_retry_through(
    verifier: InboundVerifier, clock: Clock
) -> None:
    """An update the HA layer failed to apply is released: the police's retry works."""
    request = signed(GOOD, at=clock.now)
    update = verifier.check(*request)
    verifier.release(update)
    assert verifier.check(*request) == update


async def test_replay_refused_after_reopening(
    tmp_path: Path, verifier: InboundVerifier, cache: ReplayCache, clock: Clock
) -> None:
    """The replay cache survives a restart: a new cache on the file still refuses it."""
    request = signed(GOOD, at=clock.now)
    await remember(verifier, cache, verifier.check(*request))
    await cache.committer.close()
    with closing(sqlite3.connect(tmp_path / "replay.db")) as db:
        assert db.execute("SELECT webhook_id FROM seen_webhooks").fetchall() == [
            ("msg_1",)
        ]
    committer = Committer(tmp_path / "replay.db")
    await committer.open()
    reopened = ReplayCache(committer, clock=clock)
    await reopened.open()
    keys = [WebhookSecret.parse(CURRENT)]
    with pytest.raises(ReplayedError):
        InboundVerifier(keys, reopened, clock).check(*request)
    await committer.close()


async def test_entries_expire_after_the_window(
    tmp_path: Path, verifier: InboundVerifier, cache: ReplayCache, clock: Clock
) -> None:
    """Once the widest window has passed, the id is forgotten (the request is stale anyway).

    The webhook's window is 40 s; an answer may wait a day at the city broker
    (docs/city-uplink.md), so ids are remembered that long.
    """
    request = signed(GOOD, at=clock.now)
    await remember(verifier, cache, verifier.check(*request))
    clock.now += timedelta(seconds=60)
    assert cache.seen("msg_1")
    with pytest.raises(StaleError):
        verifier.check(*request)
    clock.now += timedelta(seconds=REMEMBER_FOR)
    assert not cache.seen("msg_1")
    await remember(
        verifier, cache, verifier.check(*signed(GOOD, "msg_2", at=clock.now))
    )
    with closing(sqlite3.connect(tmp_path / "replay.db")) as db:
        assert db.execute("SELECT webhook_id FROM seen_webhooks").fetchall() == [
            ("msg_2",)
        ]


async def test_too_large(verifier: InboundVerifier, clock: Clock) -> None:
    """Bodies over 64 KiB are refused with 413 before anything else is looked at."""
    big = {**GOOD, "note": "x" * MAX_BODY}
    with pytest.raises(TooLargeError) as err:
        verifier.check(*signed(big, at=clock.now))
    assert err.value.status == 413
    with pytest.raises(TooLargeError):
        verifier.check({}, b" " * (MAX_BODY + 1))


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe",
        b"[1, 2]",
        b'"dispatched"',
        {**GOOD, "version": 1},
        {**GOOD, "version": "2"},
        {k: v for k, v in GOOD.items() if k != "status"},
        {**GOOD, "status": "teleported"},
        {**GOOD, "status": "cancelled"},
        {**GOOD, "incident_id": 42},
        {**GOOD, "incident_id": "../etc"},
        {**GOOD, "eta_minutes": "6"},
        {**GOOD, "eta_minutes": True},
        {**GOOD, "eta_minutes": 6.5},
        {**GOOD, "eta_minutes": -1},
        {**GOOD, "eta_minutes": 241},
        {**GOOD, "unit": "x" * 41},
        {**GOOD, "unit": 12},
        {**GOOD, "note": "x" * 501},
        {**GOOD, "sent_at": "yesterday"},
        {**GOOD, "sent_at": "2026-11-26T20:01:10"},
        {**GOOD, "sent_at": 1764200000},
        {**GOOD, "note": "\ud83d cut mid-emoji"},  # a lone surrogate
        {**GOOD, "unit": "P12\u0000"},
        {**GOOD, "unit": "P12\nP13"},
        {**GOOD, "note": "beep\u0007"},
    ],
)
async def test_malformed(
    verifier: InboundVerifier, clock: Clock, body: bytes | dict[str, Any]
) -> None:
    """Signed but not a version 1 status update: 400 (and the id is not used up)."""
    request = signed(body, at=clock.now)
    with pytest.raises(MalformedError) as err:
        verifier.check(*request)
    assert (err.value.status, err.value.reason) == (400, "malformed")
    assert isinstance(err.value, WebhookError)
    if isinstance(body, dict):  # the published schema refuses it too
        assert not validator("statusUpdate").is_valid(body)
    fixed = signed(GOOD, at=clock.now)  # same id, now a good body: accepted
    assert verifier.check(*fixed).status is IncidentState.DISPATCHED


async def test_oversized_signature_headers_are_refused(
    verifier: InboundVerifier, clock: Clock
) -> None:
    """A signature header longer than any honest sender needs: 431, nothing verified."""
    headers, body = signed(GOOD, at=clock.now)
    for name, size in (("webhook-id", 129), ("webhook-signature", 1025)):
        with pytest.raises(HeaderTooLargeError) as err:
            verifier.check({**headers, name: "x" * size}, body)
        assert (err.value.status, err.value.reason) == (431, "header_too_large")
    assert verifier.check(headers, body).status is IncidentState.DISPATCHED


def test_verifier_repr_hides_secrets(verifier: InboundVerifier) -> None:
    """The verifier's repr shows how many secrets, never them."""
    assert repr(verifier) == "InboundVerifier(secrets=2)"
