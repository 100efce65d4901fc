"""Property tests of ``Retry-After``: any text is None or a wait in [0, RETRY_AFTER_CAP]."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
import math

from hypothesis import given, strategies as st

from custom_components.mi_frente_seguro.frente.dispatch.retry import (
    RETRY_AFTER_CAP,
    backoff_delay,
    next_delay,
    parse_retry_after,
)

from .test_properties_text import PROPERTY, hostile_text, texts

NOW = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)

date_like = texts(
    st.sampled_from("0123456789 ,:+-"),
    (
        "Thu", "Mon,", "26", "Nov", "Feb", "2026", "0", "9999", "99999", "00", "20:00:30",
        "24:61:61", "GMT", "UTC", "-0000", "+9999", "-2400", "+0530", "EST", "\x00", "٣",
        "1e999", "nan", "inf", " ",
    ),
    max_size=40,
)  # fmt: skip
field = st.one_of(
    st.integers(0, 99).map(str),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["", "x", "٣", "0" * 30, "+", "-"]),
)
# An HTTP date's shape with any number in each place (days, years, hours, zones...).
http_date_like = st.builds(
    "{}, {} {} {} {}:{}:{} {}{}".format,
    st.sampled_from(["Thu", "Mon", "Xyz", ""]),
    field,
    st.sampled_from(["Nov", "Feb", "Foo", ""]),
    field,
    field,
    field,
    field,
    st.sampled_from(["", "+", "-"]),
    st.one_of(st.sampled_from(["GMT", "UTC", "EST", "0000", "2400", "9959"]), field),
)
retry_after_text = st.one_of(
    hostile_text,
    date_like,
    http_date_like,
    st.integers(0, 10**500).map(lambda number: f" {number}\t"),
    st.sampled_from(
        ["9" * 5000, "0" * 400 + "7", "١٢٠", "²", "12.5", "-1", "+5", "1_000"]
    ),
)


def assert_valid_wait(wait: float | None) -> None:
    """Fail unless ``wait`` is None or a finite number of seconds in [0, cap]."""
    if wait is not None:
        assert isinstance(wait, float)
        assert math.isfinite(wait)
        assert 0.0 <= wait <= RETRY_AFTER_CAP


@PROPERTY
@given(st.none() | retry_after_text)
def test_any_header_is_none_or_a_bounded_wait(header: str | None) -> None:
    """Any text: never raises, never NaN, negative or infinite, never above the cap."""
    assert_valid_wait(parse_retry_after(header, NOW))


@PROPERTY
@given(st.integers(0, 10**600), st.sampled_from(["", " ", "\t"]))
def test_delay_seconds_are_read_and_capped(seconds: int, pad: str) -> None:
    """Delay-seconds of any length: the number, capped at RETRY_AFTER_CAP."""
    wait = parse_retry_after(f"{pad}{seconds}{pad}", NOW)
    assert wait == min(float(min(seconds, 10**300)), RETRY_AFTER_CAP)


@PROPERTY
@given(
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9998, 12, 31)),
    st.sampled_from([UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=9))]),
)
def test_http_dates_are_the_seconds_until_then(
    moment: datetime, zone: timezone
) -> None:
    """An HTTP date is the wait until then: 0 when past, capped when far ahead."""
    when = moment.replace(microsecond=0, tzinfo=zone)
    wait = parse_retry_after(format_datetime(when, usegmt=zone is UTC), NOW)
    assert_valid_wait(wait)
    expected = min(max((when - NOW).total_seconds(), 0.0), RETRY_AFTER_CAP)
    assert wait == expected


@PROPERTY
@given(
    st.integers(-5, 10**6),
    st.none() | st.floats(0, RETRY_AFTER_CAP),
    st.floats(0, 1),
)
def test_next_delay_is_bounded(
    failures: int, retry_after: float | None, random: float
) -> None:
    """The wait is at least Retry-After and never longer than the larger cap."""
    delay = next_delay(failures, retry_after, lambda: random)
    assert math.isfinite(delay) and delay >= 0
    assert delay >= (retry_after or 0.0)
    assert delay <= max(RETRY_AFTER_CAP, backoff_delay(failures, lambda: 1.0))
