"""The answer form, checked as hostile input.

Received, dispatched with unit and ETA, on scene, closed with a note: checked as hostile input against the contract's limits and the police's own steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import re
from typing import Final

from .. import texto
from ..incidents import POLICE_STEPS, next_steps

MAX_UNIT: Final = 40
MAX_NOTE: Final = 500
MAX_ETA: Final = 240
_ETA: Final = re.compile(r"[0-9]{1,3}")


class InvalidAnswerError(texto.FormError):
    """The answer form is wrong; ``reason`` is a key of the catalog."""


@dataclass(frozen=True, slots=True)
class AnswerForm:
    """A checked answer."""

    status: str
    unit: str
    eta_minutes: int | None
    note: str


def parse_eta(value: object) -> int | None:
    """Return the ETA in minutes (ASCII digits, 0-240), or None when wrong."""
    if not isinstance(value, str) or not _ETA.fullmatch(value.strip()):
        return None
    minutes = int(value.strip())
    return minutes if minutes <= MAX_ETA else None


def parse_answer(fields: Mapping[str, object], police_state: str) -> AnswerForm:
    """Return the checked answer for an incident whose last answer was ``police_state``."""
    status = fields.get("status")
    if not isinstance(status, str) or status not in POLICE_STEPS:
        raise InvalidAnswerError("answer.reason.status")
    if status not in next_steps(police_state):
        raise InvalidAnswerError(
            "answer.reason.closed"
            if police_state == "closed"
            else "answer.reason.backwards"
        )
    unit, eta = "", None
    if status == "dispatched":
        parsed_unit = texto.line(fields.get("unit"), min_len=1, max_len=MAX_UNIT)
        if parsed_unit is None:
            raise InvalidAnswerError("answer.reason.unit")
        unit = parsed_unit
        eta = parse_eta(fields.get("eta_minutes"))
        if eta is None:
            raise InvalidAnswerError("answer.reason.eta")
    note = texto.text(fields.get("note", ""), max_len=MAX_NOTE)
    if note is None or (status == "closed" and not note):
        raise InvalidAnswerError("answer.reason.note")
    return AnswerForm(status, unit, eta, note)
