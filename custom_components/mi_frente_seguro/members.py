"""Members of a front (integrantes): HA persons with house, phone and role.

Each member is a config subentry of the front (type ``member``), added from the front's
page with "Add member"; the person's HA user is how a press is traced back to a member.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import probatio

from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.helpers import selector

from .const import (
    CONF_HOUSE,
    CONF_PERSON,
    CONF_PHONE,
    CONF_ROLE,
    ROLE_COORDINATOR,
    ROLE_RESIDENT,
    SUBENTRY_MEMBER,
)
from .flow_schemas import check
from .frente.front import clean_text
from .frente.phone import normalize_phone
from .runtime import FrenteConfigEntry


@dataclass(frozen=True, slots=True)
class Member:
    """A resident or coordinator of the front."""

    person: str  # person.* entity id
    name: str
    house: str
    phone: str
    role: str


def members_by_subentry(entry: FrenteConfigEntry) -> dict[str, Member]:
    """Return the front's members by subentry id."""
    return {
        subentry.subentry_id: Member(
            person=subentry.data[CONF_PERSON],
            name=subentry.title,
            house=subentry.data[CONF_HOUSE],
            phone=subentry.data[CONF_PHONE],
            role=subentry.data[CONF_ROLE],
        )
        for subentry in entry.get_subentries_of_type(SUBENTRY_MEMBER)
    }


def members_of(entry: FrenteConfigEntry) -> dict[str, Member]:
    """Return the front's members by person entity id."""
    return {member.person: member for member in members_by_subentry(entry).values()}


def _schema(defaults: dict[str, Any], *, with_person: bool) -> probatio.Schema:
    fields: dict[Any, Any] = {}
    if with_person:
        fields[probatio.Required(CONF_PERSON)] = selector.EntitySelector(
            selector.EntitySelectorConfig(domain="person")
        )
    fields |= {
        probatio.Required(CONF_HOUSE, default=defaults.get(CONF_HOUSE, "")): (
            selector.TextSelector()
        ),
        probatio.Required(CONF_PHONE, default=defaults.get(CONF_PHONE, "")): (
            selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.TEL)
            )
        ),
        probatio.Required(CONF_ROLE, default=defaults.get(CONF_ROLE, ROLE_RESIDENT)): (
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
        defaults: dict[str, Any] = {}
        if user_input is not None:
            defaults = user_input
            person = user_input[CONF_PERSON]
            data, errors = _validate(user_input)
            if person in members_of(self._get_entry()):
                errors[CONF_PERSON] = "already_member"
            if not errors:
                return self.async_create_entry(
                    title=self._person_name(person),
                    data={CONF_PERSON: person, **data},
                    unique_id=person,
                )
        return self.async_show_form(
            step_id="user",
            data_schema=_schema(defaults, with_person=True),
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
