"""The cameras form: up to four cameras, each checked for a frame, and evidence options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import probatio

from homeassistant import data_entry_flow
from homeassistant.core import HomeAssistant
from homeassistant.helpers import selector
from homeassistant.util import dt as dt_util

from ..const import (
    CAMERA_IDS,
    CONF_CAMERAS,
    CONF_EVIDENCE_CLIP,
    CONF_INCIDENT_RETENTION_DAYS,
    CONF_KEYFRAME_BUFFER,
    CONF_RETENTION_DAYS,
    DEFAULT_INCIDENT_RETENTION_DAYS,
    DEFAULT_RETENTION_DAYS,
    MAX_INCIDENT_RETENTION_DAYS,
    MIN_INCIDENT_RETENTION_DAYS,
)
from ..frente.evidence import CameraDownError, CameraSource, StillCamera
from ..frente.text import text_problem
from .fields import BOOLEAN, TEXT, URL, number_box, required, url_problem

SLOTS = CAMERA_IDS
SCHEMES = ("rtsp", "rtsps", "http", "https")
CHECK_TIMEOUT = 15.0  # s for the first frame when saving


def cameras_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
    """Return the form: one collapsible section per camera slot, then evidence options."""
    stored = {item["camera_id"]: item for item in defaults.get(CONF_CAMERAS, [])}
    fields: dict[Any, Any] = {}
    for slot in SLOTS:
        current = defaults.get(slot) or stored.get(slot) or {}
        fields[probatio.Required(slot)] = data_entry_flow.section(
            probatio.Schema(
                {
                    # Suggested, not default: a field the user clears stays cleared.
                    probatio.Optional(
                        "name", description={"suggested_value": current.get("name")}
                    ): TEXT,
                    probatio.Optional(
                        "url", description={"suggested_value": current.get("url")}
                    ): URL,
                    probatio.Optional(
                        "entity_id",
                        description={"suggested_value": current.get("entity_id")},
                    ): selector.EntitySelector(
                        selector.EntitySelectorConfig(domain="camera")
                    ),
                }
            ),
            {"collapsed": not current},
        )
    fields |= {
        required(CONF_KEYFRAME_BUFFER, defaults, True): BOOLEAN,
        required(CONF_EVIDENCE_CLIP, defaults, True): BOOLEAN,
        required(CONF_RETENTION_DAYS, defaults, DEFAULT_RETENTION_DAYS): number_box(
            1, 365, "d"
        ),
        required(
            CONF_INCIDENT_RETENTION_DAYS, defaults, DEFAULT_INCIDENT_RETENTION_DAYS
        ): number_box(MIN_INCIDENT_RETENTION_DAYS, MAX_INCIDENT_RETENTION_DAYS, "d"),
    }
    return probatio.Schema(fields)


async def async_validate_cameras(
    hass: HomeAssistant, user_input: Mapping[str, Any], ffmpeg_binary: str
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """Check each camera answers with a frame; return (options, errors, placeholders)."""
    errors: dict[str, str] = {}
    reasons: list[str] = []
    cameras = []
    for slot in SLOTS:
        section = user_input.get(slot) or {}
        url = str(section.get("url") or "").strip()
        entity_id = section.get("entity_id") or None
        if not url and not entity_id:
            continue
        name = str(section.get("name") or "").strip() or slot
        if text_problem(name) is not None:
            errors[slot] = "invalid_text"
            continue
        if url:
            if url_problem(url, SCHEMES):
                errors[slot] = "invalid_url"
                continue
            still = StillCamera(
                CameraSource(slot, url, name),
                clock=dt_util.now,
                ffmpeg_binary=ffmpeg_binary,
                timeout=CHECK_TIMEOUT,
            )
            try:
                await still.snapshot()
            except CameraDownError as err:
                errors[slot] = "no_frame"
                reasons.append(f"{name}: {err.reason}")
                continue
        elif hass.states.get(str(entity_id)) is None:
            errors[slot] = "unknown_camera"
            continue
        cameras.append(
            {"camera_id": slot, "name": name, "url": url, "entity_id": entity_id}
        )
    options = {
        CONF_CAMERAS: cameras,
        CONF_KEYFRAME_BUFFER: bool(user_input.get(CONF_KEYFRAME_BUFFER, True)),
        CONF_EVIDENCE_CLIP: bool(user_input.get(CONF_EVIDENCE_CLIP, True)),
        CONF_RETENTION_DAYS: int(
            user_input.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS)
        ),
        CONF_INCIDENT_RETENTION_DAYS: int(
            user_input.get(
                CONF_INCIDENT_RETENTION_DAYS, DEFAULT_INCIDENT_RETENTION_DAYS
            )
        ),
    }
    return options, errors, {"reasons": "; ".join(reasons) or "-"}
