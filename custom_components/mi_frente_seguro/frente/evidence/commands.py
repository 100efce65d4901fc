"""ffmpeg command lines for stills, keyframe streams and clips, built with ffmpeg-python.

Every builder takes the ffmpeg binary (Home Assistant passes its ``ffmpeg`` setting) and
returns an argument list for ``asyncio.create_subprocess_exec``; nothing goes through a shell.
RTSP is read over TCP (no lost UDP packets, passes NAT and firewalls) with a small probe, so
ffmpeg starts decoding as soon as the SDP and the first packets are in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ffmpeg

PROBE_SIZE = 4096  # bytes; RTSP's SDP already says what the stream is
IO_TIMEOUT = 5.0  # s without data before ffmpeg gives up on a connection
_GLOBAL_ARGS = ("-hide_banner", "-nostdin", "-loglevel", "error")


def input_options(url: str, *, io_timeout: float = IO_TIMEOUT) -> dict[str, Any]:
    """Return the input options for ``url``: RTSP over TCP with a short probe and timeout."""
    micros = max(int(io_timeout * 1_000_000), 1)
    options: dict[str, Any] = {"analyzeduration": 0, "probesize": PROBE_SIZE}
    if urlsplit(url).scheme.lower() in {"rtsp", "rtsps"}:
        options |= {"rtsp_transport": "tcp", "timeout": micros}
    else:
        options["rw_timeout"] = micros
    return options


def _video(url: str, *, keyframes_only: bool, io_timeout: float) -> Any:
    """Return an ffmpeg-python input stream decoded with one thread."""
    options = input_options(url, io_timeout=io_timeout)
    if keyframes_only:
        options["skip_frame"] = "nokey"  # the decoder drops every frame but keyframes
    return ffmpeg.input(url, threads=1, **options)


def _scaled(stream: Any, max_width: int | None) -> Any:
    """Shrink to at most ``max_width`` pixels wide (never enlarge), keeping the aspect."""
    if max_width is None:
        return stream
    return stream.filter("scale", f"min({max_width},iw)", -2)


def still_command(
    binary: str,
    url: str,
    *,
    max_width: int | None = None,
    quality: int = 3,
    io_timeout: float = IO_TIMEOUT,
) -> list[str]:
    """Return a command writing one JPEG of the next keyframe of ``url`` to stdout.

    Only a keyframe is decoded, so the image is never a half-decoded grey frame from a
    stream joined between keyframes. ``quality`` is mjpeg's ``q:v`` (2 best .. 31 worst).
    """
    stream = _scaled(_video(url, keyframes_only=True, io_timeout=io_timeout), max_width)
    out = stream.output(
        "pipe:", format="image2", vcodec="mjpeg", vframes=1, an=None, **{"q:v": quality}
    )
    return [str(arg) for arg in out.global_args(*_GLOBAL_ARGS).compile(cmd=binary)]


def keyframe_stream_command(
    binary: str,
    url: str,
    *,
    max_width: int | None = None,
    quality: int = 5,
    io_timeout: float = IO_TIMEOUT,
) -> list[str]:
    """Return a long-running command writing a JPEG of every keyframe of ``url`` to stdout.

    Skipping every other frame in the decoder keeps the CPU cost to a few keyframes a
    second; each JPEG is flushed to the pipe as soon as it is encoded.
    """
    stream = _scaled(_video(url, keyframes_only=True, io_timeout=io_timeout), max_width)
    out = stream.output(
        "pipe:",
        format="image2pipe",
        vcodec="mjpeg",
        fps_mode="passthrough",
        flush_packets=1,
        an=None,
        **{"q:v": quality},
    )
    return [str(arg) for arg in out.global_args(*_GLOBAL_ARGS).compile(cmd=binary)]


def clip_command(
    binary: str,
    url: str,
    path: Path,
    *,
    seconds: float,
    io_timeout: float = IO_TIMEOUT,
) -> list[str]:
    """Return a command copying ``seconds`` of ``url``'s video into an MP4 at ``path``.

    The video is copied, not re-encoded (almost no CPU). The MP4 is fragmented, so a clip
    cut short (camera lost, Home Assistant stopping) still plays up to where it ended.
    Audio is left out: camera audio (G.711) cannot be copied into MP4.
    """
    stream = ffmpeg.input(url, **input_options(url, io_timeout=io_timeout))
    out = stream.output(
        str(path),
        format="mp4",
        vcodec="copy",
        an=None,
        t=f"{seconds:.3f}",
        movflags="+frag_keyframe+empty_moov+default_base_moof",
    ).overwrite_output()
    return [str(arg) for arg in out.global_args(*_GLOBAL_ARGS).compile(cmd=binary)]
