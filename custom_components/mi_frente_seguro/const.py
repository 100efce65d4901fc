"""Constants of the Mi Frente Seguro integration."""

from __future__ import annotations

from enum import StrEnum
import logging
from typing import TYPE_CHECKING, Final

from homeassistant.util.signal_type import SignalTypeFormat

from .frente.answers import (
    ACTION_FALSE_ALARM as _ACTION_FALSE_ALARM,
    ACTION_ON_MY_WAY as _ACTION_ON_MY_WAY,
    ACTION_PREFIX as _ACTION_PREFIX,
)
from .frente.change import BY_POLICE as _BY_POLICE, BY_SYSTEM as _BY_SYSTEM

if TYPE_CHECKING:
    from homeassistant.core import Context

    from .frente.change import IncidentChange
    from .frente.kit.protocol import PressMessage

DOMAIN: Final = "mi_frente_seguro"
LOGGER: Final = logging.getLogger(__package__)

# Config entry data: what identifies the front and where it is (reconfigure flow).
CONF_FRONT_ID: Final = "front_id"
CONF_BARRIO: Final = "barrio"
CONF_ADDRESS: Final = "address"
CONF_LOCATION: Final = "location"
CONF_CUADRANTE_CODE: Final = "cuadrante_code"
CONF_CUADRANTE_NAME: Final = "cuadrante_name"

# Config entry options: contacts that change more often (options flow).
CONF_CUADRANTE_PHONE: Final = "cuadrante_phone"
CONF_COORDINATOR_NAME: Final = "coordinator_name"
CONF_COORDINATOR_PHONE: Final = "coordinator_phone"

DEFAULT_RADIUS: Final = (
    200  # metres around the front's location that count as "the front"
)

# Options: HA persons who coordinate the front (may cancel and close incidents).
CONF_COORDINATOR_PERSONS: Final = "coordinator_persons"

# The HA event fired on every change of an incident (docs/events.md).
EVENT_INCIDENT: Final = "mi_frente_seguro_incident"
# Fired instead of EVENT_INCIDENT for duress (silent) changes: ids only, no logbook line
# (docs/events.md; anything listening to it leaves traces every HA user can see).
EVENT_DURESS: Final = "mi_frente_seguro_duress"
# Fired when the police have not confirmed an alarm in time (docs/events.md).
EVENT_ESCALATION: Final = "mi_frente_seguro_escalation"
# A member suspended or reinstated (member_access.py): ids only, a logbook line.
EVENT_MEMBER: Final = "mi_frente_seguro_member"

# Dispatcher signals, one per front (formatted with the front id).
# Every stored incident change; None asks to read the book again (a new month began).
SIGNAL_INCIDENT: SignalTypeFormat[IncidentChange | None] = SignalTypeFormat(
    "mi_frente_seguro_incident_{}"
)
# The street kit's link, availability, siren or telemetry changed.
SIGNAL_KIT: SignalTypeFormat[()] = SignalTypeFormat("mi_frente_seguro_kit_{}")
# A physical press was stored, with the context its incident change carried.
SIGNAL_KIT_PRESS: SignalTypeFormat[PressMessage, Context] = SignalTypeFormat(
    "mi_frente_seguro_kit_press_{}"
)
# The police link changed (queue, reachability, the police's last status).
SIGNAL_POLICE: SignalTypeFormat[()] = SignalTypeFormat("mi_frente_seguro_police_{}")
# The front's cameras changed health (a stream stopped, or images flow again).
SIGNAL_CAMERAS: SignalTypeFormat[()] = SignalTypeFormat("mi_frente_seguro_cameras_{}")

# Actions (services.yaml).
SERVICE_TRIGGER: Final = "trigger"
SERVICE_CANCEL: Final = "cancel"
SERVICE_CLOSE: Final = "close"
SERVICE_POLICE_UPDATE: Final = "police_update"
SERVICE_NOTIFY_MEMBERS: Final = "notify_members"

ATTR_INCIDENT_ID: Final = "incident_id"
ATTR_KIND: Final = "kind"
ATTR_EMERGENCY: Final = "emergency"
ATTR_NOTE: Final = "note"
ATTR_REASON: Final = "reason"
ATTR_STATUS: Final = "status"
ATTR_UNIT: Final = "unit"
ATTR_ETA_MINUTES: Final = "eta_minutes"
ATTR_SOURCE: Final = "source"
ATTR_ON_BEHALF_OF: Final = "on_behalf_of"

