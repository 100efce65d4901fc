"""Property tests of a front's cleaners and of phone numbers: a valid result or their error.

``normalize_phone`` gives E.164 with ASCII digits or :class:`InvalidPhoneError`; the front's
cleaners give storable, folded text, an upper-case quadrant code, an ASCII slug and finite
coordinates, or :class:`InvalidFrontError` naming the field.
"""

from __future__ import annotations

import math
import re
from typing import Any

from hypothesis import given, strategies as st
import pytest

from custom_components.mi_frente_seguro.frente.front import (
    MAX_TEXT,
    NUMBER_RANGES,
    Front,
    InvalidFrontError,
    clean_cuadrante_code,
    clean_number,
    clean_text,
    make_front_id,
    slugify,
)
from custom_components.mi_frente_seguro.frente.phone import (
    InvalidPhoneError,
    normalize_phone,
)
from tests.const import ENTRY_DATA, ENTRY_OPTIONS

from .test_properties_text import PROPERTY, hostile_text, is_storable, outcome, texts

E164 = re.compile(r"\+[1-9][0-9]{6,14}")  # ASCII digits only
SLUG = re.compile(r"[a-z0-9]+(_[a-z0-9]+)*")
CUADRANTE = re.compile(r"[A-Z0-9][A-Z0-9 _\-]{0,31}")
SEPARATORS = st.sampled_from(["", " ", "-", ".", "(", ")", "/", "\t", "\xa0", "  "])

phone_like = st.one_of(
    hostile_text,
    texts(
        st.sampled_from("0123456789+ -()./٠١٢٣٤٥٦٧٨٩"),
        ("00", "+57", "57", "60", "3", "٣", "３", "𝟘", "\u2007", "\\"),
        max_size=20,
    ),
)


@PROPERTY
@given(phone_like)
def test_any_text_is_e164_or_invalid_phone(raw: str) -> None:
    """Any text normalises to E.164 (ASCII digits) or raises InvalidPhoneError."""
    phone = outcome(lambda: normalize_phone(raw), InvalidPhoneError)
    if isinstance(phone, InvalidPhoneError):
        return
    assert E164.fullmatch(phone), phone
    assert phone.isascii()
    assert normalize_phone(phone) == phone  # idempotent
    if phone.startswith("+57"):
        assert re.fullmatch(r"3[0-9]{9}|60[0-9]{8}", phone[3:])


@PROPERTY
@given(
    st.sampled_from(["3", "60"]).flatmap(
        lambda head: st.from_regex(
            rf"{head}[0-9]{{{10 - len(head)}}}", fullmatch=True, alphabet="0123456789"
        )
    ),
    st.sampled_from(["", "+57", "0057", "+ 57", "(+57)"]),
    st.lists(SEPARATORS, min_size=11, max_size=11),
)
def test_colombian_numbers_round_trip(
    national: str, prefix: str, separators: list[str]
) -> None:
    """A mobile (3xx) or landline (60x) number, however written, is +57 and its digits."""
    written = prefix + "".join(
        sep + digit for sep, digit in zip(separators, national, strict=False)
    )
    assert normalize_phone(f" {written} ") == f"+57{national}"


@PROPERTY
@given(st.from_regex(r"[٠-٩]{10}", fullmatch=True), st.sampled_from(["", "+57", "+1"]))
def test_non_ascii_digits_are_refused(digits: str, prefix: str) -> None:
    """Arabic-Indic digits are Unicode digits, but not a number anyone can dial."""
    with pytest.raises(InvalidPhoneError):
        normalize_phone(prefix + "3" + digits[1:])


@PROPERTY
@given(hostile_text, st.booleans())
def test_clean_text_is_folded_storable_text_or_refused(
    text: str, required: bool
) -> None:
    """Folded, storable, at most 100 characters; else invalid_text, required, too_long."""
    cleaned = outcome(
        lambda: clean_text("address", text, required=required), InvalidFrontError
    )
    if isinstance(cleaned, InvalidFrontError):
        assert cleaned.field == "address"
        folded = " ".join(text.split())
        if not is_storable(text, multiline=True):
            assert cleaned.reason == "invalid_text"
        elif not folded:
            assert (cleaned.reason, required) == ("required", True)
        else:
            assert (cleaned.reason, len(folded) > MAX_TEXT) == ("too_long", True)
        return
    assert is_storable(cleaned)
    assert "\n" not in cleaned and "\r" not in cleaned and "\t" not in cleaned
    assert cleaned == " ".join(cleaned.split())
    assert len(cleaned) <= MAX_TEXT
    assert cleaned or not required
    cleaned.encode("utf-8")
    assert clean_text("address", cleaned, required=required) == cleaned  # idempotent


