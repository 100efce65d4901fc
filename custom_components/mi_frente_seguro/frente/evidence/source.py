"""A camera's identity and stream URL, and the frame type every capture returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
import re

from .redact import redact_text, redact_url, url_secrets

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def check_path_id(value: str, what: str) -> str:
    """Return ``value`` if it can be one path component (letters, digits, ``_.-``)."""
    if not _SAFE_ID.fullmatch(value) or ".." in value:
        raise ValueError(f"{what} {value!r} cannot be used as a file name")
    return value


def is_path_id(value: str) -> bool:
    """Return True if ``check_path_id`` accepts ``value``."""
    try:
        check_path_id(value, "name")
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class CameraSource:
    """One camera: a stable id (also used in file names), a label and its stream URL.

    The URL may hold credentials: it is never shown as is, not even in ``repr``.
    """

    camera_id: str
    url: str = field(repr=False)
    name: str = ""

    def __post_init__(self) -> None:
        """Reject ids that are not safe as file names."""
        check_path_id(self.camera_id, "camera id")

    def __repr__(self) -> str:
        """Show the camera with its URL redacted."""
        return (
            f"CameraSource(camera_id={self.camera_id!r}, name={self.name!r}, "
            f"url={self.safe_url!r})"
        )

    @property
    def safe_url(self) -> str:
        """Return the URL with its credentials masked."""
        return redact_url(self.url)

    def redact(self, text: str) -> str:
        """Return ``text`` (e.g. ffmpeg's stderr) without this camera's credentials."""
        return redact_text(text, *url_secrets(self.url))


@dataclass(frozen=True, slots=True)
class Frame:
    """One JPEG image of a camera and when it was captured (aware datetime)."""

    jpeg: bytes = field(repr=False)
    captured_at: datetime
    camera_id: str
    sequence: int = 0  # position in a keyframe buffer's stream; 0 for a cold still

    def __repr__(self) -> str:
        """Describe the frame without dumping its bytes."""
        return (
            f"Frame(camera_id={self.camera_id!r}, captured_at="
            f"{self.captured_at.isoformat()}, sequence={self.sequence}, "
            f"bytes={len(self.jpeg)})"
        )
