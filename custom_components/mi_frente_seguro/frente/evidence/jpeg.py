"""Minimal JPEG parsing: split a byte stream into images, read an image's size.

ffmpeg's ``image2pipe``/``mjpeg`` output is a plain concatenation of JPEG files. A pipe read
returns arbitrary chunks, so an image can be split across reads and a read can hold several
images. ``JpegSplitter`` walks the marker structure (segment lengths, then the entropy-coded
scan up to a real marker) instead of searching for ``FF D9``, so a thumbnail or stray bytes
inside a segment never cut an image short.
"""

from __future__ import annotations

SOI = b"\xff\xd8"
EOI = b"\xff\xd9"
MAX_IMAGE_BYTES = 16 * 1024 * 1024  # a bigger "image" means we lost sync: start over

_SOS = 0xDA
_EOI = 0xD9
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM, RST0-7: no length field
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # DHT, JPG, DAC are not SOF


class JpegSplitter:
    """Feed chunks of a JPEG stream; get back every image completed so far."""

    def __init__(self, max_image_bytes: int = MAX_IMAGE_BYTES) -> None:
        """Start with an empty buffer."""
        self._buf = bytearray()
        self._pos = 0  # where parsing resumes inside the image at the front of _buf
        self._in_scan = False  # inside entropy-coded data
        self._max = max_image_bytes
        self.discarded = 0  # bytes thrown away to regain sync (for diagnostics)

    def feed(self, chunk: bytes) -> list[bytes]:
        """Add ``chunk`` and return the images it completed, in stream order."""
        self._buf += chunk
        images: list[bytes] = []
        while (image := self._next_image()) is not None:
            images.append(image)
        if len(self._buf) > self._max:
            self._resync(1)
        return images

    def _resync(self, start: int) -> bool:
        """Drop bytes up to the next SOI at or after ``start``; return whether one was found."""
        found = self._buf.find(SOI, start)
        cut = found if found >= 0 else max(len(self._buf) - 1, 0)
        self.discarded += cut
        del self._buf[:cut]
        self._pos = 2 if found >= 0 else 0
        self._in_scan = False
        return found >= 0

    def _next_image(self) -> bytes | None:
        """Return the image at the front of the buffer once it is complete."""
        buf = self._buf
        if self._pos == 0 and not self._resync(0):
            return None
        while True:
            if self._in_scan and not self._skip_scan():
                return None
            if self._pos + 2 > len(buf):
                return None
            if buf[self._pos] != 0xFF:  # no marker where one must be: corrupt image
                if not self._resync(1):
                    return None
                continue
            marker = buf[self._pos + 1]
            if marker == 0xFF:  # fill byte before a marker
                self._pos += 1
                continue
            if marker == _EOI:
                end = self._pos + 2
                image = bytes(buf[:end])
                del buf[:end]
                self._pos = 0
                return image
            if marker in _STANDALONE:
                self._pos += 2
                continue
            if marker == 0xD8:  # SOI inside an image: the previous one was cut off
                self._resync(self._pos)
                continue
            if self._pos + 4 > len(buf):
                return None
            length = int.from_bytes(buf[self._pos + 2 : self._pos + 4], "big")
            if length < 2:
                if not self._resync(1):
                    return None
                continue
            if self._pos + 2 + length > len(buf):
                return None
            self._pos += 2 + length
            self._in_scan = marker == _SOS

    def _skip_scan(self) -> bool:
        """Move past entropy-coded data to the next marker; ``False`` if not in the buffer.

        In a scan, FF 00 is a stuffed FF byte, FF D0-D7 are restart markers and FF FF is
        fill; any other FF xx is the marker that ends the scan.
        """
        buf = self._buf
        at = buf.find(b"\xff", self._pos)
        while 0 <= at < len(buf) - 1:
            following = buf[at + 1]
            if following == 0x00 or 0xD0 <= following <= 0xD7:
                at = buf.find(b"\xff", at + 2)
            elif following == 0xFF:
                at += 1
            else:
                self._pos = at
                self._in_scan = False
                return True
        # Resume at a trailing FF (its partner byte has not arrived) or at the end.
        self._pos = at if at >= 0 else len(buf)
        return False


def is_jpeg(data: bytes) -> bool:
    """Return whether ``data`` starts with SOI and ends with EOI."""
    return len(data) >= 4 and data.startswith(SOI) and data.endswith(EOI)


def jpeg_size(data: bytes) -> tuple[int, int]:
    """Return ``(width, height)`` from the frame header; ``ValueError`` if there is none."""
    if not data.startswith(SOI):
        raise ValueError("not a JPEG image")
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise ValueError(f"no marker at offset {pos}")
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in _STANDALONE:
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker in _SOF and pos + 9 <= len(data):
            height = int.from_bytes(data[pos + 5 : pos + 7], "big")
            width = int.from_bytes(data[pos + 7 : pos + 9], "big")
            return width, height
        if marker in {_SOS, _EOI} or length < 2:
            break
        pos += 2 + length
    raise ValueError("no frame header (SOF) in JPEG image")
