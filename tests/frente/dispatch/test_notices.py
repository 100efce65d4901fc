"""Trouble messages: the schema, CAP, SIA and the phone's text; their lane in the outbox.

Hypothesis builds notices of any device, name and time and checks each against the
published JSON Schema (closed: an undocumented field fails), the CAP 1.2 XSD, the SIA
mapping (and its round trip through our own SIA-DCS and Contact ID text) and the phone
text. The outbox runs against the HTTP receiver on 127.0.0.1 and a real file.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
import json
from pathlib import Path
from typing import Any

import aiohttp
from hypothesis import given, settings, strategies as st
from jsonschema import Draft202012Validator
import pytest

from custom_components.mi_frente_seguro.frente.committer import Committer
from custom_components.mi_frente_seguro.frente.dispatch.cap import to_cap
from custom_components.mi_frente_seguro.frente.dispatch.messages import (
    MessageRef,
    encode_json,
)
from custom_components.mi_frente_seguro.frente.dispatch.notices import (
    Notice,
    NoticeType,
    build_notice,
)
from custom_components.mi_frente_seguro.frente.dispatch.outbox import (
    Outbox,
    OutboxEvent,
)
from custom_components.mi_frente_seguro.frente.dispatch.phone_text import phone_text
from custom_components.mi_frente_seguro.frente.dispatch.sia import (
    CODES,
    ContentFormat,
    Report,
    SiaEvent,
    report_for_message,
)
from custom_components.mi_frente_seguro.frente.dispatch.sia.content import (
    parse_content,
    report_data,
)
from custom_components.mi_frente_seguro.frente.dispatch.signing import WebhookSecret
from custom_components.mi_frente_seguro.frente.trouble import Device

from .conftest import FRONT, T0
from .contract import cap_schema, validator
from .receiver import FakeSleep, Receiver, wait_until
from .test_outbox import alarm

SECRET = WebhookSecret.generate()
TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60
)
DEVICES = st.one_of(
    st.just(Device.kit()),
    st.just(Device.link()),
    st.builds(Device.camera, st.from_regex(r"cam[0-9]{1,3}", fullmatch=True), TEXT),
)
OFFSETS = st.sampled_from([UTC, timezone(timedelta(hours=-5))])
MOMENTS = st.builds(
    lambda seconds, tz: (
        datetime(2026, 12, 2, 20, 0, tzinfo=UTC).astimezone(tz)
        + timedelta(seconds=seconds)
    ),
    st.integers(0, 10**6),
    OFFSETS,
)


def notice(
    device: Device, since: datetime, down: int | None, name: str = "Calle Real"
) -> dict[str, Any]:
    """Return a trouble (``down`` None) or the restore after ``down`` seconds."""
    front = replace(FRONT, name=name)
    if down is None:
        return build_notice(
            Notice(NoticeType.TROUBLE, device, since, 1.5), front, sent_at=since
        )
    back = since + timedelta(seconds=down)
    restore = Notice(
        NoticeType.RESTORE,
        device,
        since,
        90,
        until=back,
        original=MessageRef("01JDTROUBLE000000000000000", since),
    )
    return build_notice(restore, front, sent_at=back)


@cache
def closed_notice() -> Draft202012Validator:
    """Return the validator of ``$defs/notice``, closed."""
    return validator("notice", strict=True)


@cache
def whole() -> Draft202012Validator:
    """Return the validator of the whole schema (one of its documents)."""
    return validator()


@settings(deadline=None, max_examples=60)
@given(DEVICES, MOMENTS, st.one_of(st.none(), st.integers(0, 10**6)), TEXT)
def test_every_notice_fits_the_contract(
    device: Device, since: datetime, down: int | None, name: str
) -> None:
    """Schema (closed), CAP XSD, an SIA report that reads back, a short phone text."""
    message = notice(device, since, down, name)
    body = json.loads(encode_json(message))
    errors = list(closed_notice().iter_errors(body))
    assert not errors, errors[0].message
    assert not list(whole().iter_errors(body))  # and it is one of the documents
    cap_schema().validate(to_cap(message).decode())
    report = report_for_message(message)
    assert report is not None and Report.decode(report.encode()) == report
    restore = down is not None
    expected = {
        "kit": (SiaEvent.KIT_TROUBLE, SiaEvent.KIT_RESTORE),
        "camera": (SiaEvent.CAMERA_TROUBLE, SiaEvent.CAMERA_RESTORE),
        "link": (SiaEvent.LINK_TROUBLE, SiaEvent.LINK_RESTORE),
    }[str(device.kind)][restore]
    assert report.event is expected
    assert CODES[expected].qualifier == (3 if restore else 1)
    for content in ContentFormat:
        data = report_data(report, content, "1A2B3C", 1)
        assert parse_content(data, content).report == report
    text = phone_text(message)
    assert text is not None and len(text.splitlines()) <= 5
    assert text.startswith("RESTABLECIDO" if restore else "FRENTE SIN SUPERVISIÓN")


def test_zones_name_the_device() -> None:
    """Kit 001 (the physical button's zone), link 000, camera camN 100 + N."""
    zones = {
        device.key: report.zone
        for device in (Device.kit(), Device.link(), Device.camera("cam3", "Parque"))
        if (report := report_for_message(notice(device, T0, None))) is not None
    }
    assert zones == {"kit": 1, "link": 0, "camera:cam3": 103}


def test_a_notice_is_never_a_drill_and_restores_end_after_they_start() -> None:
    """``exercise`` is always false; a restore before its trouble is refused."""
    assert notice(Device.kit(), T0, None)["exercise"] is False
    with pytest.raises(ValueError, match="end after"):
        build_notice(
            Notice(NoticeType.RESTORE, Device.kit(), T0, 1, until=T0 - timedelta(seconds=1)),
            FRONT, sent_at=T0,
        )  # fmt: skip


async def outbox_on(path: Path, session: aiohttp.ClientSession, url: str) -> Outbox:
    """Return an opened outbox on ``path`` (not delivering yet)."""
    committer = Committer(path)
    await committer.open()
    outbox = Outbox(committer, session, url, [SECRET])
    await outbox.open()
    return outbox


async def test_alarms_go_before_a_waiting_notice_and_a_restore_replaces_its_trouble(
    tmp_path: Path, session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """Queued: alarm 1, trouble, alarm 2, restore. Delivered: 1, 2, the restore alone.

    Also after a restart: the notice rows the file holds load into their own lane, and a
    restore still replaces its device's trouble loaded from the file.
    """
    receiver = Receiver([SECRET.export()])
    await receiver.start()
    path = tmp_path / "front.db"
    outbox = await outbox_on(path, session, receiver.url)
    trouble = notice(Device.kit(), T0, None)
    await outbox.enqueue(alarm(1))
    await outbox.enqueue(trouble)
    await outbox.enqueue(alarm(2))
    await outbox.enqueue(notice(Device.kit(), T0, 60))  # replaces the waiting trouble
    await outbox.enqueue(notice(Device.link(), T0, None))
    await outbox.close()
    await outbox.committer.close()

    outbox = await outbox_on(path, session, receiver.url)  # as after a restart
    await outbox.enqueue(alarm(3))
    await outbox.enqueue(notice(Device.link(), T0, 30))  # replaces the loaded trouble
    outbox.start()
    await wait_until(lambda: len(receiver.accepted) == 5)
    types = [
        (body["type"], body.get("incident_id") or body["device"]["kind"])
        for body in (json.loads(r.body) for r in receiver.requests)
    ]
    assert types == [
        ("incident.created", alarm(1)["incident_id"]),
        ("incident.created", alarm(2)["incident_id"]),
        ("incident.created", alarm(3)["incident_id"]),
        ("front.restore", "kit"),
        ("front.restore", "link"),
    ]
    assert trouble["id"] not in receiver.accepted  # replaced, never sent
    await outbox.close()
    await outbox.committer.close()
    await receiver.stop()


async def never_ends(_seconds: float) -> None:
    """Wait for ever (a backoff only a kick can cut short)."""
    await asyncio.Event().wait()


async def test_a_notice_in_backoff_never_holds_an_alarm(
    tmp_path: Path, session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """The receiver answers the trouble 500 (its backoff never ends): the alarm still goes."""
    receiver = Receiver([SECRET.export()])
    receiver.plan.append("500")
    await receiver.start()
    committer = Committer(tmp_path / "front.db")
    await committer.open()
    outbox = Outbox(committer, session, receiver.url, [SECRET], sleep=never_ends)
    await outbox.open()
    await outbox.enqueue(notice(Device.kit(), T0, None))
    outbox.start()
    await wait_until(lambda: len(receiver.requests) == 1)  # 500: waiting for ever
    await outbox.enqueue(alarm(1))
    await wait_until(lambda: len(receiver.accepted) == 2)
    assert receiver.accepted[0] == alarm(1)["id"]  # then the trouble, taken at last
    await outbox.close()
    await committer.close()
    await receiver.stop()


async def test_a_notice_is_never_given_up_like_a_drill(
    tmp_path: Path, session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """Refused twice (500) with drills given up after one attempt: still delivered."""
    receiver = Receiver([SECRET.export()])
    receiver.plan.extend(["500", "500"])
    await receiver.start()
    committer = Committer(tmp_path / "front.db")
    await committer.open()
    events: list[OutboxEvent] = []
    outbox = Outbox(
        committer, session, receiver.url, [SECRET], sleep=FakeSleep(),
        drill_max_attempts=1, on_event=events.append,
    )  # fmt: skip
    await outbox.open()
    trouble = notice(Device.kit(), T0, None)
    await outbox.enqueue(trouble)
    outbox.start()
    await wait_until(lambda: any(e.kind == "delivered" for e in events))
    assert receiver.accepted == [trouble["id"]]
    assert [e.kind for e in events if e.kind in {"failed", "dropped", "delivered"}] == [
        "failed", "failed", "delivered",
    ]  # fmt: skip
    await outbox.close()
    await committer.close()
    await receiver.stop()
