"""Tests of the front model and its field cleaners."""

from __future__ import annotations

import pytest

from custom_components.mi_frente_seguro.frente.front import (
    Front,
    InvalidFrontError,
    clean_cuadrante_code,
    clean_text,
    make_front_id,
    slugify,
)
from tests.const import ENTRY_DATA, ENTRY_OPTIONS


def test_slug_drops_accents_and_punctuation() -> None:
    """Ids are ASCII, lowercase, with single underscores."""
    assert slugify("  Barrio Getsemaní -- Calle de la Sierpe ") == (
        "barrio_getsemani_calle_de_la_sierpe"
    )


def test_front_id_is_stable_across_spellings() -> None:
    """The same front written differently gets the same id."""
    assert make_front_id("Manga", "Calle Real") == make_front_id(
        "MANGA", " calle  real"
    )


def test_front_id_needs_a_letter() -> None:
    """Punctuation alone gives no id."""
    with pytest.raises(InvalidFrontError) as err:
        make_front_id("¿?", "!!")
    assert (err.value.field, err.value.reason) == ("name", "invalid_name")


def test_clean_text() -> None:
    """Whitespace is folded; empty and long texts are refused."""
    assert clean_text("name", "  Calle   Real ") == "Calle Real"
    assert clean_text("note", "", required=False) == ""
    with pytest.raises(InvalidFrontError, match="required"):
        clean_text("name", "   ")
    with pytest.raises(InvalidFrontError, match="too_long"):
        clean_text("name", "x" * 101)


def test_cuadrante_code() -> None:
    """Quadrant codes are upper-cased and limited to safe characters."""
    assert clean_cuadrante_code(" mecar-e1-c3 ") == "MECAR-E1-C3"
    for bad in ("", "C3/Manga", "-C3", "x" * 33):
        with pytest.raises(InvalidFrontError):
            clean_cuadrante_code(bad)


def test_front_from_mapping() -> None:
    """A front is built from an entry's data and options."""
    front = Front.from_mapping({**ENTRY_DATA, **ENTRY_OPTIONS})
    assert front.front_id == "manga_calle_real"
    assert front.radius == 150.0
    assert front.coordinator_phone == "+573107654321"
