"""Property tests of the city broker's parsers: ``--mqtt`` URL, topics, user properties."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from consola.mqtt.settings import MqttSettings, parse_mqtt
from consola.mqtt.wire import (
    MAX_PROPERTIES,
    SIGNATURE_HEADERS,
    headers_of,
    publish_properties,
)

relaxed = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
PIECES = ["mqtt://", "mqtts://", "http://", "u:p@", ":@", "host", "127.0.0.1", ":1883", ":0",
          ":99999", ":x", "/city", "/a/b", "/+", "/#", "/$SYS", "//", "?q=1", "#f", "\x00", " "]  # fmt: skip


def sound(found: MqttSettings) -> None:
    """Assert what every accepted setting guarantees."""
    assert 1 <= found.port <= 65535 and found.host
    assert not set(found.prefix) & {"+", "#", "$", " ", "\x00"}
    assert found.subscription == f"$share/consola/{found.prefix}/fronts/+/alerts"
    if found.password:
        assert found.password not in repr(found) and found.password not in found.shown()


@relaxed
@given(
    st.lists(st.sampled_from(PIECES), max_size=6).map("".join) | st.text(max_size=60)
)
def test_any_url_is_refused_or_sound(url: str) -> None:
    """parse_mqtt raises ValueError (no password in it) or returns sound settings."""
    try:
        found = parse_mqtt(url, "consola-a")
    except ValueError as err:
        assert "p@" not in str(err)  # noqa: PT017
        return
    sound(found)


@pytest.mark.parametrize(
    "url",
    ["http://h/city", "mqtt://h", "mqtt://h/city/#", "mqtt://h:0/c", "mqtt://h:70000/c",
     "mqtt://:1883/c", "mqtt://h/c?x=1", "mqtt://h/c\n"],
)  # fmt: skip
def test_bad_urls(url: str) -> None:
    """Each kind of bad URL is refused."""
    with pytest.raises(ValueError, match="--mqtt"):
        parse_mqtt(url, "consola-a")


def test_good_url_and_options() -> None:
    """Credentials are read (percent-decoded) and never shown; TLS files need mqtts."""
    found = parse_mqtt("mqtts://consola:s%40cret@broker.city:8884/cartagena", "a")
    assert (found.username, found.password, found.port, found.tls) == (
        "consola",
        "s@cret",
        8884,
        True,
    )
    assert (
        "s@cret" not in repr(found)
        and found.shown() == "mqtts://consola@broker.city:8884/cartagena"
    )
    assert found.front_of("cartagena/fronts/manga/alerts") == "manga"
    for topic in ("cartagena/fronts/a/b/alerts", "cartagena/fronts//alerts", "x/fronts/m/alerts",
                  "cartagena/fronts/m/answers", "cartagena/fronts/m+/alerts"):  # fmt: skip
        assert found.front_of(topic) is None
    with pytest.raises(ValueError, match="TLS"):
        parse_mqtt("mqtt://h/c", "a", ca_file="/ca.pem")
    with pytest.raises(ValueError, match="together"):
        parse_mqtt("mqtts://h/c", "a", cert_file="/c.pem")
    with pytest.raises(ValueError, match="mqtt-id"):
        parse_mqtt("mqtt://h/c", "bad id")
    with pytest.raises(ValueError, match="topic level"):
        found.answers_topic("a/b")


@relaxed
@given(st.text(max_size=80))
def test_front_of_any_topic(topic: str) -> None:
    """A topic gives a front id only when it is exactly an alerts topic of one level."""
    front = parse_mqtt("mqtt://h/city", "a").front_of(topic)
    if front is not None:
        assert topic == f"city/fronts/{front}/alerts" and "/" not in front


anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner),
    max_leaves=6,
)


@relaxed
@given(st.lists(st.tuples(st.sampled_from([*SIGNATURE_HEADERS, "WEBHOOK-ID", "x"]),
                          st.text(max_size=10)) | anything, max_size=30),
       anything)  # fmt: skip
def test_any_user_properties(user: list[Any], content_type: Any) -> None:
    """Never raises; only the known names, the first of each among the first 16."""

    class Fake:
        UserProperty = user
        ContentType = content_type

    headers = headers_of(Fake())
    assert set(headers) <= {*SIGNATURE_HEADERS, "content-type"}
    for name in SIGNATURE_HEADERS:
        if name in headers:
            first = next(
                pair[1] for pair in user[:MAX_PROPERTIES]
                if isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)
                and isinstance(pair[1], str) and pair[0].lower() == name
            )  # fmt: skip
            assert headers[name] == first


def test_round_trip() -> None:
    """What publish_properties writes, headers_of reads."""
    headers = {"webhook-id": "a", "webhook-timestamp": "1", "webhook-signature": "v1,x"}
    assert headers_of(publish_properties(headers)) == {
        **headers,
        "content-type": "application/json",
    }
