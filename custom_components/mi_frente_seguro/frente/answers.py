"""A member's answer to an alarm notification, as the companion app hands it back.

Each action of the notification carries ``MFS|<answer>|<incident id>``; the app fires
``mobile_app_notification_action`` with it when the member taps. Anyone who can fire an
event can send any text here, so :func:`parse_answer` takes only the two answers there are
and a well-formed incident id (a ULID), and refuses everything else without raising.
"""

from __future__ import annotations

from .ulid import is_ulid

ACTION_PREFIX = "MFS"
ACTION_ON_MY_WAY = "on_my_way"
ACTION_FALSE_ALARM = "false_alarm"
ANSWERS = frozenset({ACTION_ON_MY_WAY, ACTION_FALSE_ALARM})
MAX_ACTION = 64  # the longest action id: prefix, answer, ULID and separators


def action_id(answer: str, incident_id: str) -> str:
    """Return the notification action id that carries the answer and the incident."""
    return f"{ACTION_PREFIX}|{answer}|{incident_id}"


def parse_answer(action: object) -> tuple[str, str] | None:
    """Return ``(answer, incident_id)`` of an action id, or None for anything else."""
    if not isinstance(action, str) or len(action) > MAX_ACTION:
        return None
    parts = action.split("|")
    if len(parts) != 3 or parts[0] != ACTION_PREFIX:
        return None
    _, answer, incident_id = parts
    if answer not in ANSWERS or not is_ulid(incident_id):
        return None
    return answer, incident_id