# Who changed an incident when no HA user did (the ledger's own names).
BY_POLICE: Final = _BY_POLICE
BY_SYSTEM: Final = _BY_SYSTEM

# Config entry data: the MQTT broker of the street kit (empty host = no MQTT kit).
CONF_BROKER_HOST: Final = "broker_host"
CONF_BROKER_PORT: Final = "broker_port"
CONF_BROKER_USERNAME: Final = "broker_username"
CONF_BROKER_PASSWORD: Final = "broker_password"  # noqa: S105  (a key, not a secret)
CONF_BROKER_TLS: Final = "broker_tls"
CONF_TOPIC_BASE: Final = "topic_base"
DEFAULT_BROKER_PORT: Final = 1883

# Config entry options: how the kit behaves, and HA devices adopted as the kit.
CONF_SIREN_DURATION: Final = "siren_duration"
CONF_SIREN_TONE: Final = "siren_tone"
CONF_SIREN_PLAIN: Final = "siren_plain_payload"
CONF_KIT_KEEPALIVE: Final = "kit_keepalive"
CONF_TOPIC_OVERRIDES: Final = "topics"
CONF_ADOPTED_SIREN: Final = "adopted_siren"
CONF_ADOPTED_BUTTONS: Final = "adopted_buttons"
DEFAULT_SIREN_DURATION: Final = 180  # s
DEFAULT_SIREN_TONE: Final = "alarm"
DEFAULT_KIT_KEEPALIVE: Final = 60  # s; the kit's MQTT keepalive

# Members (integrantes): config subentries of type "member".
SUBENTRY_MEMBER: Final = "member"


class MemberField(StrEnum):
    """The keys of a member's subentry data."""

    PERSON = "person"  # person.* entity
    HOUSE = "house"
    PHONE = "phone"
    ROLE = "role"  # ROLE_COORDINATOR or ROLE_RESIDENT
    # The authorization to process their data (Ley 1581 de 2012, docs/privacidad.md):
    # the form's checkbox, and what is stored: when, and which privacy notice was shown.
    AUTHORIZED = "authorized"
    AUTHORIZATION = "authorization"
    # The PINs (scrypt hashes, frente/pins.py) and the suspension.
    PIN_HASH = "pin_hash"
    DURESS_PIN_HASH = "duress_pin_hash"
    SUSPENDED = "suspended"
    SUSPENSIONS = "suspensions"


ROLE_COORDINATOR: Final = "coordinator"
ROLE_RESIDENT: Final = "resident"
PRIVACY_NOTICE_VERSION: Final = "2026-12-02"  # change it with the notice's text
PRESS_COOLDOWN: Final = 30  # s: a user's presses this close together are repeats

# Options: the front's cameras and their evidence.
CONF_CAMERAS: Final = "cameras"
CONF_KEYFRAME_BUFFER: Final = "keyframe_buffer"
CONF_EVIDENCE_CLIP: Final = "evidence_clip"
CONF_RETENTION_DAYS: Final = "retention_days"
DEFAULT_RETENTION_DAYS: Final = 30
DRILL_RETENTION_DAYS: Final = 7
# Closed incidents (and the personal data in them) are deleted after this many days.
CONF_INCIDENT_RETENTION_DAYS: Final = "incident_retention_days"
DEFAULT_INCIDENT_RETENTION_DAYS: Final = 365
# The monthly drill reminder: day of the month (0: none), at DRILL_HOUR local time.
CONF_DRILL_DAY: Final = "drill_day"
DEFAULT_DRILL_DAY: Final = 1
# How long the person who pressed may cancel their own alarm (frente/cancels.py).
CONF_CANCEL_WINDOW: Final = "cancel_window"
DEFAULT_CANCEL_WINDOW: Final = 120
DRILL_HOUR: Final = 10
MIN_INCIDENT_RETENTION_DAYS: Final = 30  # the monthly and 30-day figures need them
MAX_INCIDENT_RETENTION_DAYS: Final = 3650
MAX_CAMERAS: Final = 4
# Bundles: <config>/mi_frente_seguro/evidence/<front>/<incident>/ (private, runtime/evidence).
EVIDENCE_FOLDER: Final = "evidence"
MEDIA_FOLDER: Final = DOMAIN  # where they were: under HA's local media (moved on start)
# A camera's own device and entity are "<front_id>-<camera_id>" (cam1..cam4).
CAMERA_IDS: Final = tuple(f"cam{n}" for n in range(1, MAX_CAMERAS + 1))

