"""Reading bundles back: the path parser refuses hostile input, only listed files are served.

The parser's oracle is written from the rule, not from the module's regular expression: a
part is 1-64 ASCII letters, digits, ``_``, ``.`` or ``-``, starts with a letter or digit and
holds no ``..``; a file name also ends in ``.jpg``, ``.mp4`` or ``.json``.
"""

from __future__ import annotations

from datetime import datetime
import os
from pathlib import Path
import re
import string
from zoneinfo import ZoneInfo

from hypothesis import given, strategies as st
import pytest

from custom_components.mi_frente_seguro.frente.evidence import (
    EvidenceFile,
    EvidencePath,
    Manifest,
    bundle_file,
    list_bundles,
    list_fronts,
    mime_type,
    read_bundle,
)
from custom_components.mi_frente_seguro.frente.evidence.manifest import (
    sha256_file,
    write_manifest,
)
from tests.frente.test_properties_text import PROPERTY, hostile_text, outcome

BOGOTA = ZoneInfo("America/Bogota")
FIRST = string.ascii_letters + string.digits
ALLOWED = FIRST + "_.-"
SUFFIXES = (".jpg", ".mp4", ".json")


def safe_part(part: str) -> bool:
    """Return True when ``part`` may be one component of an evidence path (the oracle)."""
    return (
        0 < len(part) <= 64
        and part[0] in FIRST
        and all(char in ALLOWED for char in part)
        and ".." not in part
    )


# Identifiers mixing path tricks with the allowed alphabet.
TRICKS = (
    "/", "..", ".", "%2e", "%2F", "\\", "\x00", "\n", "~", " ", "é", "manifest.json",
    "cam1-press.jpg", "f1", "../", "/..", "//", ".hidden", "a" * 70, "x.mp4", "X.JPG",
)  # fmt: skip
identifiers = st.lists(
    st.one_of(st.text(ALLOWED, max_size=6), st.sampled_from(TRICKS)), max_size=8
).map("".join)
safe_ids = st.text(ALLOWED, max_size=20).map(
    lambda tail: "a" + re.sub(r"\.+", ".", tail)
)


@PROPERTY
@given(st.one_of(identifiers, hostile_text))
def test_parser_accepts_exactly_safe_paths(identifier: str) -> None:
    """A parsed path has 0-3 safe parts, reads back the same, and stays in the folder."""
    parts = identifier.split("/") if identifier else []
    expected = (
        len(parts) <= 3
        and all(safe_part(part) for part in parts)
        and (len(parts) < 3 or parts[2].lower().endswith(SUFFIXES))
    )
    result = outcome(lambda: EvidencePath.parse(identifier), ValueError)
    if not expected:
        assert isinstance(result, ValueError)
        return
    assert isinstance(result, EvidencePath)
    assert result.identifier == identifier
    base = Path("/evidence")
    joined = os.path.normpath(base / identifier)
    assert joined == str(base) or joined.startswith(f"{base}/")
    assert len(Path(joined).relative_to(base).parts) == len(parts)


@PROPERTY
@given(safe_ids, safe_ids, st.sampled_from(SUFFIXES), safe_ids)
def test_parser_round_trips_real_ids(
    front: str, incident: str, suffix: str, name: str
) -> None:
    """Ids as fronts, incidents and cameras make them always parse, at every depth."""
    file = f"{name.rstrip('.')}{suffix}"
    for parts in ((), (front,), (front, incident), (front, incident, file)):
        path = EvidencePath.of(*parts)
        assert EvidencePath.parse(path.identifier) == path
    assert mime_type(file) is not None


def test_parser_refusals() -> None:
    """Four parts, traversal, hidden files and files bundles never hold are refused."""
    for identifier in (
        "f/i/x.jpg/more",
        "../i/x.jpg",
        "f/../x.jpg",
        "f/i/..",
        "f/i/.cam1-press.jpg.tmp",
        "f/i/notes.txt",
        "f//x.jpg",
        "/f",
    ):
        with pytest.raises(ValueError):
            EvidencePath.parse(identifier)
    assert EvidencePath.parse("") == EvidencePath()
    assert mime_type("cam1-clip.mp4") == "video/mp4"
    assert mime_type("manifest.json") == "application/json"


