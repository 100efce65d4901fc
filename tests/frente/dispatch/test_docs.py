"""docs/police-api.md: its examples are valid and are what the code sends."""

from __future__ import annotations

from datetime import timedelta
import json
import re

from custom_components.mi_frente_seguro.frente.dispatch.cap import to_cap
from custom_components.mi_frente_seguro.frente.dispatch.messages import (
    MessageType,
    build_message,
)

from .conftest import FRONT, T0, make_incident
from .contract import DOC_PATH, cap_schema, validator


def blocks(language: str) -> list[str]:
    """Return the fenced code blocks of ``language`` in the police API page."""
    text = DOC_PATH.read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def example_alert() -> dict[str, object]:
    """Return the alert the page shows, as the code builds it today."""
    incident = make_incident("01JDR6Q7ZK3M8YV2C4T5N9B0AX")
    sent_at = T0 + timedelta(milliseconds=40)
    return build_message(
        MessageType.CREATED,
        incident,
        FRONT,
        sent_at,
        message_id="01JDR6Q7ZMB1H2J3K4N5P6Q7R8",
    )


def test_json_examples_follow_the_schema() -> None:
    """The alert, the status update and the trouble shown validate against the schema."""
    alert, status, trouble = (json.loads(block) for block in blocks("json"))
    validator(strict=True).validate(alert)
    validator("statusUpdate", strict=True).validate(status)
    assert alert == example_alert()
    validator("notice", strict=True).validate(trouble)
    validator().validate(trouble)


def test_cap_example_is_valid_and_current() -> None:
    """The CAP example passes the OASIS XSD and matches what the code renders."""
    (document,) = blocks("xml")
    cap_schema().validate(document)
    shown = cap_schema().to_dict(document)
    built = cap_schema().to_dict(to_cap(example_alert()).decode())
    assert shown == built


def test_page_names_every_answer_code() -> None:
    """The status webhook's answers are all documented."""
    text = DOC_PATH.read_text(encoding="utf-8")
    for code in ("200", "400", "401", "404", "409", "413", "500"):
        assert f"| `{code}` |" in text
