"""Test cameras: N live H.264 streams over RTSP on 127.0.0.1, for the demo and the tests.

Run it with Debian's own Python, which has GStreamer's introspection bindings (``gi``); the
venv has none (``rtsp.py`` starts it so)::

    /usr/bin/python3 scripts/harness/rtsp_server.py --port 8554 --cameras 4

Each camera ``/cam1`` .. ``/camN`` is a moving test pattern with its name and a clock drawn
on it (when the ``gstreamer1.0-x`` package provides the overlays; without them the pattern
is plain). Each camera is one shared pipeline, as with a real camera: a client that joins
mid-stream waits for the next keyframe (``--keyframe-interval`` frames apart).

Once the server listens it prints one line to stdout and flushes it::

    READY port=8554 cameras=4 overlay=on url=rtsp://127.0.0.1:8554/cam1

``--port 0`` lets the system choose a free port; the ready line tells which. SIGTERM or
SIGINT closes every client session and exits with status 0.
"""

from __future__ import annotations

import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

OVERLAYS = ("textoverlay", "clockoverlay")


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8554, help="0 picks a free port")
    parser.add_argument("--cameras", type=int, default=4)
    parser.add_argument("--width", type=int, default=320)
    parser.add_argument("--height", type=int, default=240)
    parser.add_argument("--fps", type=int, default=15)
    parser.add_argument(
        "--keyframe-interval", type=int, default=15, help="frames between keyframes"
    )
    parser.add_argument(
        "--name", action="append", default=[], help="label of camera 1, 2, ..."
    )
    return parser.parse_args(argv)


def have_overlays() -> bool:
    """Return whether the text and clock overlays (gstreamer1.0-x) are installed."""
    return all(Gst.ElementFactory.find(name) is not None for name in OVERLAYS)


def pipeline(args: argparse.Namespace, index: int, label: str, overlay: bool) -> str:
    """Return the gst-launch description of camera ``index`` (1-based)."""
    # Each camera gets its own pattern and speed so frames differ between cameras.
    patterns = ("smpte", "ball", "pinwheel", "circular", "spokes", "checkers-8")
    pattern = patterns[(index - 1) % len(patterns)]
    size = f"width={args.width},height={args.height},framerate={args.fps}/1"
    shade = "shaded-background=true shading-value=220"
    parts = [
        f"videotestsrc is-live=true pattern={pattern} horizontal-speed={index + 1}",
        f"video/x-raw,{size}",
    ]
    if overlay:
        safe = label.replace('"', "'")
        text = f'textoverlay text="{safe}" valignment=top halignment=left'
        clock = 'clockoverlay time-format="%H:%M:%S" valignment=bottom halignment=right'
        parts += [
            f'{text} font-desc="Sans 14" {shade}',
            f'{clock} font-desc="Sans 12" {shade}',
        ]
    encoder = "tune=zerolatency speed-preset=ultrafast threads=1"
    parts += [
        "videoconvert",
        f"x264enc {encoder} key-int-max={args.keyframe_interval}",
        "rtph264pay name=pay0 pt=96 config-interval=1",
    ]
    return "( " + " ! ".join(parts) + " )"


def main(argv: list[str]) -> int:
    """Serve the cameras until SIGTERM or SIGINT."""
    args = parse_args(argv)
    Gst.init(None)
    overlay = have_overlays()
    server = GstRtspServer.RTSPServer()
    server.set_address(args.host)
    server.set_service(str(args.port))
    mounts = server.get_mount_points()
    for index in range(1, args.cameras + 1):
        label = args.name[index - 1] if index <= len(args.name) else f"cam{index}"
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(pipeline(args, index, label, overlay))
        factory.set_shared(True)
        mounts.add_factory(f"/cam{index}", factory)
    if server.attach(None) == 0:
        print(f"cannot listen on {args.host}:{args.port}", file=sys.stderr)
        return 1

    loop = GLib.MainLoop()

    def stop() -> bool:
        # Drop every client so readers see the stream end, then leave the loop.
        server.client_filter(
            lambda _server, _client: GstRtspServer.RTSPFilterResult.REMOVE
        )
        loop.quit()
        return bool(GLib.SOURCE_REMOVE)

    for signum in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, signum, stop)
    port = server.get_bound_port()
    print(
        f"READY port={port} cameras={args.cameras} overlay={'on' if overlay else 'off'}"
        f" url=rtsp://{args.host}:{port}/cam1",
        flush=True,
    )
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
