"""A front's trouble messages on a real console: stored once, the front's health, shown.

The bodies are the contract's example (docs/police-api.md section 6), signed with the
reference library and POSTed to the running console (SQLite and PostgreSQL).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
import re
from typing import Any

import aiohttp

from consola.storage.notices import front_health

from .conftest import SUPERVISOR, Running
from .helpers import FRONT_ID, alert, login, signed

DOC = Path(__file__).parents[2] / "docs" / "police-api.md"


def example() -> dict[str, Any]:
    """Return the ``front.trouble`` example of the contract."""
    blocks = re.findall(
        r"```json\n(.*?)\n```", DOC.read_text(encoding="utf-8"), re.DOTALL
    )
    (found,) = [b for b in blocks if '"front.trouble"' in b]
    body: dict[str, Any] = json.loads(found)
    return body


def restore_of(trouble: dict[str, Any], message_id: str) -> dict[str, Any]:
    """Return the restore of ``trouble`` five minutes after it went down."""
    body = copy.deepcopy(trouble)
    body.update(
        type="front.restore", id=message_id, sent_at="2026-12-02T20:05:00-05:00",
        until="2026-12-02T20:05:00-05:00", down_s=300,
        references={"id": trouble["id"], "sent_at": trouble["sent_at"]},
    )  # fmt: skip
    return body


async def post(http: aiohttp.ClientSession, running: Running, body: Any) -> int:
    """POST a signed body; return the status."""
    data, headers = signed(body, running.secret)
    async with http.post(running.alerts_url, data=data, headers=headers) as response:
        return response.status


async def test_trouble_stored_once_shown_and_restored(
    running: Running, http: aiohttp.ClientSession
) -> None:
    """Trouble: 200, health shows the kit; retry: 200, once; restore: healthy again."""
    trouble = example()
    assert await post(http, running, trouble) == 200
    assert await post(http, running, trouble) == 200  # a retry
    health = await running.console.db.tx(front_health)
    assert [row["device_key"] for row in health[FRONT_ID]] == ["kit:kit"]
    count = await running.console.db.tx(
        lambda tx: tx.one("SELECT COUNT(*) AS n FROM notices")
    )
    assert count == {"n": 1}
    assert await login(http, running.base, *SUPERVISOR) == 200
    async with http.get(f"{running.base}/supervision/frentes") as response:
        page = await response.text()
    assert "kit de la calle caído desde 2026-12-02 20:00:00" in page
    assert (
        await post(http, running, restore_of(trouble, "01JE2T9RESTORE000000000000"))
        == 200
    )
    assert await running.console.db.tx(front_health) == {}
    late = copy.deepcopy(trouble)  # an older trouble arriving late changes nothing
    late.update(id="01JE2T0LATE0000000000000000", sent_at="2026-12-02T20:00:30-05:00")
    assert await post(http, running, late) == 200
    assert await running.console.db.tx(front_health) == {}


async def test_a_malformed_trouble_is_refused_for_good(
    running: Running, http: aiohttp.ClientSession
) -> None:
    """A trouble message outside the contract: 422 (a dead letter on the front)."""
    body = example()
    body["device"]["kind"] = "toaster"
    assert await post(http, running, body) == 422
    body = example()
    del body["since"]
    assert await post(http, running, body) == 422


async def test_fronts_page_shows_the_last_real_alarm_and_the_last_drill(
    running: Running, http: aiohttp.ClientSession
) -> None:
    """The fronts page's link health: the latest real alarm and drill (link test), apart."""
    assert await post(http, running, alert()) == 200
    drill = alert(id="01JDR6Q7ZMB1H2J3K4N5P6Q7D1", incident_id="01JDR6Q7ZK3M8YV2C4T5N9B0D1",
                  kind="drill", exercise=True, opened_at="2026-11-27T09:30:00-05:00")  # fmt: skip
    assert await post(http, running, drill) == 200
    assert await login(http, running.base, *SUPERVISOR) == 200
    async with http.get(f"{running.base}/supervision/frentes") as response:
        page = await response.text()
    row = page[page.index(f'id="frente-{FRONT_ID}"') :]
    assert '<td class="last-alarm">2026-11-26 20:00:00</td>' in row
    assert '<td class="last-drill">2026-11-27 09:30:00</td>' in row
