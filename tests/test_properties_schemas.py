"""Property tests of the HA layer's schemas and form validators, with hostile input.

Every action schema (services.py) and every form's validator (flow_schemas.py,
police_flow.py, members.py) is driven with generated values: hostile text (lone
surrogates, control characters), numbers that are not finite, wrong types. Whatever comes
in, a schema either refuses it (``probatio.Invalid``) or returns values that can be stored;
a validator never raises and returns either errors or clean values. The ledger's own door
(``checks.py``) is driven the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime
import math
from typing import Any
from urllib.parse import urlsplit

from hypothesis import example, given, strategies as st
import probatio

from custom_components.mi_frente_seguro.flows.broker import validate_broker
from custom_components.mi_frente_seguro.flows.cameras import SCHEMES as CAMERA_SCHEMES
from custom_components.mi_frente_seguro.flows.fields import url_problem
from custom_components.mi_frente_seguro.flows.front import (
    validate_data,
    validate_options,
)
from custom_components.mi_frente_seguro.flows.kit import validate_kit
from custom_components.mi_frente_seguro.flows.members import (
    _validate as validate_member,
)
from custom_components.mi_frente_seguro.flows.police import validate_police
from custom_components.mi_frente_seguro.frente.checks import check_press
from custom_components.mi_frente_seguro.frente.incident import (
    IncidentKind,
    IncidentSource,
    Location,
    Press,
    Sender,
)
from custom_components.mi_frente_seguro.frente.text import (
    InvalidInputError,
    text_problem,
)
from custom_components.mi_frente_seguro.services import (
    CANCEL_SCHEMA,
    CLOSE_SCHEMA,
    NOTIFY_SCHEMA,
    POLICE_UPDATE_SCHEMA,
    TRIGGER_SCHEMA,
)

from .frente.test_properties_text import PROPERTY, hostile_text, outcome

NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from(["nan", "inf", "-inf", "1e999", "10.4", "x"]),
)
VALUES = st.one_of(hostile_text, NUMBERS, st.none(), st.booleans(), st.lists(st.none()))
LOCATIONS = st.fixed_dictionaries(
    {"latitude": NUMBERS, "longitude": NUMBERS, "radius": NUMBERS}
)


def _storable(value: Any) -> bool:
    """Return True when every text in ``value`` is storable and every float finite."""
    if isinstance(value, str):
        return text_problem(value, multiline=True) is None
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_storable(k) and _storable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_storable(item) for item in value)
    return True


def _accepted(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any] | None:
    """Return a form's values when it found no errors, asserting them storable; else None."""
    if errors:
        return None
    assert _storable(values)
    return values


@PROPERTY
@given(note=VALUES, kind=VALUES, location=LOCATIONS, source=VALUES, on_behalf_of=VALUES)
def test_trigger_schema_refuses_or_gives_storable_values(**fields: Any) -> None:
    """``trigger``: a refusal, or a note that can be stored and a finite location."""
    data = {"config_entry_id": "entry", **fields}
    result = outcome(lambda: TRIGGER_SCHEMA(data), probatio.Invalid)
    if isinstance(result, probatio.Invalid):
        return
    assert _storable(result)
    location = result["location"]
    assert -90 <= location["latitude"] <= 90
    assert -180 <= location["longitude"] <= 180


@PROPERTY
@given(
    schema=st.sampled_from(
        [CANCEL_SCHEMA, CLOSE_SCHEMA, POLICE_UPDATE_SCHEMA, NOTIFY_SCHEMA]
    ),
    incident_id=VALUES,
    text=VALUES,
    unit=VALUES,
    eta=NUMBERS,
    status=st.sampled_from(["received", "dispatched", "teleported", "\ud800"]),
)
def test_other_action_schemas_refuse_or_give_storable_values(
    schema: probatio.Schema,
    incident_id: Any,
    text: Any,
    unit: Any,
    eta: Any,
    status: str,
) -> None:
    """cancel, close, police_update, notify_members: refused, or storable values."""
    data: dict[str, Any] = {"config_entry_id": "entry", "incident_id": incident_id}
    if schema is CANCEL_SCHEMA:
        data["reason"] = text
    elif schema is NOTIFY_SCHEMA:
        data["image"] = text
    else:
        data["note"] = text
    if schema is POLICE_UPDATE_SCHEMA:
        data |= {"status": status, "unit": unit, "eta_minutes": eta}
    result = outcome(lambda: schema(data), probatio.Invalid)
    if not isinstance(result, probatio.Invalid):
        assert _storable(result)


