"""The destination forms' fields and checks: JSON/CAP endpoint, SIA receiver, phone.

Every check takes what a form sent (hostile: any type, any text) and returns the data to
store and the form's errors; nothing here raises for bad input. What is stored is what
``runtime/settings.py`` reads back (an SIA destination's data always builds its
``SiaSettings``).
"""

from __future__ import annotations

from collections.abc import Mapping
import math
import re
from typing import Any

import probatio

from ..const import (
    CONF_ESCALATION_DELAY,
    CONF_NAME_DESTINATION,
    CONF_PHONE_TARGET,
    DEFAULT_ESCALATION_DELAY,
    DEFAULT_SIA_LINK_TEST_INTERVAL,
    PoliceField,
    SiaField,
)
from ..frente.dispatch.sia import ContentFormat, InvalidSiaSettingsError, SiaProtocol
from ..frente.dispatch.sia.crypto import InvalidKeyError
from ..frente.dispatch.sia.settings import DEFAULT_PORT
from ..frente.text import text_problem
from ..runtime.police_settings import read_sia, sia_key
from .fields import (
    PASSWORD,
    PORT,
    TEXT,
    URL,
    choice,
    number_box,
    optional,
    required,
    signed_endpoint,
    text_of,
)

MIN_LINK_TEST = 10  # s
MAX_LINK_TEST = 86_400  # s
MAX_NAME = 60
_NOTIFY_TARGET = re.compile(r"notify\.(?!_)[a-z0-9_]{1,200}(?<!_)")  # as HA's ids
KEY_FORMATS = ["text", "hex"]
POLICE_FORMATS = ["json", "cap"]


def clean_name(user_input: Mapping[str, Any], errors: dict[str, str]) -> str:
    """Return the destination's name (1-60 storable characters)."""
    name = text_of(user_input.get(CONF_NAME_DESTINATION))
    if not name or len(name) > MAX_NAME or text_problem(name) is not None:
        errors[CONF_NAME_DESTINATION] = "invalid_name"
    return name


def name_field(defaults: Mapping[str, Any]) -> dict[Any, Any]:
    """Return the name field of every destination form."""
    return {required(CONF_NAME_DESTINATION, defaults): TEXT}


def secret_fields() -> dict[Any, Any]:
    """Return a signed endpoint's two secrets; never pre-filled (not shown again)."""
    return {
        probatio.Optional(PoliceField.SECRET, default=""): PASSWORD,
        probatio.Optional(PoliceField.SECRET_PREVIOUS, default=""): PASSWORD,
    }


def webhook_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
    """Return the JSON/CAP form."""
    return probatio.Schema(
        {
            **name_field(defaults),
            required(PoliceField.URL, defaults): URL,
            **secret_fields(),
        }
    )


def police_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
    """Return the police form: the first destination, its format and escalation delay."""
    return probatio.Schema(
        {
            optional(PoliceField.URL, defaults): URL,
            required(PoliceField.FORMAT, defaults, "json"): choice(POLICE_FORMATS, "police_format"),
            **secret_fields(),
            required(CONF_ESCALATION_DELAY, defaults, DEFAULT_ESCALATION_DELAY): number_box(10, 900, "s"),
        }
    )  # fmt: skip


def validate_webhook(
    user_input: Mapping[str, Any], current: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str], str | None]:
    """Return (data, errors, generated secret to show once or None)."""
    errors: dict[str, str] = {}
    clean_name(user_input, errors)
    data, generated = signed_endpoint(user_input, current, errors, url_required=True)
    return dict(data), errors, generated


