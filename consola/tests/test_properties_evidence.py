"""Property tests of the evidence upload parser: hostile bodies never get past it unnoticed.

For any JSON value (and any bytes), :func:`read_json` + :func:`check_upload` return an
``Upload`` or raise ``BodyError``, nothing else; what they return is exactly the uploaded
file, with the SHA-256 the body claims and the ``webhook-id`` the body names. A valid
upload with any one field spoiled is refused.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

from consola.ingest.evidence import Upload, check_upload
from consola.ingest.message import BodyError, read_json

from .helpers import FRONT_ID, INCIDENT_ID

relaxed = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
names = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_-]{0,30}\.(jpg|mp4)\Z")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)


def valid(data: bytes, name: str) -> dict[str, Any]:
    """Return a valid upload of ``data`` as ``name``."""
    return {
        "version": "1", "type": "evidence.upload", "id": f"evidence/{INCIDENT_ID}/{name}",
        "sent_at": "2026-11-26T20:00:05-05:00", "incident_id": INCIDENT_ID,
        "front_id": FRONT_ID, "exercise": False, "file": name, "camera": "cam1",
        "kind": "clip" if name.endswith(".mp4") else "snapshot", "mime_type": "image/jpeg",
        "captured_at": "2026-11-26T20:00:03-05:00",
        "sha256": hashlib.sha256(data).hexdigest(), "size_bytes": len(data),
        "content_base64": base64.b64encode(data).decode(),
    }  # fmt: skip


@relaxed
@given(st.binary(max_size=2048) | json_values.map(lambda v: repr(v).encode()))
def test_any_bytes_are_an_upload_or_a_body_error(body: bytes) -> None:
    """Bytes from anyone: parsed and checked, or BodyError; never another exception."""
    try:
        check_upload(read_json(body), "evidence/x/y.jpg")
    except BodyError:
        return


@relaxed
@given(st.dictionaries(st.text(max_size=16), json_values, max_size=16))
def test_any_object_is_an_upload_or_a_body_error(value: dict[str, Any]) -> None:
    """Any JSON object, even with every field name right, is an upload or BodyError."""
    try:
        check_upload(value, str(value.get("id", "")))
    except BodyError:
        return


@relaxed
@given(st.binary(max_size=4096), names)
def test_a_valid_upload_is_exactly_its_file(data: bytes, name: str) -> None:
    """A valid body returns the file's bytes, its SHA-256 and its name."""
    upload = check_upload(valid(data, name), f"evidence/{INCIDENT_ID}/{name}")
    assert isinstance(upload, Upload)
    assert upload.content == data
    assert upload.sha256 == hashlib.sha256(data).hexdigest()
    assert (upload.front_id, upload.incident_id, upload.file) == (
        FRONT_ID,
        INCIDENT_ID,
        name,
    )


@relaxed
@given(
    st.binary(min_size=1, max_size=1024),
    names,
    st.sampled_from(["sha256", "size_bytes", "content_base64", "id", "file", "type"]),
)
def test_one_spoiled_field_is_refused(data: bytes, name: str, field: str) -> None:
    """Another digest, size, content, id, file or type: BodyError."""
    body = valid(data, name)
    spoiled = {
        "sha256": "0" * 64,
        "size_bytes": len(data) + 1,
        "content_base64": base64.b64encode(data + b"!").decode(),
        "id": f"evidence/{INCIDENT_ID}/other.jpg",
        "file": "../" + name,
        "type": "incident.created",
    }[field]
    if body[field] == spoiled:
        return
    body[field] = spoiled
    try:
        check_upload(body, f"evidence/{INCIDENT_ID}/{name}")
    except BodyError:
        return
    raise AssertionError(f"{field} spoiled, still accepted")