# Members' answers to the alarm notification (the companion app's actions).
EVENT_NOTIFICATION_ACTION: Final = "mobile_app_notification_action"


class PoliceField(StrEnum):
    """The police link's keys: a JSON/CAP destination's data, and the options' webhook."""

    URL = "police_url"
    FORMAT = "police_format"  # the police form's; a subentry's is its type
    SECRET = "police_secret"  # noqa: S105  (a key, not a secret)
    SECRET_PREVIOUS = "police_secret_previous"  # noqa: S105
    WEBHOOK_ID = "police_webhook_id"  # in the options: the status webhook back


CONF_ESCALATION_DELAY: Final = "escalation_delay"
# The city MQTT uplink (docs/city-uplink.md): an options sub-dictionary until destinations.
CONF_CITY_UPLINK: Final = "city_uplink"
DEFAULT_ESCALATION_DELAY: Final = 60  # s

# The actions of an alarm notification (frente/answers.py parses what comes back).
ACTION_PREFIX: Final = _ACTION_PREFIX
ACTION_ON_MY_WAY: Final = _ACTION_ON_MY_WAY
ACTION_FALSE_ALARM: Final = _ACTION_FALSE_ALARM

# Destinations: config subentries of the front's entry, one durable queue each
# (docs/police-api.md, docs/sia.md). The police link of before is the destination
# "police" (the entry's migration to 1.2 made it a subentry).
SUBENTRY_JSON: Final = "json"
SUBENTRY_CAP: Final = "cap"
SUBENTRY_SIA: Final = "sia"
SUBENTRY_PHONE: Final = "phone"
DESTINATION_TYPES: Final = (SUBENTRY_JSON, SUBENTRY_CAP, SUBENTRY_SIA, SUBENTRY_PHONE)
CONF_DESTINATION_ID: Final = "destination_id"
CONF_NAME_DESTINATION: Final = "destination_name"
FIRST_DESTINATION: Final = "police"
# The city broker (docs/city-uplink.md): a destination of its own when configured.
CITY_DESTINATION: Final = "city"


class SiaField(StrEnum):
    """The keys of an SIA DC-09 destination's subentry data."""

    HOST = "sia_host"
    PORT = "sia_port"
    PROTOCOL = "sia_protocol"
    ACCOUNT = "sia_account"
    KEY = "sia_key"
    KEY_FORMAT = "sia_key_format"  # "text" (pysiaalarm's) or "hex"
    CONTENT = "sia_content"
    LINK_TEST_INTERVAL = "sia_link_test_interval"


DEFAULT_SIA_LINK_TEST_INTERVAL: Final = 300  # s
CONF_PHONE_TARGET: Final = "phone_target"  # notify.* entity, or notify.* action

# The front gone deaf (docs/police-api.md, "Trouble messages"): the kit, a camera or the
# broker link down past the supervision time tells every destination and raises an issue.
SUPERVISION_FACTOR: Final = 1.5  # x the kit's keepalive: when the broker gives up on it
ISSUE_FRONT_DEAF: Final = "front_deaf_{}"  # translation key: kit, camera or link
ISSUE_FRONT_DEAF_ID: Final = "front_deaf_{}_{}"  # front id, device key

# Evidence for the police (docs/evidence.md, docs/police-api.md section 7): the HA system
# user whose refresh token signs the links the police pull, how long a link lasts, the
# largest still carried inline in CAP (<derefUri>), and the repair issue of a front with
# no external URL to build links on.
POLICE_EVIDENCE_USER: Final = "Mi Frente Seguro: police evidence links"
DATA_POLICE_EVIDENCE: Final = f"{DOMAIN}_police_evidence_token"
EVIDENCE_LINK_HOURS: Final = 24
CAP_INLINE_MAX_BYTES: Final = 48 * 1024
ISSUE_EVIDENCE_NO_URL: Final = "evidence_links_no_url"
