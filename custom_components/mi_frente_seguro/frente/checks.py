"""The ledger's door: every value of a change is checked before anything is decided.

Entry points check their own input first and say what is wrong in their own terms (a kit
payload is counted as malformed, an action raises a translated error, a police update is
answered 400). These checks are the last gate, in front of the decision: whatever an entry
point missed, no text that cannot be stored and no number that is not finite reaches the
book, the store or a police message. Each raises :class:`~.text.InvalidInputError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from .incident import Location, Press, Response
from .text import InvalidInputError, checked_text, finite_number

MAX_NAME = 200  # names, houses, ids, devices
MAX_NOTE = 500  # notes, reasons


def check_press(press: Press) -> None:
    """Check every field of a press (sender, note, key, location)."""
    _check_time(press.at, "at")
    sender = press.sender
    for field in ("user_id", "person_id", "name", "house", "phone", "role", "device"):
        value = getattr(sender, field)
        if value is not None:
            checked_text(value, f"sender.{field}", max_length=MAX_NAME)
    checked_text(press.note, "note", multiline=True, max_length=MAX_NOTE)
    if press.key is not None:
        checked_text(press.key, "key", max_length=MAX_NAME)
    if press.location is not None:
        check_location(press.location)


def check_location(location: Location) -> None:
    """Check that a location's numbers are finite and in range."""
    finite_number(location.latitude, "latitude", low=-90, high=90)
    finite_number(location.longitude, "longitude", low=-180, high=180)
    if location.accuracy is not None:
        finite_number(location.accuracy, "accuracy", low=0)
    if location.distance is not None:
        finite_number(location.distance, "distance", low=0)
    if location.fix_time is not None:
        _check_time(location.fix_time, "fix_time")


def check_details(details: Mapping[str, Any]) -> None:
    """Check the details of a lifecycle step: text, finite numbers, booleans or None."""
    for key, value in details.items():
        checked_text(key, "details", max_length=MAX_NAME)
        if value is None or isinstance(value, bool):
            continue
        if isinstance(value, str):
            checked_text(value, key, multiline=True, max_length=MAX_NOTE)
        elif isinstance(value, int | float):
            finite_number(value, key)
        else:
            raise InvalidInputError(key, "not_a_value")


def check_response(response: Response) -> None:
    """Check a member's answer to a notification."""
    _check_time(response.at, "at")
    checked_text(response.action, "action", max_length=MAX_NAME)
    for field in ("user_id", "name"):
        value = getattr(response, field)
        if value is not None:
            checked_text(value, field, max_length=MAX_NAME)


def check_evidence(items: Iterable[Mapping[str, Any]]) -> None:
    """Check the evidence entries of an incident (flat text and number fields)."""
    for item in items:
        check_details(item)


def _check_time(value: datetime, field: str) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInputError(field, "not_an_aware_time")
