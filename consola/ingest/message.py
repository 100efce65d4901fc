"""Reading an alert's body as hostile input, then the contract's JSON Schema.

:func:`read_json` refuses what Python's ``json`` would let through: NaN and infinities,
numbers that overflow to infinity, duplicate keys, nesting deeper than any message, and
text that cannot be stored (:mod:`consola.texto`). :func:`check_message` validates against
``$defs/message`` of docs/police-api.schema.json (version 2) and returns the few fields
the console files the message by.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
import json
import math
from pathlib import Path
from typing import Any, Final

from jsonschema import Draft202012Validator

from .. import texto
from ..tiempo import parse_iso

SCHEMA_PATH: Final = (
    Path(__file__).resolve().parents[2] / "docs" / "police-api.schema.json"
)
MAX_DEPTH: Final = 12
KINDS: Final = ("panic", "silent", "drill")

type Json = dict[str, Any]


class BodyError(ValueError):
    """The body is not a message of the contract."""


@dataclass(frozen=True, slots=True)
class AlertMessage:
    """A checked message: what the console files it by, and the whole body."""

    message_id: str
    type: str
    incident_id: str
    front_id: str
    cuadrante_code: str
    kind: str
    exercise: bool
    state: str
    sent_at: datetime
    opened_at: datetime
    body: Json


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BodyError("number out of range")
    return value


def _no_constant(name: str) -> float:
    raise BodyError(f"{name} is not a number of the contract")


def _pairs(pairs: list[tuple[str, Any]]) -> Json:
    result: Json = {}
    for key, value in pairs:
        if key in result:
            raise BodyError("duplicate key")
        result[key] = value
    return result


def _check_tree(value: object, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise BodyError("nested too deep")
    if isinstance(value, str):
        if not texto.is_text(value):
            raise BodyError("text that cannot be stored")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_tree(key, depth + 1)
            _check_tree(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_tree(item, depth + 1)


def read_json(body: bytes) -> Json:
    """Return the JSON object of ``body``; raise :class:`BodyError`."""
    try:
        text = body.decode("utf-8")
        value = json.loads(
            text,
            parse_float=_finite,
            parse_constant=_no_constant,
            object_pairs_hook=_pairs,
        )
    except BodyError:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise BodyError("not UTF-8 JSON") from err
    if not isinstance(value, dict):
        raise BodyError("not a JSON object")
    _check_tree(value)
    return value


def claimed_front(body: bytes) -> str | None:
    """Return the ``front.id`` a body claims (unverified: only to choose secrets), or None."""
    try:
        value = read_json(body)
    except BodyError:
        return None
    front = value.get("front")
    front_id = front.get("id") if isinstance(front, dict) else None
    return front_id if isinstance(front_id, str) else None


@cache
def _validator(definition: str) -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    schema.pop("oneOf")
    schema["$ref"] = f"#/$defs/{definition}"
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def check_schema(value: Json, definition: str, what: str) -> None:
    """Raise :class:`BodyError` (where, or ``what``) unless ``value`` is a ``definition``.

    ``definition`` is one of the schema's ``$defs`` (its validator is built once).
    """
    error = next(iter(_validator(definition).iter_errors(value)), None)
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path)[:80]
        raise BodyError(f"schema: {where or what}: {error.validator}")


def check_message(value: Json, webhook_id: str) -> AlertMessage:
    """Return the checked message; raise :class:`BodyError`."""
    check_schema(value, "message", "message")
    if value["id"] != webhook_id:
        raise BodyError("id differs from webhook-id")
    sent_at, opened_at = parse_iso(value["sent_at"]), parse_iso(value["opened_at"])
    if sent_at is None or opened_at is None:
        raise BodyError("bad date-time")
    return AlertMessage(
        message_id=value["id"],
        type=value["type"],
        incident_id=value["incident_id"],
        front_id=value["front"]["id"],
        cuadrante_code=value["front"]["cuadrante"]["code"],
        kind=value["kind"],
        exercise=value["exercise"],
        state=value["state"],
        sent_at=sent_at,
        opened_at=opened_at,
        body=value,
    )