def sia_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
    """Return the SIA receiver form; the key is never pre-filled."""
    return probatio.Schema(
        {
            **name_field(defaults),
            required(SiaField.HOST, defaults): TEXT,
            required(SiaField.PORT, defaults, DEFAULT_PORT): PORT,
            required(SiaField.PROTOCOL, defaults, "tcp"): choice(SiaProtocol, "sia_protocol"),
            required(SiaField.ACCOUNT, defaults): TEXT,
            probatio.Optional(SiaField.KEY, default=""): PASSWORD,
            required(SiaField.KEY_FORMAT, defaults, "text"): choice(KEY_FORMATS, "sia_key_format"),
            required(SiaField.CONTENT, defaults, "SIA-DCS"): choice(ContentFormat, "sia_content"),
            optional(
                SiaField.LINK_TEST_INTERVAL, defaults, DEFAULT_SIA_LINK_TEST_INTERVAL
            ): number_box(MIN_LINK_TEST, MAX_LINK_TEST, "s"),
        }
    )  # fmt: skip


def _whole(value: object, low: int, high: int) -> int | None:
    """Return ``value`` as a whole number in [low, high], or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value) or value != int(value) or not low <= value <= high:
        return None
    return int(value)


def validate_sia(
    user_input: Mapping[str, Any], current: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Return (data, errors) of the SIA form; an empty key keeps the stored one."""
    errors: dict[str, str] = {}
    clean_name(user_input, errors)
    port = _whole(user_input.get(SiaField.PORT), 1, 65535)
    if port is None:
        errors[SiaField.PORT] = "invalid_port"
    interval = _whole(
        user_input.get(SiaField.LINK_TEST_INTERVAL, DEFAULT_SIA_LINK_TEST_INTERVAL),
        MIN_LINK_TEST,
        MAX_LINK_TEST,
    )
    if interval is None:
        errors[SiaField.LINK_TEST_INTERVAL] = "invalid_interval"
    key_format = user_input.get(SiaField.KEY_FORMAT, "text")
    if key_format not in KEY_FORMATS:
        errors[SiaField.KEY_FORMAT] = "invalid_key"
        key_format = "text"
    key = text_of(user_input.get(SiaField.KEY)) or text_of(current.get(SiaField.KEY))
    parsed = None
    if key:
        try:
            parsed = sia_key(key, str(key_format))
        except InvalidKeyError:
            errors[SiaField.KEY] = "invalid_key"
    data: dict[str, Any] = {
        SiaField.HOST: text_of(user_input.get(SiaField.HOST)),
        SiaField.PORT: port,
        SiaField.PROTOCOL: user_input.get(SiaField.PROTOCOL, "tcp"),
        SiaField.ACCOUNT: text_of(user_input.get(SiaField.ACCOUNT)).upper(),
        SiaField.KEY: key,
        SiaField.KEY_FORMAT: key_format,
        SiaField.CONTENT: user_input.get(SiaField.CONTENT, "SIA-DCS"),
        SiaField.LINK_TEST_INTERVAL: interval,
    }
    try:
        read_sia(
            data
            | {
                SiaField.PORT: port or 1,
                SiaField.KEY: key if parsed else "",
                SiaField.LINK_TEST_INTERVAL: interval or MIN_LINK_TEST,
            }
        )
    except InvalidSiaSettingsError as err:
        if err.field == "account":
            errors[SiaField.ACCOUNT] = "invalid_sia_account"
        else:
            errors.setdefault(SiaField.HOST, "invalid_sia_host")
    except ValueError, TypeError:  # a protocol or content no form offers
        errors[SiaField.PROTOCOL] = "invalid_sia_protocol"
    return data, errors


def phone_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
    """Return the phone form: the notify entity or action that reaches the phone."""
    return probatio.Schema(
        {**name_field(defaults), required(CONF_PHONE_TARGET, defaults): TEXT}
    )


def validate_phone_target(value: object) -> tuple[str, str | None]:
    """Return (target, error): ``notify.<name>`` (an entity or an action) or an error."""
    target = text_of(value).lower()
    if _NOTIFY_TARGET.fullmatch(target) is None or target == "notify.send_message":
        return target, "invalid_phone_target"
    return target, None