@PROPERTY
@given(
    name=VALUES,
    barrio=VALUES,
    address=VALUES,
    cuadrante_code=VALUES,
    cuadrante_name=VALUES,
    location=LOCATIONS,
)
def test_the_front_form_gives_errors_or_clean_values(**user_input: Any) -> None:
    """The front's form: never raises; without errors, text storable and numbers finite."""
    data = _accepted(*validate_data(user_input))
    if data is not None:
        assert all(isinstance(data[key], float) for key in ("latitude", "longitude"))


@PROPERTY
@given(phone=VALUES, name=VALUES, other=VALUES, house=VALUES)
def test_contacts_and_member_forms_give_errors_or_clean_values(
    phone: Any, name: Any, other: Any, house: Any
) -> None:
    """Contacts and member forms: never raise; without errors, storable values."""
    contacts = {
        "cuadrante_phone": phone,
        "coordinator_name": name,
        "coordinator_phone": other,
        "coordinator_persons": [],
    }
    _accepted(*validate_options(contacts))
    _accepted(*validate_member({"house": house, "phone": phone, "role": "resident"}))


@PROPERTY
@given(
    broker=st.fixed_dictionaries(
        {
            "broker_host": VALUES,
            "broker_port": st.just(1883),
            "broker_username": VALUES,
            "broker_password": st.just(""),
            "broker_tls": st.just(False),
            "topic_base": VALUES,
        }
    ),
    kit=st.fixed_dictionaries(
        {
            "siren_duration": st.just(180),
            "siren_tone": st.just("alarm"),
            "siren_plain_payload": st.just(False),
            "kit_keepalive": st.just(60),
            "topics": st.fixed_dictionaries({"panic": VALUES}),
        }
    ),
)
def test_broker_and_kit_forms_give_errors_or_clean_values(
    broker: dict[str, Any], kit: dict[str, Any]
) -> None:
    """The broker and kit forms: never raise on text; wildcards and bad text refused."""
    data = _accepted(*validate_broker(broker))
    if data is not None:
        assert "+" not in data["topic_base"] and "#" not in data["topic_base"]
    options = _accepted(*validate_kit(kit))
    if options is not None:
        assert all(" " not in value for value in options["topics"].values())


@PROPERTY
@given(
    name=VALUES,
    device=VALUES,
    note=VALUES,
    latitude=NUMBERS,
    accuracy=NUMBERS,
)
def test_the_ledger_door_refuses_or_passes_storable_presses(
    name: Any, device: Any, note: Any, latitude: Any, accuracy: Any
) -> None:
    """``check_press``: an InvalidInputError, or a press whose every value can be stored."""
    location = Location(latitude, -75.5, accuracy)
    press = Press(
        datetime(2026, 12, 1, tzinfo=UTC),
        IncidentKind.PANIC,
        IncidentSource.APP,
        Sender(name=name, device=device),
        location,
        note=note,
    )
    result = outcome(lambda: check_press(press), InvalidInputError)
    if isinstance(result, InvalidInputError):
        return
    assert _storable([name, device, note, latitude, accuracy])
    assert isinstance(latitude, int | float) and -90 <= latitude <= 90


@PROPERTY
@given(
    url=st.one_of(
        VALUES,
        st.builds(
            "{}{}".format, st.sampled_from(["http://", "https://x/"]), hostile_text
        ),
    ),
    secret=VALUES,
    previous=VALUES,
    delay=st.integers(10, 900),
)
@example(url="http://[", secret=None, previous=None, delay=125)  # urlsplit raises
@example(url="https://[::1", secret=None, previous=None, delay=60)
def test_the_police_form_gives_errors_or_clean_values(
    url: Any, secret: Any, previous: Any, delay: int
) -> None:
    """The police form: never raises; without errors, a storable http(s) URL and secrets."""
    options, errors, _ = validate_police(
        {
            "police_url": url,
            "police_format": "json",
            "police_secret": secret,
            "police_secret_previous": previous,
            "escalation_delay": delay,
        },
        {},
    )
    if _accepted(options, errors) is not None:
        assert options["police_url"] == "" or options["police_url"].startswith(
            ("http://", "https://")
        )


@PROPERTY
@given(
    url=st.one_of(
        hostile_text,
        st.builds(
            "{}{}".format,
            st.sampled_from(["rtsp://", "http://", "https://", "rtsp://[", "x://"]),
            hostile_text,
        ),
    )
)
@example(url="rtsp://[")
@example(url="http://[::1")
def test_a_url_field_is_judged_never_raises(url: str) -> None:
    """The camera and police URL check answers for any text; a URL it passes parses."""
    if not url_problem(url, CAMERA_SCHEMES):
        parts = urlsplit(url)
        assert parts.scheme in CAMERA_SCHEMES
        assert parts.hostname
        assert text_problem(url) is None
