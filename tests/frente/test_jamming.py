"""The kit and two or more cameras silent within a window: possible jamming (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.mi_frente_seguro.frente.jamming import KIT, SilenceWatch

T0 = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """Return T0 plus ``seconds``."""
    return T0 + timedelta(seconds=seconds)


def test_the_kit_and_two_cameras_together_begin_a_silence_once() -> None:
    """Kit, then two cameras within two minutes: one silence, told once."""
    watch = SilenceWatch()
    assert watch.update(KIT, True, at(0)) is None
    assert watch.update("Parque", True, at(30)) is None
    silence = watch.update("Esquina", True, at(90))
    assert silence is not None
    assert (silence.since, silence.cameras) == (at(0), ("Esquina", "Parque"))
    assert watch.update("Calle 26", True, at(100)) is None  # already told
    assert watch.update(KIT, True, at(200)) is None  # still silent: keeps its time
    assert watch.active is not None


def test_one_device_or_drops_far_apart_are_no_jamming() -> None:
    """Cameras alone, the kit and one camera, or drops hours apart: each its own trouble."""
    watch = SilenceWatch()
    assert watch.update("Parque", True, at(0)) is None
    assert watch.update("Esquina", True, at(1)) is None
    assert watch.update("Calle 26", True, at(2)) is None
    assert watch.active is None  # no kit
    assert watch.update(KIT, True, at(3600)) is None  # the kit, an hour later
    assert watch.active is None


def test_a_silence_ends_when_the_kit_or_cameras_are_back() -> None:
    """Back under the threshold: the silence ends, and a new one can begin."""
    watch = SilenceWatch()
    for name, seconds in ((KIT, 0), ("Parque", 10), ("Esquina", 20)):
        watch.update(name, True, at(seconds))
    assert watch.active is not None
    assert watch.update("Parque", False, at(300)) is None
    assert watch.active is None
    assert watch.update(KIT, False, at(310)) is None
    assert watch.update(KIT, True, at(400)) is None
    # Esquina has been down since 20 s: too long before the kit to be the same cause.
    assert watch.update("Parque", True, at(420)) is None
    assert watch.update("Esquina", False, at(430)) is None
    silence = watch.update("Esquina", True, at(440))
    assert silence is not None
    assert (silence.since, silence.cameras) == (at(400), ("Esquina", "Parque"))
