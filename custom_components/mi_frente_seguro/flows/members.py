"""The member form: a front's members (integrantes) are HA persons with house, phone, role.

Each member is a config subentry of the front (type ``member``), added from the front's
page with "Add member"; the person's HA user is how a press is traced back to a member
(``runtime/settings.py`` reads them). Ley 1581 de 2012 asks for the member's prior,
express and informed authorization: the second step shows the privacy notice (aviso de
privacidad) and records, with the member, when they authorized and which notice they saw.
"""

from __future__ import annotations

from typing import Any

import probatio

from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.helpers import selector
from homeassistant.util import dt as dt_util

from ..const import (
    CONF_COORDINATOR_NAME,
    PRIVACY_NOTICE_VERSION,
    ROLE_COORDINATOR,
    ROLE_RESIDENT,
    SUBENTRY_MEMBER,
    MemberField,
)
from ..frente.front import clean_text
from ..frente.phone import normalize_phone
from .fields import BOOLEAN, PHONE, TEXT, check, choice, required


def _schema(defaults: dict[str, Any], *, with_person: bool) -> probatio.Schema:
    fields: dict[Any, Any] = {}
    if with_person:
        fields[probatio.Required(MemberField.PERSON)] = selector.EntitySelector(
            selector.EntitySelectorConfig(domain="person")
        )
    fields |= {
        required(MemberField.HOUSE, defaults): TEXT,
        required(MemberField.PHONE, defaults): PHONE,
        required(MemberField.ROLE, defaults, ROLE_RESIDENT): choice(
            (ROLE_RESIDENT, ROLE_COORDINATOR), "role"
        ),
    }
    return probatio.Schema(fields)


AUTHORIZED_SCHEMA = probatio.Schema(
    {probatio.Required(MemberField.AUTHORIZED, default=False): BOOLEAN}
)


def authorization_record() -> dict[str, str]:
    """Return what is kept of a member's authorization: when, and which notice."""
    return {
        "at": dt_util.utcnow().isoformat(timespec="seconds"),
        "notice_version": PRIVACY_NOTICE_VERSION,
    }


def _validate(user_input: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    data: dict[str, Any] = {
        MemberField.HOUSE: check(
            errors,
            MemberField.HOUSE,
            lambda: clean_text(MemberField.HOUSE, user_input[MemberField.HOUSE]),
        ),
        MemberField.PHONE: check(
            errors,
            MemberField.PHONE,
            lambda: normalize_phone(user_input[MemberField.PHONE]),
        ),
        MemberField.ROLE: user_input[MemberField.ROLE],
    }
    return data, errors


class MemberSubentryFlow(ConfigSubentryFlow):
    """Add a member to a front, or change one."""

    _member: dict[str, Any]

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Pick the person and enter house, phone and role."""
        errors: dict[str, str] = {}
        if user_input is not None:
            person = user_input[MemberField.PERSON]
            data, errors = _validate(user_input)
            if any(
                subentry.data.get(MemberField.PERSON) == person
                for subentry in self._get_entry().get_subentries_of_type(
                    SUBENTRY_MEMBER
                )
            ):
                errors[MemberField.PERSON] = "already_member"
            if not errors:
                self._member = {MemberField.PERSON: person, **data}
                return await self.async_step_privacy()
        return self.async_show_form(
            step_id="user",
            data_schema=_schema(user_input or {}, with_person=True),
            errors=errors,
        )

    async def async_step_privacy(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Show the privacy notice; the member must authorize before they are added."""
        person = self._member[MemberField.PERSON]
        errors: dict[str, str] = {}
        if user_input is not None:
            if user_input.get(MemberField.AUTHORIZED) is True:
                return self.async_create_entry(
                    title=self._person_name(person),
                    data={
                        **self._member,
                        MemberField.AUTHORIZATION: authorization_record(),
                    },
                    unique_id=person,
                )
            errors[MemberField.AUTHORIZED] = "authorization_required"
        return self.async_show_form(
            step_id="privacy",
            data_schema=AUTHORIZED_SCHEMA,
            errors=errors,
            description_placeholders=self._notice_placeholders(person),
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a member's house, phone or role."""
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        defaults: dict[str, Any] = dict(subentry.data)
        defaults[MemberField.AUTHORIZED] = MemberField.AUTHORIZATION in subentry.data
        if user_input is not None:
            defaults = user_input
            data, errors = _validate(user_input)
            if user_input.get(MemberField.AUTHORIZED) is not True:
                errors[MemberField.AUTHORIZED] = "authorization_required"
            if not errors:
                if MemberField.AUTHORIZATION not in subentry.data:  # recorded now, once
                    data[MemberField.AUTHORIZATION] = authorization_record()
                return self.async_update_and_abort(
                    self._get_entry(), subentry, data_updates=data
                )
        schema = _schema(defaults, with_person=False).extend(
            {
                probatio.Required(
                    MemberField.AUTHORIZED,
                    default=bool(defaults.get(MemberField.AUTHORIZED)),
                ): BOOLEAN
            }
        )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=schema,
            errors=errors,
            description_placeholders={
                "name": subentry.title,
                **self._notice_placeholders(subentry.data[MemberField.PERSON]),
            },
        )

    def _notice_placeholders(self, person: str) -> dict[str, str]:
        entry = self._get_entry()
        return {
            "member": self._person_name(person),
            "front": entry.title,
            "coordinator": str(entry.options.get(CONF_COORDINATOR_NAME) or ""),
            "version": PRIVACY_NOTICE_VERSION,
        }

    def _person_name(self, person: str) -> str:
        state = self.hass.states.get(person)
        return state.name if state is not None else person
