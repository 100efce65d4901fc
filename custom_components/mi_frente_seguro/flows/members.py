"""The member form: a front's members (integrantes) are HA persons with house, phone, role.

Each member is a config subentry of the front (type ``member``), added from the front's
page with "Add member"; the person's HA user is how a press is traced back to a member
(``runtime/settings.py`` reads them).
"""

from __future__ import annotations

from typing import Any

import probatio

from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.helpers import selector

from ..const import (
    CONF_HOUSE,
    CONF_PERSON,
    CONF_PHONE,
    CONF_ROLE,
    ROLE_COORDINATOR,
    ROLE_RESIDENT,
    SUBENTRY_MEMBER,
)
from ..frente.front import clean_text
from ..frente.phone import normalize_phone
from .fields import check, required


def _schema(defaults: dict[str, Any], *, with_person: bool) -> probatio.Schema:
    fields: dict[Any, Any] = {}
    if with_person:
        fields[probatio.Required(CONF_PERSON)] = selector.EntitySelector(
            selector.EntitySelectorConfig(domain="person")
        )
    fields |= {
        required(CONF_HOUSE, defaults): (selector.TextSelector()),
        required(CONF_PHONE, defaults): (
            selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.TEL)
            )
        ),
        required(CONF_ROLE, defaults, ROLE_RESIDENT): (
            selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=[ROLE_RESIDENT, ROLE_COORDINATOR], translation_key="role"
                )
            )
        ),
    }
    return probatio.Schema(fields)


def _validate(user_input: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    data = {
        CONF_HOUSE: check(
            errors, CONF_HOUSE, lambda: clean_text(CONF_HOUSE, user_input[CONF_HOUSE])
        ),
        CONF_PHONE: check(
            errors, CONF_PHONE, lambda: normalize_phone(user_input[CONF_PHONE])
        ),
        CONF_ROLE: user_input[CONF_ROLE],
    }
    return data, errors


class MemberSubentryFlow(ConfigSubentryFlow):
    """Add a member to a front, or change one."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Pick the person and enter house, phone and role."""
        errors: dict[str, str] = {}
        if user_input is not None:
            person = user_input[CONF_PERSON]
            data, errors = _validate(user_input)
            if any(
                subentry.data.get(CONF_PERSON) == person
                for subentry in self._get_entry().get_subentries_of_type(
                    SUBENTRY_MEMBER
                )
            ):
                errors[CONF_PERSON] = "already_member"
            if not errors:
                return self.async_create_entry(
                    title=self._person_name(person),
                    data={CONF_PERSON: person, **data},
                    unique_id=person,
                )
        return self.async_show_form(
            step_id="user",
            data_schema=_schema(user_input or {}, with_person=True),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a member's house, phone or role."""
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        defaults: dict[str, Any] = dict(subentry.data)
        if user_input is not None:
            defaults = user_input
            data, errors = _validate(user_input)
            if not errors:
                return self.async_update_and_abort(
                    self._get_entry(), subentry, data_updates=data
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=_schema(defaults, with_person=False),
            errors=errors,
            description_placeholders={"name": subentry.title},
        )

    def _person_name(self, person: str) -> str:
        state = self.hass.states.get(person)
        return state.name if state is not None else person
