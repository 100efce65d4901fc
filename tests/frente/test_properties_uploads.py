"""Property tests of the evidence upload body (docs/police-api.md, section 7).

For any file and any reference, the body the front signs is valid against the schema's
``evidenceUpload``, verifies with the unmodified ``standardwebhooks`` library, and decodes
to exactly the file's bytes, whose SHA-256 is the one the reference carries; one flipped
byte of the body never verifies.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
import hashlib
import json
import time

from hypothesis import given, strategies as st
import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from custom_components.mi_frente_seguro.frente.dispatch.signing import (
    WebhookSecret,
    signature_headers,
)
from custom_components.mi_frente_seguro.frente.dispatch.uploads import (
    upload_body,
    upload_descriptor,
    upload_url,
)

from .dispatch.contract import validator
from .test_properties_text import PROPERTY

SECRET = WebhookSecret.generate()
NOW = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)
names = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_-]{0,40}\.(jpg|mp4)\Z")
incident_ids = st.from_regex(r"\A[0-9A-Z]{26}\Z")
UPLOAD = validator("evidenceUpload", strict=True)
cameras = st.text(min_size=1, max_size=30).filter(
    lambda t: all(not 0xD800 <= ord(c) <= 0xDFFF for c in t)
)


@PROPERTY
@given(st.binary(max_size=4096), names, incident_ids, cameras, st.booleans())
def test_an_upload_is_valid_signed_and_exact(
    data: bytes, file: str, incident_id: str, camera: str, exercise: bool
) -> None:
    """Schema-valid, verified by standardwebhooks, the file's bytes and SHA-256."""
    item = {
        "file": file,
        "camera": camera,
        "kind": "clip" if file.endswith(".mp4") else "press",
        "captured_at": NOW.isoformat(),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    descriptor = upload_descriptor("manga_calle_real", incident_id, exercise, item, NOW)
    body = upload_body(descriptor, data)
    parsed = json.loads(body)
    assert list(UPLOAD.iter_errors(parsed)) == []
    content = base64.b64decode(parsed["content_base64"], validate=True)
    assert content == data
    assert hashlib.sha256(content).hexdigest() == parsed["sha256"]
    headers = signature_headers(descriptor["id"], int(time.time()), body, [SECRET])
    webhook = Webhook(SECRET.export())
    webhook.verify(body, headers)
    flipped = bytearray(body)
    flipped[len(flipped) // 2] ^= 0x01
    with pytest.raises((WebhookVerificationError, UnicodeDecodeError)):
        webhook.verify(bytes(flipped), headers)


@PROPERTY
@given(
    st.sampled_from(["http", "https"]),
    st.from_regex(r"\A(/[a-z0-9_]{1,10}){0,3}/?\Z"),
    st.from_regex(r"\A([a-z]=[0-9]{1,3})?\Z"),
)
def test_the_upload_url_ends_its_path_in_evidence(
    scheme: str, path: str, query: str
) -> None:
    """``/evidence`` ends the path; host, port and query stay as they were."""
    url = f"{scheme}://127.0.0.1:8780{path}" + (f"?{query}" if query else "")
    got = upload_url(url)
    assert got.split("?")[0] == f"{scheme}://127.0.0.1:8780{path.rstrip('/')}/evidence"
    assert got.partition("?")[2] == query
