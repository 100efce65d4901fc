"""The police form: endpoint, format, signing secrets, escalation delay."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import probatio

from homeassistant.components import webhook
from homeassistant.helpers import selector

from ..const import (
    CONF_ESCALATION_DELAY,
    CONF_POLICE_FORMAT,
    CONF_POLICE_SECRET,
    CONF_POLICE_SECRET_PREVIOUS,
    CONF_POLICE_URL,
    CONF_POLICE_WEBHOOK_ID,
    DEFAULT_ESCALATION_DELAY,
)
from ..frente.dispatch.signing import WebhookSecret
from .fields import WEB_SCHEMES, optional, required, url_problem

FORMATS = ["json", "cap"]


def police_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
    """Return the police form; secrets are never pre-filled (they are not shown again)."""
    return probatio.Schema(
        {
            optional(CONF_POLICE_URL, defaults): selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.URL)
            ),
            required(CONF_POLICE_FORMAT, defaults, "json"): selector.SelectSelector(
                selector.SelectSelectorConfig(options=FORMATS, translation_key="police_format")
            ),
            probatio.Optional(CONF_POLICE_SECRET, default=""): selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
            ),
            probatio.Optional(CONF_POLICE_SECRET_PREVIOUS, default=""): (
                selector.TextSelector(
                    selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
                )
            ),
            required(CONF_ESCALATION_DELAY, defaults, DEFAULT_ESCALATION_DELAY): selector.NumberSelector(
                selector.NumberSelectorConfig(
                    min=10, max=900, unit_of_measurement="s",
                    mode=selector.NumberSelectorMode.BOX,
                )
            ),
        }
    )  # fmt: skip


def validate_police(
    user_input: Mapping[str, Any], current: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str], str | None]:
    """Return (options, errors, new secret to show once or None)."""
    errors: dict[str, str] = {}
    url = str(user_input.get(CONF_POLICE_URL) or "").strip()
    if url and url_problem(url, WEB_SCHEMES):
        errors[CONF_POLICE_URL] = "invalid_police_url"
    generated = None
    secret = str(user_input.get(CONF_POLICE_SECRET) or "").strip()
    if not secret:
        secret = current.get(CONF_POLICE_SECRET) or ""
    if not secret:
        secret = generated = WebhookSecret.generate().export()
    previous = str(user_input.get(CONF_POLICE_SECRET_PREVIOUS) or "").strip()
    for field, value in (
        (CONF_POLICE_SECRET, secret),
        (CONF_POLICE_SECRET_PREVIOUS, previous),
    ):
        if value:
            try:
                WebhookSecret.parse(value)
            except ValueError:
                errors[field] = "invalid_secret"
    options = {
        CONF_POLICE_URL: url,
        CONF_POLICE_FORMAT: user_input.get(CONF_POLICE_FORMAT, "json"),
        CONF_POLICE_SECRET: secret,
        CONF_POLICE_SECRET_PREVIOUS: previous,
        CONF_ESCALATION_DELAY: int(
            user_input.get(CONF_ESCALATION_DELAY, DEFAULT_ESCALATION_DELAY)
        ),
        CONF_POLICE_WEBHOOK_ID: current.get(CONF_POLICE_WEBHOOK_ID)
        or webhook.async_generate_id(),
    }
    return options, errors, generated
