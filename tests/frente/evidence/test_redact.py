"""Camera credentials never show in text meant for people."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.mi_frente_seguro.frente.evidence import (
    CameraDownError,
    CameraSource,
    Frame,
    redact_text,
    redact_url,
)
from custom_components.mi_frente_seguro.frente.evidence.redact import (
    redacted_traceback,
    url_secrets,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "rtsp://admin:hunter22@10.0.0.5:554/stream1",
            "rtsp://***@10.0.0.5:554/stream1",
        ),
        ("rtsp://viewer@10.0.0.5/live", "rtsp://***@10.0.0.5/live"),
        ("rtsp://admin:p@ss:w0rd@cam.local/h264", "rtsp://***@cam.local/h264"),
        ("rtsp://admin:p%40ss@cam.local/h264", "rtsp://***@cam.local/h264"),
        (
            "rtsp://10.0.0.7/cam/realmonitor?channel=1&user=admin&password=hunter22",
            "rtsp://10.0.0.7/cam/realmonitor?channel=1&user=***&password=***",
        ),
        (
            "rtsp://10.0.0.8:554/user=admin&password=hunter22&channel=1&stream=0.sdp",
            "rtsp://10.0.0.8:554/user=***&password=***&channel=1&stream=0.sdp",
        ),
        ("http://10.0.0.9/snap.jpg?token=abc123", "http://10.0.0.9/snap.jpg?token=***"),
        ("rtsp://127.0.0.1:8554/cam1", "rtsp://127.0.0.1:8554/cam1"),
        ("rtsp://[fe80::1]:bad/x", "rtsp://[fe80::1]:bad/x"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    """User, password and secret parameters are masked; the rest stays readable."""
    assert redact_url(url) == expected


def test_redact_text_in_ffmpeg_message() -> None:
    """A URL inside a message, and the bare password echoed elsewhere, are both masked."""
    url = "rtsp://admin:hunter22@10.0.0.5/stream1"
    message = (
        f"[rtsp @ 0x55] method DESCRIBE failed: 401 for {url}; user hunter22 denied"
    )
    redacted = redact_text(message, *url_secrets(url))
    assert "hunter22" not in redacted
    assert "admin" not in redacted
    assert "rtsp://***@10.0.0.5/stream1" in redacted
    assert redacted.startswith("[rtsp @ 0x55] method DESCRIBE failed: 401")


def test_url_secrets_decodes_percent_escapes() -> None:
    """Both the written and the decoded form of a password are secrets."""
    secrets = url_secrets("rtsp://admin:p%40ss99@cam.local/x?token=t0k3n")
    assert set(secrets) == {"admin", "p%40ss99", "p@ss99", "t0k3n"}
    assert url_secrets("not a url") == ()
    # Not parseable (unclosed IPv6 bracket): the parameters are still found.
    assert url_secrets("rtsp://[fe80::1/x?password=hunter22") == ("hunter22",)


def test_short_secrets_are_left_to_the_patterns() -> None:
    """A one-letter password is not replaced everywhere (the text would be unreadable)."""
    assert (
        redact_text("a camera at rtsp://u:a@h/x", "a") == "a camera at rtsp://***@h/x"
    )


def test_repr_and_errors_hide_credentials() -> None:
    """A camera's repr, an error about it and a frame's repr show no secret or bytes."""
    source = CameraSource("cam1", "rtsp://admin:hunter22@10.0.0.5/s1", name="Portón")
    assert "hunter22" not in repr(source)
    assert "rtsp://***@10.0.0.5/s1" in repr(source)
    assert source.redact("bad password hunter22") == "bad password ***"
    error = CameraDownError("cam1", source.redact(f"{source.url}: 401 Unauthorized"))
    assert "hunter22" not in str(error)
    assert error.reason == "rtsp://***@10.0.0.5/s1: 401 Unauthorized"
    frame = Frame(b"\xff\xd8secret\xff\xd9", datetime(2026, 1, 1, tzinfo=UTC), "cam1")
    assert "secret" not in repr(frame)
    assert "bytes=10" in repr(frame)


@pytest.mark.parametrize("camera_id", ["", "../x", "a/b", "..", "cam 1", "x" * 65])
def test_unsafe_camera_ids_are_refused(camera_id: str) -> None:
    """Camera ids become file names: anything that could escape a folder is refused."""
    with pytest.raises(ValueError, match="cannot be used as a file name"):
        CameraSource(camera_id, "rtsp://127.0.0.1/cam1")


def test_traceback_is_redacted() -> None:
    """A logged traceback keeps its frames but loses the URL's credentials."""
    url = "rtsp://admin:hunter22@10.0.0.5/stream1"

    def open_camera() -> None:
        raise OSError(f"cannot open {url}")

    with pytest.raises(OSError) as caught:
        open_camera()
    text = redacted_traceback(caught.value, *url_secrets(url))
    assert text.startswith("Traceback (most recent call last):")
    assert "in open_camera" in text
    assert text.endswith("OSError: cannot open rtsp://***@10.0.0.5/stream1")
    assert "hunter22" not in text