@PROPERTY
@given(
    st.sampled_from(["\ud800", "\udfff", "\x00", "\x1b", "\x7f", "\x85", "\ufffe"]),
    texts(st.sampled_from("abc ñ<&"), max_size=10),
)
def test_clean_text_refuses_unstorable_text(poison: str, text: str) -> None:
    """A lone surrogate or a control character anywhere: ``invalid_text``."""
    with pytest.raises(InvalidFrontError) as err:
        clean_text("name", text + poison + text)
    assert (err.value.field, err.value.reason) == ("name", "invalid_text")


@PROPERTY
@given(st.one_of(hostile_text, st.from_regex(r"\s*[a-z0-9][a-z0-9 _\-]{0,40}\s*")))
def test_cuadrante_codes_are_safe_or_refused(text: str) -> None:
    """A quadrant code is upper-case ASCII letters, digits, space, _ and -, or refused."""
    code = outcome(lambda: clean_cuadrante_code(text), InvalidFrontError)
    if isinstance(code, InvalidFrontError):
        assert (code.field, code.reason) == ("cuadrante_code", "invalid_cuadrante")
        return
    assert CUADRANTE.fullmatch(code) and code.isascii()
    assert clean_cuadrante_code(code) == code


@PROPERTY
@given(hostile_text, hostile_text)
def test_front_ids_are_ascii_slugs_or_refused(barrio: str, name: str) -> None:
    """Any barrio and name give an ASCII slug (stable under slugify) or invalid_name."""
    assert slugify(barrio) in ("", slugify(slugify(barrio)))
    front_id = outcome(lambda: make_front_id(barrio, name), InvalidFrontError)
    if isinstance(front_id, InvalidFrontError):
        assert (front_id.field, front_id.reason) == ("name", "invalid_name")
        return
    assert SLUG.fullmatch(front_id), front_id
    if barrio.isascii() and name.isascii():  # case and padding do not change the id
        assert make_front_id(barrio.upper(), f"  {name}  ") == front_id


hostile_number = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**1100), 2**1100),
    st.booleans(),
    st.none(),
    st.sampled_from(["nan", "inf", "-Infinity", "1e999", "10.4", " 45 ", "٣", "", "x"]),
    st.lists(st.floats(), max_size=1),
)


def expected_number(field: str, value: object) -> float | None:
    """Return what ``clean_number`` should give for ``value`` (the oracle), or None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError, OverflowError:
        return None
    low, high = NUMBER_RANGES[field]
    return number if math.isfinite(number) and low <= number <= high else None


@PROPERTY
@given(st.sampled_from(sorted(NUMBER_RANGES)), hostile_number)
def test_clean_number_is_finite_in_range_or_refused(field: str, value: object) -> None:
    """NaN, infinities, 10**400, booleans, junk: ``invalid_number``; else the float."""
    expected = expected_number(field, value)
    number = outcome(lambda: clean_number(field, value), InvalidFrontError)
    if isinstance(number, InvalidFrontError):
        assert (number.field, number.reason) == (field, "invalid_number")
        assert expected is None
        return
    assert number == expected
    assert math.isfinite(number)


@PROPERTY
@given(
    st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(("latitude", "longitude", "radius"), hostile_number),
    ),
    st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            ("name", "barrio", "address", "cuadrante_name", "coordinator_name"),
            hostile_text,
        ),
    ),
)
def test_from_mapping_gives_a_front_that_can_be_sent_or_refuses(
    numbers: dict[str, Any], text: dict[str, str]
) -> None:
    """Stored settings with hostile numbers or text: a clean Front or InvalidFrontError."""
    data = {**ENTRY_DATA, **ENTRY_OPTIONS, **numbers, **text}
    front = outcome(lambda: Front.from_mapping(data), InvalidFrontError)
    if isinstance(front, InvalidFrontError):
        assert front.reason == "invalid_number"
        assert expected_number(front.field, data[front.field]) is None
        return
    for field in ("latitude", "longitude", "radius"):
        assert getattr(front, field) == expected_number(field, data[field])
    for field in ("name", "barrio", "address", "cuadrante_name", "coordinator_name"):
        value = getattr(front, field)
        assert is_storable(value) and "\n" not in value and "\r" not in value
        if (
            is_storable(data[field])
            and "\n" not in data[field]
            and "\r" not in data[field]
        ):
            assert value == data[field]  # nothing to clean: kept as stored
