"""Property tests of the uplink's parsers: ``city_uplink`` settings and user properties.

Any mapping is either an :class:`InvalidUplinkError` naming a ``city_uplink`` field, or
settings whose every field is in range and whose topics hold no MQTT wildcard. Any
properties object yields at most the three signature headers and the content type.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings, strategies as st
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
import pytest

from custom_components.mi_frente_seguro.frente.text import text_problem
from custom_components.mi_frente_seguro.frente.uplink.settings import (
    KEYS,
    InvalidUplinkError,
    UplinkSettings,
    parse_uplink,
)
from custom_components.mi_frente_seguro.frente.uplink.wire import (
    MAX_PROPERTIES,
    SIGNATURE_HEADERS,
    headers_of,
    publish_properties,
)
from tests.frente.test_properties_text import PROPERTY, outcome

relaxed = settings(PROPERTY, max_examples=150)
VALID = {"host": "broker.cartagena.gov.co", "port": 8883, "topic_prefix": "cartagena"}
anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3)
    ),
    max_leaves=8,
)
values = st.one_of(
    anything,
    st.integers(-10, 70000),
    st.sampled_from(["", " x", "a/b", "city/#", "+", "$SYS", "ok", "/etc/ssl/c.pem", "\ud800", "a\x00b"]),
)  # fmt: skip


def check(settings: UplinkSettings) -> None:
    """Assert what every accepted setting guarantees."""
    assert 1 <= settings.port <= 65535
    assert settings.host and text_problem(settings.host) is None
    topics = settings.topics("manga_calle_real")
    for topic in (topics.alerts, topics.answers):
        assert not set(topic) & {"+", "#", "$", "\x00"}
        assert not topic.startswith("/") and "//" not in topic
    assert (settings.cert_file is None) == (settings.key_file is None)
    if settings.password is not None:
        assert settings.password not in repr(settings)


@relaxed
@given(st.dictionaries(st.sampled_from(sorted(KEYS)), values, max_size=10))
def test_any_settings_are_refused_with_a_field_or_are_sound(
    raw: dict[str, Any],
) -> None:
    """Whatever the options hold, parse_uplink raises its own error or returns sound settings."""
    settings = outcome(lambda: parse_uplink({**VALID, **raw}), InvalidUplinkError)
    if isinstance(settings, InvalidUplinkError):
        assert settings.field.startswith("city_uplink")
        return
    assert settings is not None
    check(settings)


@relaxed
@given(anything)
def test_any_object_is_refused_or_absent(raw: Any) -> None:
    """Not a mapping of known keys: refused (or None when empty)."""
    settings = outcome(lambda: parse_uplink(raw), InvalidUplinkError)
    if settings is not None and not isinstance(settings, InvalidUplinkError):
        check(settings)


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"host": ""}, "host"), ({"host": "a b"}, "host"), ({"port": True}, "port"),
     ({"port": 0}, "port"), ({"topic_prefix": "city/#"}, "topic_prefix"),
     ({"topic_prefix": "/city"}, "topic_prefix"), ({"cert_file": "/c.pem"}, "key_file"),
     ({"tls": False, "ca_file": "/ca.pem"}, "tls"), ({"password": "x"}, "username"),
     ({"username": "a\nb"}, "username"), ({"tls": "yes"}, "tls"), ({"other": 1}, "")],
)  # fmt: skip
def test_hostile_settings_name_their_field(changes: dict[str, Any], field: str) -> None:
    """Each kind of bad value is refused, naming the field."""
    with pytest.raises(InvalidUplinkError) as caught:
        parse_uplink({**VALID, **changes})
    assert caught.value.field == f"city_uplink.{field}".rstrip(".")


def test_defaults_and_bad_front_ids() -> None:
    """TLS on port 8883 by default; a front id that cannot be a topic level is refused."""
    settings = parse_uplink(
        {
            **VALID,
            "username": "f1",
            "password": "s3cret",
            "cert_file": "/c",
            "key_file": "/k",
        }
    )
    assert settings is not None and settings.tls and settings.port == 8883
    assert "s3cret" not in repr(settings) and settings.endpoint.startswith("mqtts://")
    assert parse_uplink(None) is None and parse_uplink({}) is None
    for bad in ("a/b", "+", "#", "", "x" * 101):
        with pytest.raises(InvalidUplinkError):
            settings.topics(bad)


pairs = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from([*SIGNATURE_HEADERS, "Webhook-ID", "x"]),
            st.text(max_size=20),
        ),
        st.tuples(st.integers(), st.text()),
        anything,
    ),
    max_size=40,
)


@relaxed
@given(pairs, st.one_of(st.none(), st.text(max_size=20), st.integers()))
def test_any_user_properties_give_only_the_signature_headers(
    user: list[Any], content_type: Any
) -> None:
    """Never raises; only known names, the first of each among the first 16."""

    class Fake:
        UserProperty = user
        ContentType = content_type

    headers = headers_of(Fake())
    assert set(headers) <= {*SIGNATURE_HEADERS, "content-type"}
    for name in SIGNATURE_HEADERS:
        if name in headers:
            firsts = [
                pair[1] for pair in user[:MAX_PROPERTIES]
                if isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)
                and pair[0].lower() == name and isinstance(pair[1], str)
            ]  # fmt: skip
            assert headers[name] == firsts[0]
    assert headers_of(None) == {} and headers_of(object()) == {}


@relaxed
@given(st.text(min_size=1, max_size=30), st.text(max_size=30))
def test_properties_round_trip(webhook_id: str, signature: str) -> None:
    """What publish_properties writes, headers_of reads back."""
    headers = {
        "webhook-id": webhook_id,
        "webhook-timestamp": "1",
        "webhook-signature": signature,
    }
    read = headers_of(publish_properties(headers))
    assert read == {**headers, "content-type": "application/json"}
    assert isinstance(Properties(PacketTypes.PUBLISH), Properties)  # type: ignore[no-untyped-call]
