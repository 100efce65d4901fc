"""Standard Webhooks signing, checked against the reference ``standardwebhooks`` library."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from custom_components.mi_frente_seguro.frente.dispatch.signing import (
    ForgedError,
    InvalidSecretError,
    StaleError,
    UnsignedError,
    WebhookSecret,
    generate_secret,
    signature_headers,
    verify,
)

NOW = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)
BODY = '{"version":"1","note":"Pérez"}'.encode()


def test_generated_secret_format() -> None:
    """whsec_ + base64 of 32 random bytes; each one new; round-trips through parse."""
    text = generate_secret()
    assert text.startswith("whsec_")
    assert len(base64.b64decode(text[6:])) == 32
    assert generate_secret() != text
    assert WebhookSecret.parse(text).export() == text
    assert WebhookSecret.parse(text) == WebhookSecret.parse(text.rstrip("="))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "whsec_",
        "whsec_not base64!",
        "whsec_" + base64.b64encode(b"x" * 31).decode(),
    ],
)
def test_bad_secrets_are_refused(text: str) -> None:
    """No prefix, not base64, or fewer than 32 bytes."""
    with pytest.raises(InvalidSecretError):
        WebhookSecret.parse(text)


def test_secret_never_shows() -> None:
    """Neither repr, str nor an error message reveals the key."""
    secret = WebhookSecret.generate()
    exported = secret.export()
    assert repr(secret) == str(secret) == "WebhookSecret(<redacted>)"
    assert exported[6:] not in repr([secret])
    with pytest.raises(ForgedError) as err:
        verify(signature_headers("m", 1, b"x", [secret]), b"y", [secret], NOW)
    assert exported[6:] not in str(err.value)


def test_reference_library_verifies_our_headers() -> None:
    """Our signature, with one or two secrets, verifies with the reference implementation."""
    new, old = WebhookSecret.generate(), WebhookSecret.generate()
    timestamp = int(datetime.now(UTC).timestamp())
    headers = signature_headers("01JDMSG", timestamp, BODY, [new, old])
    assert headers["webhook-id"] == "01JDMSG"
    assert headers["webhook-timestamp"] == str(timestamp)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (new, old):
        assert Webhook(secret.export()).verify(BODY, headers) == {
            "version": "1",
            "note": "Pérez",
        }


def test_we_verify_the_reference_library() -> None:
    """A signature made by the reference library verifies here, with any held secret."""
    text = generate_secret()
    held = [WebhookSecret.generate(), WebhookSecret.parse(text)]
    signature = Webhook(text).sign("msg_1", NOW, BODY.decode())
    headers = {
        "Webhook-Id": "msg_1",  # header names are case-insensitive
        "Webhook-Timestamp": str(int(NOW.timestamp())),
        "Webhook-Signature": f"v2,ignored v1,{'A' * 43}= {signature}",
    }
    verified = verify(headers, BODY, held, NOW)
    assert (verified.msg_id, verified.timestamp) == ("msg_1", int(NOW.timestamp()))


def test_forged_and_unsigned() -> None:
    """Wrong secret, changed body or id: forged. Missing or unreadable headers: unsigned."""
    secret = WebhookSecret.generate()
    ts = int(NOW.timestamp())
    good = signature_headers("m1", ts, BODY, [secret])
    with pytest.raises(ForgedError):
        verify(good, BODY, [WebhookSecret.generate()], NOW)
    with pytest.raises(ForgedError):
        verify(good, BODY + b" ", [secret], NOW)
    with pytest.raises(ForgedError):
        verify({**good, "webhook-id": "m2"}, BODY, [secret], NOW)
    for missing in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        with pytest.raises(UnsignedError):
            verify({k: v for k, v in good.items() if k != missing}, BODY, [secret], NOW)
    for bad in ({"webhook-timestamp": "12.5"}, {"webhook-signature": "v2,abc"}):
        with pytest.raises(UnsignedError):
            verify({**good, **bad}, BODY, [secret], NOW)
    assert ForgedError.status == UnsignedError.status == 401


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [(-40, True), (-41, False), (20, True), (21, False), (0, True), (-3600, False)],
)
def test_timestamp_window(offset: int, accepted: bool) -> None:
    """Signed timestamps are accepted from now-40 s to now+20 s, else stale."""
    secret = WebhookSecret.generate()
    signed_at = int((NOW + timedelta(seconds=offset)).timestamp())
    headers = signature_headers("m", signed_at, BODY, [secret])
    if accepted:
        assert verify(headers, BODY, [secret], NOW).timestamp == signed_at
    else:
        with pytest.raises(StaleError) as err:
            verify(headers, BODY, [secret], NOW)
        assert (err.value.status, err.value.reason) == (401, "stale")
