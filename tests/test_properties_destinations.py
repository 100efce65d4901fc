"""Property tests of the destination forms: any input, an error or data that loads back."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings, strategies as st

from custom_components.mi_frente_seguro.flows.destination_fields import (
    MAX_LINK_TEST,
    MIN_LINK_TEST,
    validate_phone_target,
    validate_sia,
    validate_webhook,
)
from custom_components.mi_frente_seguro.flows.fields import WEB_SCHEMES, url_problem
from custom_components.mi_frente_seguro.frente.dispatch.signing import WebhookSecret
from custom_components.mi_frente_seguro.runtime.police_settings import read_destination

anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # NaN and infinities too
    st.text(),
    st.text(alphabet="0123456789abcdefABCDEF", min_size=0, max_size=70),
)
hosts = st.one_of(anything, st.sampled_from(["127.0.0.1", "::1", "sia.example", ""]))
ports = st.one_of(anything, st.integers(-5, 70000), st.floats(-1, 70000))
accounts = st.one_of(anything, st.text("0123456789ABCDEFabcdef", max_size=20))
keys = st.one_of(
    anything,
    st.text(
        st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=15, max_size=33
    ),
)
intervals = st.one_of(anything, st.integers(0, 100_000), st.floats(0, 100_000))
names = st.one_of(anything, st.text(max_size=70))


@settings(max_examples=400, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "destination_name": names,
            "sia_host": hosts,
            "sia_port": ports,
            "sia_account": accounts,
            "sia_key": keys,
            "sia_key_format": st.one_of(anything, st.sampled_from(["text", "hex"])),
            "sia_protocol": st.one_of(anything, st.sampled_from(["tcp", "udp"])),
            "sia_content": st.one_of(anything, st.sampled_from(["SIA-DCS", "ADM-CID"])),
            "sia_link_test_interval": intervals,
        }
    )
)
def test_sia_form_never_raises_and_what_it_accepts_loads(form: dict[str, Any]) -> None:
    """Hostile host, port, account, key, interval: errors, or data that builds settings."""
    data, errors = validate_sia(form, {})
    if errors:
        return
    loaded = read_destination("sia", "Monitoreo", {**data, "destination_id": "x"})
    assert loaded.sia is not None
    assert 3 <= len(loaded.sia.account) <= 16
    assert 1 <= loaded.sia.port <= 65535
    seconds = loaded.sia.link_test_interval.total_seconds()
    assert MIN_LINK_TEST <= seconds <= MAX_LINK_TEST
    assert (loaded.sia.key is None) == (not data["sia_key"])


@settings(max_examples=300, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "destination_name": names,
            "police_url": st.one_of(
                anything,
                st.from_regex(r"\Ahttps?://[a-z0-9.\[\]:]{0,20}(/\S{0,10})?\Z"),
            ),
            "police_secret": st.one_of(
                anything, st.just(WebhookSecret.generate().export())
            ),
            "police_secret_previous": anything,
        }
    )
)
def test_webhook_form_never_raises_and_what_it_accepts_loads(
    form: dict[str, Any],
) -> None:
    """Hostile URLs and secrets: errors, or an http(s) URL with a host and a real secret."""
    data, errors, generated = validate_webhook(form, {})
    if generated is not None:
        assert WebhookSecret.parse(generated)
    if errors:
        return
    assert not url_problem(data["police_url"], WEB_SCHEMES)
    loaded = read_destination("json", "CAD", {**data, "destination_id": "x"})
    assert loaded.secrets


@settings(max_examples=300, deadline=None)
@given(st.one_of(anything, st.from_regex(r"\Anotify\.[a-z0-9_]{0,10}\Z")))
def test_phone_target_is_a_notify_name_or_an_error(value: object) -> None:
    """Anything typed: a ``notify.<name>`` target, or an error."""
    target, error = validate_phone_target(value)
    if error is None:
        domain, _, name = target.partition(".")
        assert domain == "notify"
        assert name.replace("_", "").isalnum()
        assert not name.startswith("_") and not name.endswith("_")
