"""The form fields and checks every step of the front's flows shares."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
import re
from typing import Any
from urllib.parse import urlsplit

import probatio

from homeassistant.helpers import selector

from ..const import PoliceField
from ..frente.dispatch.signing import WebhookSecret
from ..frente.front import InvalidFrontError
from ..frente.phone import InvalidPhoneError
from ..frente.text import text_problem

TEXT = selector.TextSelector()
PHONE = selector.TextSelector(
    selector.TextSelectorConfig(type=selector.TextSelectorType.TEL)
)
LOCATION = selector.LocationSelector(selector.LocationSelectorConfig(radius=True))
PERSONS = selector.EntitySelector(
    selector.EntitySelectorConfig(domain="person", multiple=True)
)


def number_box(
    low: float, high: float, unit: str | None = None, step: float | None = None
) -> selector.NumberSelector:
    """Return a number field typed in a box, from ``low`` to ``high`` (``unit``, ``step``)."""
    config = selector.NumberSelectorConfig(
        min=low, max=high, mode=selector.NumberSelectorMode.BOX
    )
    if unit is not None:
        config["unit_of_measurement"] = unit
    if step is not None:
        config["step"] = step
    return selector.NumberSelector(config)


def choice(options: Collection[str], translation_key: str) -> selector.SelectSelector:
    """Return a drop-down of ``options``, labelled by the translations' ``translation_key``."""
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=[str(option) for option in options], translation_key=translation_key
        )
    )


PORT = number_box(1, 65535)
URL = selector.TextSelector(
    selector.TextSelectorConfig(type=selector.TextSelectorType.URL)
)
PASSWORD = selector.TextSelector(
    selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
)
BOOLEAN = selector.BooleanSelector()
DAY_OF_MONTH = number_box(0, 28)
CANCEL_SECONDS = number_box(0, 900, "s", step=10)
SECONDS = number_box(10, 900, "s", step=5)
_WILDCARDS = re.compile(r"[+#\s]")
WEB_SCHEMES = ("https", "http")


def required(
    key: str, defaults: Mapping[str, Any], default: Any = ""
) -> probatio.Required:
    """Return a required field pre-filled with what was entered or stored (or ``default``)."""
    return probatio.Required(key, default=defaults.get(key, default))


def optional(
    key: str, defaults: Mapping[str, Any], default: Any = ""
) -> probatio.Optional:
    """Return an optional field pre-filled with what was entered or stored (or ``default``)."""
    return probatio.Optional(key, default=defaults.get(key, default))


def check(errors: dict[str, str], field: str, clean: Callable[[], Any]) -> Any | None:
    """Run one field's cleaner; on failure record the field's error and return None."""
    try:
        return clean()
    except InvalidFrontError as err:
        errors[field] = err.reason
    except InvalidPhoneError:
        errors[field] = "invalid_phone"
    return None


def clean_topic(field: str, value: str, errors: dict[str, str]) -> str:
    """Return a topic without surrounding slashes; record an error for wildcards.

    MQTT topics are UTF-8 without NUL: text that cannot be stored is refused as well.
    """
    topic = value.strip().strip("/")
    if _WILDCARDS.search(topic) or text_problem(topic) is not None:
        errors[field] = "invalid_topic"
    return topic


def url_problem(url: str, schemes: Collection[str]) -> bool:
    """Return True unless ``url`` is storable text, has no spaces, one of ``schemes`` and a host.

    ``urlsplit`` raises on some malformed text (``http://[``): that is an invalid URL too.
    """
    if text_problem(url) is not None or any(char.isspace() for char in url):
        return True
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return True
    return parts.scheme not in schemes or not host


def text_of(value: object) -> str:
    """Return a form's value as text without surrounding spaces ("" for a non-string)."""
    return value.strip() if isinstance(value, str) else ""


def signed_endpoint(
    user_input: Mapping[str, Any],
    current: Mapping[str, Any],
    errors: dict[str, str],
    *,
    url_required: bool,
) -> tuple[dict[str, str], str | None]:
    """Return a signed link's URL and secrets and, when it was made now, the new secret.

    The URL must be http(s) (``invalid_police_url``; empty only when not
    ``url_required``). The secret is the typed one, else the stored one, else a new one
    (to show once). It and the ``previous`` one (kept while the receiver rotates), when
    given, must be ``whsec_`` secrets: ``invalid_secret`` on the field otherwise.
    """
    url = text_of(user_input.get(PoliceField.URL))
    if (url_required and not url) or (url and url_problem(url, WEB_SCHEMES)):
        errors[PoliceField.URL] = "invalid_police_url"
    previous = text_of(user_input.get(PoliceField.SECRET_PREVIOUS))
    secret = text_of(user_input.get(PoliceField.SECRET)) or text_of(
        current.get(PoliceField.SECRET)
    )
    generated = None
    if not secret:
        secret = generated = WebhookSecret.generate().export()
    for field, value in (
        (PoliceField.SECRET, secret),
        (PoliceField.SECRET_PREVIOUS, previous),
    ):
        if value:
            try:
                WebhookSecret.parse(value)
            except ValueError:
                errors[field] = "invalid_secret"
    link: dict[str, str] = {
        PoliceField.URL: url,
        PoliceField.SECRET: secret,
        PoliceField.SECRET_PREVIOUS: previous,
    }
    return link, generated
