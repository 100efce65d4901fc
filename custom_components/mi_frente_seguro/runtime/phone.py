"""The cuadrante's phone as a destination: the alarm text through an HA notify service.

:class:`PhoneTransport` is the ``Transport`` (``frente/dispatch/outcome.py``) of a phone
destination. Its text is made by the pure ``frente/dispatch/phone_text.py`` and stored in
the outbox row (durable like any other message); an attempt is one HA service call:

- a ``notify.*`` entity (``notify.send_message`` with its ``entity_id``), or
- a ``notify.*`` action (the legacy notify services: twilio_sms, clicksend, signal,
  telegram...), called with ``message`` (and a ``title``).

The call returning is delivered; a missing service or entity, an error of the service or
no answer within :data:`CALL_TIMEOUT` is retried; an invalid call (the service's schema
refuses it) is refused for good (a dead letter). The text holds a resident's name and
house (Ley 1581): it is never logged, only the error's type. HA's recorder keeps the data
of every ``call_service`` event unless it is excluded (docs/guia-coordinadores.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import voluptuous as vol

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceNotFound

from ..frente.dispatch.outcome import DELIVERED, Outcome, Verdict
from ..frente.dispatch.phone_text import phone_text

CALL_TIMEOUT = 30.0  # s an HA notify service may take
TITLE = "Mi Frente Seguro"
NOTIFY = "notify"


class PhoneTransport:
    """Texts to the cuadrante's phone through one HA notify entity or action."""

    def __init__(self, hass: HomeAssistant, target: str) -> None:
        """Send through ``target``: ``notify.<entity>`` or ``notify.<action>``."""
        self._hass = hass
        self.target = target

    def __repr__(self) -> str:
        """Show the target only."""
        return f"PhoneTransport({self.target})"

    @property
    def endpoint(self) -> str:
        """Return the notify entity or action (no number, no text)."""
        return self.target

    def render(self, message: Mapping[str, Any]) -> bytes | None:
        """Return the stored text of a police message, or None (a drill...)."""
        text = phone_text(message)
        return None if text is None else text.encode("utf-8")

    async def attempt(self, message_id: str, body: bytes) -> Outcome:
        """Call the notify service once with the stored text; never raises."""
        text = body.decode("utf-8", "replace")
        domain, _, name = self.target.partition(".")
        if domain != NOTIFY or not name:
            return Outcome(Verdict.REFUSED, "the phone target is not a notify.* target")
        if self._hass.states.get(self.target) is not None:
            service, data = "send_message", {"entity_id": self.target, "message": text}
            data["title"] = TITLE
        else:
            service, data = name, {"message": text, "title": TITLE}
        try:
            async with asyncio.timeout(CALL_TIMEOUT):
                await self._hass.services.async_call(
                    NOTIFY, service, data, blocking=True
                )
        except ServiceNotFound:
            return Outcome(Verdict.RETRY, f"no service notify.{service}")
        except vol.Invalid as err:
            return Outcome(Verdict.REFUSED, f"invalid call ({type(err).__name__})")
        except TimeoutError:
            return Outcome(Verdict.RETRY, "timeout")
        except HomeAssistantError as err:
            return Outcome(Verdict.RETRY, type(err).__name__)
        except Exception as err:  # noqa: BLE001  (a notify platform's own bug)
            return Outcome(Verdict.RETRY, type(err).__name__)
        return DELIVERED
