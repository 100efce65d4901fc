"""Domain errors of the incident book, raised again as translated HA errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from homeassistant.exceptions import ServiceValidationError

from .const import DOMAIN
from .frente.book import UnknownIncidentError
from .frente.incident import IllegalTransitionError


@contextmanager
def incident_errors(front: str, incident_id: str | None) -> Iterator[None]:
    """Turn unknown-incident and illegal-transition errors into ServiceValidationError."""
    try:
        yield
    except UnknownIncidentError as err:
        key = "no_open_incident" if incident_id is None else "unknown_incident"
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders={"front": front, "incident_id": incident_id or ""},
        ) from err
    except IllegalTransitionError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="illegal_transition",
            translation_placeholders={
                "incident_id": err.incident_id,
                "current": err.current.value,
                "wanted": str(err.wanted),
            },
        ) from err
