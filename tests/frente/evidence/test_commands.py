"""The ffmpeg command lines: what each capture asks of ffmpeg."""

from __future__ import annotations

from pathlib import Path

from custom_components.mi_frente_seguro.frente.evidence.commands import (
    clip_command,
    keyframe_stream_command,
    still_command,
)

URL = "rtsp://u:p@127.0.0.1:8554/cam1"


def option(args: list[str], name: str) -> str:
    """Return the value following ``name`` in ``args``."""
    return args[args.index(name) + 1]


def test_still() -> None:
    """One keyframe over TCP with a small probe, as JPEG on stdout; ffmpeg path kept."""
    args = still_command("/opt/ffmpeg", URL)
    assert args[0] == "/opt/ffmpeg"
    assert option(args, "-rtsp_transport") == "tcp"
    assert int(option(args, "-probesize")) <= 32768
    assert option(args, "-analyzeduration") == "0"
    assert option(args, "-skip_frame") == "nokey"
    assert args.index("-skip_frame") < args.index("-i")  # a decoder (input) option
    assert option(args, "-i") == URL
    assert option(args, "-vframes") == "1"
    assert option(args, "-vcodec") == "mjpeg"
    assert args[args.index("-vframes") + 2] == "pipe:"
    assert "-nostdin" in args
    assert "-filter_complex" not in args


def test_keyframe_stream() -> None:
    """Keyframes only, scaled down (never up), JPEGs piped as they come."""
    args = keyframe_stream_command("ffmpeg", URL, max_width=640, quality=7)
    assert option(args, "-skip_frame") == "nokey"
    assert option(args, "-threads") == "1"
    assert option(args, "-filter_complex") == "[0]scale=min(640\\,iw):-2[s0]"
    assert option(args, "-f") == "image2pipe"
    assert option(args, "-vcodec") == "mjpeg"
    assert option(args, "-q:v") == "7"
    assert option(args, "-fps_mode") == "passthrough"
    assert option(args, "-flush_packets") == "1"
    assert "pipe:" in args


def test_clip() -> None:
    """A clip copies the video into a fragmented MP4 for the given time, overwriting."""
    args = clip_command("ffmpeg", URL, Path("/evidence/cam1-clip.mp4"), seconds=20)
    assert option(args, "-vcodec") == "copy"
    assert option(args, "-t") == "20.000"
    assert option(args, "-f") == "mp4"
    assert "frag_keyframe" in option(args, "-movflags")
    assert "-an" in args
    assert "-y" in args
    assert "/evidence/cam1-clip.mp4" in args


def test_non_rtsp_sources() -> None:
    """HTTP sources get a read timeout instead of RTSP's options."""
    args = still_command("ffmpeg", "http://127.0.0.1/video.mjpg", io_timeout=2.5)
    assert "-rtsp_transport" not in args
    assert option(args, "-rw_timeout") == "2500000"
