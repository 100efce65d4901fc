"""The published contract, loaded for the tests: the JSON Schema and the CAP 1.2 XSD."""

from __future__ import annotations

import copy
from functools import cache
import hashlib
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
import xmlschema

ROOT = Path(__file__).parents[3]
SCHEMA_PATH = ROOT / "docs" / "police-api.schema.json"
DOC_PATH = ROOT / "docs" / "police-api.md"
XSD_PATH = ROOT / "tests" / "fixtures" / "cap" / "CAP-v1.2-schema.xsd"
XSD_SHA256 = "dd73a2e1f76efa451814b02b127bbf4c86cedc7bb21a77204231c38c84d8fd36"


@cache
def schema() -> dict[str, Any]:
    """Return the published JSON Schema."""
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def validator(
    definition: str | None = None, *, strict: bool = False
) -> Draft202012Validator:
    """Return a validator for the whole schema or one of its ``$defs``.

    ``strict`` closes every object that lists its properties, so a field the code sends
    but the schema does not document fails (the published schema stays open).
    """
    document = copy.deepcopy(schema())
    if strict:
        close_objects(document)
    if definition is not None:
        document = {key: value for key, value in document.items() if key != "oneOf"}
        document["$ref"] = f"#/$defs/{definition}"
    Draft202012Validator.check_schema(document)
    return Draft202012Validator(document)


def close_objects(node: Any) -> None:
    """Close every object of a schema that lists its properties (in place)."""
    if isinstance(node, dict):
        if "properties" in node and node.get("type") == "object":
            node.setdefault("additionalProperties", False)
        for value in node.values():
            close_objects(value)
    elif isinstance(node, list):
        for value in node:
            close_objects(value)


@cache
def cap_schema() -> xmlschema.XMLSchema:
    """Return the OASIS CAP 1.2 schema (the vendored, unmodified file)."""
    data = XSD_PATH.read_bytes()
    assert hashlib.sha256(data).hexdigest() == XSD_SHA256, "the XSD was modified"
    return xmlschema.XMLSchema(str(XSD_PATH))
