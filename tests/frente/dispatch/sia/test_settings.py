"""A destination's settings are checked field by field; link tests are scheduled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
import pytest

from custom_components.mi_frente_seguro.frente.dispatch.outcome import (
    DELIVERED,
    Outcome,
    Verdict,
)
from custom_components.mi_frente_seguro.frente.dispatch.sia.settings import (
    InvalidSiaSettingsError,
    SiaSettings,
    parse_account,
)
from custom_components.mi_frente_seguro.frente.dispatch.sia.supervision import (
    DEFAULT_INTERVAL,
    LinkSupervision,
    next_link_test_due,
)
from tests.frente.test_properties_text import PROPERTY, hostile_text, outcome

NOW = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)
RETRY = Outcome(Verdict.RETRY, "connection refused")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"host": ""}, "host"),
        ({"host": "a b"}, "host"),
        ({"port": 0}, "port"),
        ({"port": 65536}, "port"),
        ({"port": True}, "port"),
        ({"account": "12"}, "account"),
        ({"account": "12345678901234567"}, "account"),
        ({"account": "12G4"}, "account"),
        ({"key": "0123456789ABCDEF"}, "key"),
        ({"receiver": ""}, "receiver"),
        ({"line": "1234567"}, "line"),
        ({"line": 0}, "line"),
        ({"area": 100}, "area"),
        ({"area": -1}, "area"),
        ({"area": True}, "area"),
        ({"answer_timeout": 0}, "answer_timeout"),
        ({"connect_timeout": float("inf")}, "connect_timeout"),
        ({"connect_timeout": "5"}, "connect_timeout"),
        ({"max_restamps": 6}, "max_restamps"),
        ({"link_test_interval": timedelta(0)}, "link_test_interval"),
        ({"link_test_interval": 300}, "link_test_interval"),
    ],
)
def test_each_field_is_checked(change: dict[str, Any], field: str) -> None:
    """A wrong value is refused, naming its field."""
    values: dict[str, Any] = {"host": "127.0.0.1", "port": 12128, "account": "1A2B"}
    with pytest.raises(InvalidSiaSettingsError) as err:
        SiaSettings(**(values | change))
    assert err.value.field == field


def test_normalised_values() -> None:
    """Account and hex numbers in upper case; enums from their values; safe endpoint."""
    settings = SiaSettings(
        "::1",
        12128,
        " 1a2b ",
        receiver="ab",
        line="c",
        protocol="udp",
        content="ADM-CID",  # type: ignore[arg-type]
    )
    assert (settings.account, settings.receiver, settings.line) == ("1A2B", "AB", "C")
    assert settings.endpoint == "udp://[::1]:12128"
    assert not settings.encrypted
    assert settings.link_test_interval == DEFAULT_INTERVAL == timedelta(minutes=5)


@PROPERTY
@given(hostile_text)
def test_any_account_text_is_an_account_or_invalid(text: str) -> None:
    """Account text is 3-16 hex digits (upper case) or an InvalidSiaSettingsError."""
    account = outcome(lambda: parse_account(text), InvalidSiaSettingsError)
    if isinstance(account, str):
        assert 3 <= len(account) <= 16
        assert set(account) <= set("0123456789ABCDEF")


def test_next_link_test_due() -> None:
    """Now when none was sent, else ``interval`` after the last."""
    assert next_link_test_due(None, timedelta(minutes=5), NOW) == NOW
    assert next_link_test_due(NOW, timedelta(minutes=5), NOW) == NOW + timedelta(
        minutes=5
    )


def test_supervision_after_failures_and_recovery() -> None:
    """Down: the next test comes after ``retry``; up again: after the interval."""
    link = LinkSupervision(interval=timedelta(minutes=5), retry=timedelta(seconds=30))
    assert link.due(NOW) == NOW and link.up is None
    assert link.record(NOW, DELIVERED) is True
    assert link.due(NOW) == NOW + timedelta(minutes=5)
    assert link.record(NOW, RETRY) is True and link.up is False
    assert link.record(NOW, RETRY) is False and link.failures == 2
    assert link.due(NOW) == NOW + timedelta(seconds=30)
    later = NOW + timedelta(seconds=30)
    assert link.record(later, DELIVERED) is True
    assert (link.up, link.failures, link.last_delivered) == (True, 0, later)
    short = LinkSupervision(interval=timedelta(seconds=10), retry=timedelta(seconds=30))
    short.record(NOW, RETRY)
    assert short.due(NOW) == NOW + timedelta(
        seconds=10
    )  # never later than the interval
