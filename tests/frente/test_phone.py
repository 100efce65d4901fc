"""Tests of phone number normalisation."""

from __future__ import annotations

import pytest

from custom_components.mi_frente_seguro.frente.phone import (
    InvalidPhoneError,
    normalize_phone,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("300 123 4567", "+573001234567"),
        ("3001234567", "+573001234567"),
        ("+57 300-123-4567", "+573001234567"),
        ("0057 300 123 4567", "+573001234567"),
        ("(605) 660 1234", "+576056601234"),
        ("+1 (415) 555-0100", "+14155550100"),
        ("  310.765.4321 ", "+573107654321"),
    ],
)
def test_valid_numbers(raw: str, expected: str) -> None:
    """Common ways of writing a number end up in E.164."""
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "12345", "abc", "+57 123 456 7890", "200 123 4567", "+0123456789", "+1234"],
)
def test_invalid_numbers(raw: str) -> None:
    """Text that is not a dialable number is refused."""
    with pytest.raises(InvalidPhoneError):
        normalize_phone(raw)
