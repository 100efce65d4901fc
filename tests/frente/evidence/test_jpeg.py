"""Splitting a JPEG stream into images, whatever the chunking, and reading image sizes."""

from __future__ import annotations

import io
import random

from PIL import Image
import pytest

from custom_components.mi_frente_seguro.frente.evidence.jpeg import (
    EOI,
    SOI,
    JpegSplitter,
    is_jpeg,
    jpeg_size,
)


def make_jpeg(width: int, height: int, seed: int, **options: object) -> bytes:
    """Return a real JPEG of random noise (noise makes long entropy-coded scans)."""
    rng = random.Random(seed)
    image = Image.frombytes(
        "RGB",
        (width, height),
        bytes(rng.randrange(256) for _ in range(width * height * 3)),
    )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, **options)
    return out.getvalue()


def with_thumbnail(image: bytes, thumbnail: bytes) -> bytes:
    """Return ``image`` with an APP1 segment holding ``thumbnail`` (which ends in FF D9)."""
    payload = b"Exif\x00\x00" + thumbnail
    segment = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    return image[:2] + segment + image[2:]


IMAGES = [
    make_jpeg(64, 48, 1),
    make_jpeg(33, 17, 2, progressive=True),  # several scans, tables between them
    make_jpeg(40, 40, 3, restart_marker_blocks=2),  # FF D0-D7 inside the scan
    with_thumbnail(make_jpeg(80, 60, 4), make_jpeg(8, 8, 5)),
]


def split(stream: bytes, sizes: list[int]) -> list[bytes]:
    """Feed ``stream`` in chunks of the given sizes (cycled) and collect the images."""
    splitter = JpegSplitter()
    images: list[bytes] = []
    pos = 0
    for index in range(len(stream)):
        size = sizes[index % len(sizes)]
        images += splitter.feed(stream[pos : pos + size])
        pos += size
        if pos >= len(stream):
            break
    return images


@pytest.mark.parametrize("sizes", [[1], [2, 3, 5], [7, 1], [4096], [1 << 20]])
def test_split_whatever_the_chunks(sizes: list[int]) -> None:
    """Every image comes out whole and in order, however the pipe cuts the bytes."""
    assert split(b"".join(IMAGES), sizes) == IMAGES


def test_garbage_and_cut_images_are_skipped() -> None:
    """Bytes before an image and an image cut off by a new one are dropped."""
    first, second = IMAGES[0], IMAGES[2]
    stream = b"noise\xff\x00" + first[: len(first) // 2] + second + b"\xffjunk" + first
    splitter = JpegSplitter()
    assert splitter.feed(stream) == [second, first]
    assert splitter.discarded > 0


def test_oversized_image_is_dropped() -> None:
    """A stream that never ends its image does not grow memory without bound."""
    splitter = JpegSplitter(max_image_bytes=1000)
    image = IMAGES[0]
    assert len(image) > 2000
    for pos in range(0, len(image) - 2, 100):
        assert splitter.feed(image[pos : min(pos + 100, len(image) - 2)]) == []
        assert len(splitter._buf) <= 1100
    assert splitter.feed(image[-2:]) == []  # its start is gone: no image
    assert splitter.feed(IMAGES[1]) == [IMAGES[1]]


def test_corrupt_segment_length_is_skipped() -> None:
    """A segment length below 2 is corrupt: the splitter resyncs on the next image."""
    broken = SOI + b"\xff\xe0\x00\x01" + EOI
    assert JpegSplitter().feed(broken + IMAGES[0]) == [IMAGES[0]]


def test_sizes() -> None:
    """Width and height come from the frame header, past any thumbnail."""
    assert [jpeg_size(image) for image in IMAGES] == [
        (64, 48),
        (33, 17),
        (40, 40),
        (80, 60),
    ]
    assert all(is_jpeg(image) for image in IMAGES)
    assert not is_jpeg(IMAGES[0][:-1])
    with pytest.raises(ValueError, match="not a JPEG"):
        jpeg_size(b"GIF89a")
    with pytest.raises(ValueError, match="no frame header"):
        jpeg_size(SOI + b"\xff\xe0\x00\x04ab" + EOI)
    with pytest.raises(ValueError, match="no marker"):
        jpeg_size(SOI + b"\x00\x00\x00\x00")


def test_fill_bytes_and_standalone_markers() -> None:
    """FF fill bytes and markers without a length (TEM) are stepped over."""
    app0 = b"\xff\xe0\x00\x04ab"
    image = SOI + b"\xff\xff\xff\x01" + app0 + EOI
    assert JpegSplitter().feed(image) == [image]
    assert jpeg_size(SOI + b"\xff\xff\xff\x01" + IMAGES[0][2:]) == (64, 48)


def test_missing_marker_resyncs() -> None:
    """Bytes where a marker must be mean a corrupt image: skip to the next one."""
    splitter = JpegSplitter()
    assert splitter.feed(SOI + b"\x00\x01") == []
    assert splitter.feed(SOI + b"\xff\xe0\x00\x01") == []  # bad length, nothing after
    assert splitter.feed(IMAGES[0]) == [IMAGES[0]]
