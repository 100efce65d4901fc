"""Errors of the ledger, raised again as translated HA errors (once per path).

Actions, buttons and the alarm panel wrap their ledger calls in :func:`incident_errors`:
an unknown incident, an illegal step or a value that cannot be stored is the caller's
mistake (``ServiceValidationError``); a commit that failed (disk full, I/O error) is not
(``HomeAssistantError``), and nothing was changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .const import DOMAIN
from .frente.book import UnknownIncidentError
from .frente.committer import StorageError
from .frente.incident import IllegalTransitionError
from .frente.text import InvalidInputError


def translated[E: HomeAssistantError](
    kind: type[E], key: str, **placeholders: str
) -> E:
    """Return HA error ``kind`` with its translated message ``key`` (both languages)."""
    return kind(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


@contextmanager
def incident_errors(front: str, incident_id: str | None = None) -> Iterator[None]:
    """Turn the ledger's errors into translated validation or HA errors."""
    try:
        yield
    except UnknownIncidentError as err:
        key = "no_open_incident" if incident_id is None else "unknown_incident"
        raise translated(
            ServiceValidationError, key, front=front, incident_id=incident_id or ""
        ) from err
    except IllegalTransitionError as err:
        raise translated(
            ServiceValidationError,
            "illegal_transition",
            incident_id=err.incident_id,
            current=err.current.value,
            wanted=str(err.wanted),
        ) from err
    except InvalidInputError as err:
        raise translated(
            ServiceValidationError,
            "invalid_input",
            field=err.field,
            problem=err.problem,
        ) from err
    except StorageError as err:
        raise translated(
            HomeAssistantError, "storage_failed", front=front, reason=err.reason
        ) from err
