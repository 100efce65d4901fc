"""``POST /alerts`` on a real console: signed, checked, deduped, stored before 2xx."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp

from consola.storage.incidents import list_rejected, recent_incidents

from .conftest import Running
from .helpers import FRONT_ID, alert, new_secret, signed


async def post(
    http: aiohttp.ClientSession, url: str, data: bytes, headers: dict[str, str]
) -> tuple[int, bytes]:
    """POST and return the status and the body."""
    async with http.post(url, data=data, headers=headers) as response:
        return response.status, await response.read()


async def rejected(running: Running) -> list[str]:
    """Return the reasons kept for supervisors, newest first."""
    rows = await running.console.db.tx(list_rejected)
    return [row["reason"] for row in rows]


async def test_signed_alert_stored_once(
    running: Running, http: aiohttp.ClientSession
) -> None:
    """A signed alert is stored (200), its retry answered 200 and not stored twice."""
    data, headers = signed(alert(), running.secret)
    assert await post(http, running.alerts_url, data, headers) == (
        200,
        b'{"status": "stored"}',
    )
    assert await post(http, running.alerts_url, data, headers) == (
        200,
        b'{"status": "duplicate"}',
    )
    # the plain /alerts endpoint finds the front from the body
    data2, headers2 = signed(alert(id="01JDR6Q7ZMB1H2J3K4N5P6Q7S0"), running.secret)
    assert (await post(http, f"{running.base}/alerts", data2, headers2))[0] == 200
    since = datetime.now(UTC) - timedelta(hours=1)
    rows = await running.console.db.tx(lambda tx: recent_incidents(tx, None, since))
    assert len(rows) == 1
    count = await running.console.db.tx(
        lambda tx: tx.one("SELECT COUNT(*) AS n FROM messages")
    )
    assert count == {"n": 2}


async def test_forged_unknown_and_stale_refused_without_detail(
    running: Running, http: aiohttp.ClientSession
) -> None:
    """Unknown fronts and bad signatures get a bare 401; supervisors see why."""
    body = alert()
    cases = [
        (running.alerts_url, *signed(body, new_secret())),  # forged
        (
            running.alerts_url,
            *signed(body, running.secret, at=datetime.now(UTC) - timedelta(minutes=10)),
        ),
        (
            f"{running.base}/alerts/otro_frente",
            *signed(body, running.secret),
        ),  # unknown
        (f"{running.base}/alerts", *signed(alert(front_id="otro"), running.secret)),
    ]
    for url, data, headers in cases:
        assert await post(http, url, data, headers) == (401, b"")
    unsigned = {"Content-Type": "application/json"}
    assert await post(http, running.alerts_url, b"{}", unsigned) == (401, b"")
    assert await rejected(running) == ["bad_signature", "unknown_front", "unknown_front",
                                       "bad_signature", "bad_signature"]  # fmt: skip


async def test_rotation_accepts_either_secret(
    running: Running, http: aiohttp.ClientSession
) -> None:
    """A front signing with a new and an old secret passes while either is registered."""
    data, headers = signed(alert(), [new_secret(), running.secret])
    assert (await post(http, running.alerts_url, data, headers))[0] == 200


async def test_contract_checked_after_signature(
    running: Running, http: aiohttp.ClientSession
) -> None:
    """Signed bodies outside the contract are 422 (the front dead-letters them), never stored."""
    bad = [
        alert(version="1"),
        alert(kind="robbery"),
        alert(presses=[]),
        alert(front_id="otro_frente"),  # speaks for another front
    ]
    for number, body in enumerate(bad):
        body["id"] = f"01JDR6Q7ZMB1H2J3K4N5P6Q7T{number}"
        assert (await post(http, running.alerts_url, *signed(body, running.secret)))[
            0
        ] == 422
    mismatch = signed(alert(), running.secret, msg_id="another-id")
    nan = b'{"version": "2", "lat": NaN}'
    dupe_keys = b'{"version": "2", "version": "2"}'
    for data, headers in (
        mismatch,
        signed(nan, running.secret),
        signed(dupe_keys, running.secret),
    ):
        assert (await post(http, running.alerts_url, data, headers))[0] == 422
    assert (await rejected(running))[-4:] == [
        "wrong_front",
        "malformed",
        "malformed",
        "malformed",
    ]


async def test_limits(running: Running, http: aiohttp.ClientSession) -> None:
    """Oversize bodies 413, long signature headers 431, CAP (not read yet) 415."""
    big = b"{" + b" " * (1024 * 1024) + b"}"
    assert (await post(http, running.alerts_url, *signed(big, running.secret)))[
        0
    ] == 413
    data, headers = signed(alert(), running.secret)
    headers["webhook-id"] = "x" * 129
    assert (await post(http, running.alerts_url, data, headers))[0] == 431
    data, headers = signed(alert(), running.secret)
    headers["Content-Type"] = "application/cap+xml"
    assert (await post(http, running.alerts_url, data, headers))[0] == 415
    assert await rejected(running) == ["unsupported", "headers_too_long", "too_large"]


async def test_inactive_front_refused(
    running: Running, http: aiohttp.ClientSession
) -> None:
    """A deactivated front's alerts are refused like an unknown front's."""
    await running.console.db.tx(
        lambda tx: tx.run("UPDATE fronts SET active = 0 WHERE id = ?", FRONT_ID)
    )
    assert (await post(http, running.alerts_url, *signed(alert(), running.secret)))[
        0
    ] == 401


async def test_refusal_flood_is_not_a_write_flood(
    running: Running, http: aiohttp.ClientSession
) -> None:
    """Past its budget an address's refusals are still answered 401, but not written."""
    from consola.ingest.service import REFUSALS_KEPT_PER_MINUTE

    minute = datetime.now(UTC)
    running.console.ingest.clock = lambda: minute  # all in one minute of the budget
    data, headers = signed(alert(), new_secret())
    for _ in range(REFUSALS_KEPT_PER_MINUTE + 5):
        assert (await post(http, running.alerts_url, data, headers))[0] == 401
    assert len(await rejected(running)) == REFUSALS_KEPT_PER_MINUTE