def _bundle(base: Path, front: str, incident: str, hour: int) -> Path:
    folder = base / front / incident
    folder.mkdir(parents=True)
    (folder / "cam1-press.jpg").write_bytes(b"\xff\xd8press\xff\xd9")
    digest, size = sha256_file(folder / "cam1-press.jpg")
    pressed = datetime(2026, 11, 26, hour, 0, tzinfo=BOGOTA)
    item = EvidenceFile("cam1-press.jpg", "cam1", "press", pressed, digest, size)
    write_manifest(folder, Manifest(front, incident, pressed, files=[item]))
    return folder


def test_bundle_file_serves_only_the_manifest_and_what_it_lists(tmp_path: Path) -> None:
    """Listed files and the manifest: yes. A clip still recording, a temp file, a link: no."""
    folder = _bundle(tmp_path, "f1", "i1", 10)
    (folder / "cam1-clip.mp4").write_bytes(b"recording")  # not listed yet
    (folder / "cam2-press.jpg").symlink_to(folder / "cam1-press.jpg")
    assert bundle_file(tmp_path, EvidencePath.parse("f1/i1/cam1-press.jpg")) == (
        folder / "cam1-press.jpg"
    )
    manifest = bundle_file(tmp_path, EvidencePath.parse("f1/i1/manifest.json"))
    assert manifest == folder / "manifest.json"
    for identifier in ("f1/i1/cam1-clip.mp4", "f1/i2/manifest.json", "f2/i1/x.jpg"):
        with pytest.raises(FileNotFoundError):
            bundle_file(tmp_path, EvidencePath.parse(identifier))
    with pytest.raises(FileNotFoundError):
        bundle_file(tmp_path, EvidencePath.parse("f1/i1"))
    # A listed name that is a link (or gone) is not served either.
    item = EvidenceFile("cam2-press.jpg", "cam2", "press", datetime.now(BOGOTA), "", 0)
    manifest_data = read_bundle(tmp_path, "f1", "i1")
    manifest_data.files.append(item)
    write_manifest(folder, manifest_data)
    with pytest.raises(FileNotFoundError):
        bundle_file(tmp_path, EvidencePath.parse("f1/i1/cam2-press.jpg"))


def test_unreadable_or_linked_bundles_are_not_found(tmp_path: Path) -> None:
    """A manifest that is not JSON, or a bundle folder that is a link, is not found."""
    outside = _bundle(tmp_path / "outside", "f9", "i9", 9)
    tmp_path /= "evidence"
    folder = tmp_path / "f1" / "broken"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text("{not json")
    with pytest.raises(FileNotFoundError):
        read_bundle(tmp_path, "f1", "broken")
    (tmp_path / "f1" / "linked").symlink_to(outside, target_is_directory=True)
    with pytest.raises(FileNotFoundError):
        read_bundle(tmp_path, "f1", "linked")
    with pytest.raises(FileNotFoundError):
        read_bundle(tmp_path, "f1", "absent")
    # A front folder that is a link out of the evidence folder: its files are not served.
    (tmp_path / "f2").symlink_to(outside.parent, target_is_directory=True)
    assert read_bundle(tmp_path, "f2", "i9").incident_id == "i9"
    with pytest.raises(FileNotFoundError):
        bundle_file(tmp_path, EvidencePath.parse("f2/i9/cam1-press.jpg"))


def test_listing_fronts_and_bundles(tmp_path: Path) -> None:
    """Fronts by id; a front's bundles latest first; links, strays and broken ones left out."""
    tmp_path /= "evidence"  # the test's own folder is HA's config folder
    assert list_fronts(tmp_path / "absent") == []
    _bundle(tmp_path, "f1", "early", 8)
    _bundle(tmp_path, "f1", "late", 18)
    _bundle(tmp_path, "f2", "only", 12)
    (tmp_path / "f1" / "cut-off").mkdir()  # no manifest yet
    (tmp_path / "f1" / ".late.moving").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "stray.txt").write_text("x")
    (tmp_path / "f3").symlink_to(tmp_path / "f2", target_is_directory=True)
    assert list_fronts(tmp_path) == ["f1", "f2"]
    assert [m.incident_id for m in list_bundles(tmp_path, "f1")] == ["late", "early"]
    assert list_bundles(tmp_path, "f3") == []
    assert list_bundles(tmp_path, "f4") == []
