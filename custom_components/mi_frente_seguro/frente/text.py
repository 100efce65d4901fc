"""Text and numbers at the door: what cannot be stored never reaches a decision.

A front stores incidents as UTF-8 JSON in SQLite and sends them as JSON and XML. Three kinds
of value break that chain and are stopped here, at every entry point (kit payloads, police
updates, actions, notification answers, names, notes):

- text that is not encodable UTF-8: a lone UTF-16 surrogate (U+D83D alone, what a client
  that cuts a string mid-emoji sends, and what ``json.loads`` happily decodes from its
  escape) fails the store's write and every later write of the same incident;
- control characters (C0 but tab and, in notes, line breaks; DEL; C1) and the
  noncharacters U+FFFE / U+FFFF: XML 1.0 cannot carry them and a receiver may refuse them;
- numbers that are not finite (``nan``, ``inf``) or out of range: ``NaN`` is not JSON,
  and a strict receiver refuses the whole message.

:func:`checked_text` and :func:`finite_number` refuse such input with an
:class:`InvalidInputError` naming the field and the problem; :func:`safe_text` cleans text
we must accept as it is (the name of a person, which a press never waits on).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# Characters that cannot be stored or sent: C0 controls but tab/LF/CR, DEL, C1, surrogates
# and the two noncharacters every XML parser refuses.
_UNSTORABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]"
)
_LINE_BREAKS = re.compile("[\n\r]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class InvalidInputError(ValueError):
    """An input value that cannot be stored; ``field`` and ``problem`` say which and why."""

    def __init__(self, field: str, problem: str) -> None:
        """Name the field and a short, stable problem (``surrogate``, ``control``...)."""
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class InvalidFieldError(ValueError):
    """A setting that is not valid; ``field`` names it and ``reason`` says why."""

    def __init__(self, field: str, reason: str) -> None:
        """Store which field failed and why."""
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Return what makes ``value`` unstorable (``surrogate``, ``control``), or None."""
    found = _UNSTORABLE.search(value)
    if found is None:
        if not multiline and _LINE_BREAKS.search(value):
            return "control"
        return None
    return "surrogate" if _SURROGATE.match(found.group()) else "control"


def checked_text(
    value: object,
    field: str,
    *,
    multiline: bool = False,
    max_length: int | None = None,
) -> str:
    """Return ``value`` if it is storable text (of at most ``max_length``), else raise."""
    if not isinstance(value, str):
        raise InvalidInputError(field, "not_text")
    if (problem := text_problem(value, multiline=multiline)) is not None:
        raise InvalidInputError(field, problem)
    if max_length is not None and len(value) > max_length:
        raise InvalidInputError(field, "too_long")
    return value


def safe_text(value: object) -> str:
    """Return ``value`` as storable one-line text: what cannot be stored becomes a space.

    For text we must take as it comes (a person's or device's name on a press): a press is
    never refused for its sender's name.
    """
    text = value if isinstance(value, str) else str(value)
    if text_problem(text) is None:
        return text
    return " ".join(_LINE_BREAKS.sub(" ", _UNSTORABLE.sub(" ", text)).split())


def finite_number(
    value: object,
    field: str,
    *,
    low: float = -math.inf,
    high: float = math.inf,
) -> float:
    """Return ``value`` as a float if it is a finite number in ``[low, high]``, else raise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(field, "not_a_number")
    try:
        number = float(value)
    except OverflowError as err:  # an int beyond a float's range (JSON allows 10**400)
        raise InvalidInputError(field, "not_finite") from err
    if not math.isfinite(number):
        raise InvalidInputError(field, "not_finite")
    if not low <= number <= high:
        raise InvalidInputError(field, "out_of_range")
    return number


def _no_constants(name: str) -> Any:
    raise InvalidInputError("json", f"constant_{name.lower()}")


def strict_json(text: str) -> Any:
    """Decode JSON that is also storable: no NaN/Infinity, no unstorable text anywhere.

    Raises :class:`InvalidInputError` (field ``json``) for such a document and
    ``ValueError`` (``json.JSONDecodeError``) for one that is not JSON at all.
    """
    value = json.loads(text, parse_constant=_no_constants)
    _check_tree(value, 0)
    return value


def _check_tree(value: Any, depth: int) -> None:
    if depth > 32:
        raise InvalidInputError("json", "too_deep")
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise InvalidInputError("json", "surrogate")
    elif isinstance(value, float):
        if not math.isfinite(value):  # 1e999 decodes as inf
            raise InvalidInputError("json", "not_finite")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_tree(key, depth + 1)
            _check_tree(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_tree(item, depth + 1)
