"""What the police console's page shows of an alert: one plain view for JSON and CAP."""

from __future__ import annotations

from typing import Any

from .alerts import CapAlert, Json, as_text


def _texts(source: Json, *keys: str) -> dict[str, str]:
    """Return ``source``'s text fields ``keys`` ("" where missing or not text)."""
    return {key: as_text(source.get(key)) for key in keys}


def _joined(*values: object) -> str:
    """Return the text values, space-separated, leaving out the missing or empty ones."""
    return " ".join(text for value in values if (text := as_text(value)))


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _obj(value: object) -> Json:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def map_url(lat: float, lon: float) -> str:
    """Return an OpenStreetMap link to a point (a link only: nothing is fetched)."""
    return f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=18/{lat:.6f}/{lon:.6f}"


def _location(
    lat: float | None, lon: float | None, accuracy: float | None
) -> Json | None:
    if lat is None or lon is None:
        return None
    return {
        "lat": lat,
        "lon": lon,
        "accuracy_m": accuracy,
        "map_url": map_url(lat, lon),
    }


def json_view(body: Json) -> Json:
    """Return what the page shows of a JSON police message."""
    front = _obj(body.get("front"))
    cuadrante = _obj(front.get("cuadrante"))
    coordinator = _obj(front.get("coordinator"))
    senders = []
    for press in _list(body.get("presses")):
        press_obj = _obj(press)
        sender = _obj(press_obj.get("sender"))
        where = _obj(press_obj.get("location"))
        location = _location(
            _number(where.get("lat")),
            _number(where.get("lon")),
            _number(where.get("accuracy_m")),
        )
        if location is not None:
            location["distance_m"] = _number(where.get("distance_m"))
            location["outside_area"] = where.get("outside_area") is True
        senders.append(
            {
                "name": as_text(sender.get("name"))
                or (
                    f"botón {device}"
                    if (device := as_text(sender.get("device")))
                    else ""
                ),
                **_texts(sender, "house", "phone"),
                **_texts(press_obj, "at", "kind", "note"),
                "location": location,
            }
        )
    evidence = [
        _texts(item, "camera", "url", "kind", "mime_type", "captured_at", "sha256")
        for item in map(_obj, _list(body.get("evidence")))
    ]
    front_lat, front_lon = _number(front.get("lat")), _number(front.get("lon"))
    return {
        "front": {
            **_texts(front, "id", "name", "barrio", "address"),
            "cuadrante": _joined(cuadrante.get("code"), cuadrante.get("name")),
            "coordinator": _joined(coordinator.get("name"), coordinator.get("phone")),
            "location": _location(front_lat, front_lon, _number(front.get("radius_m"))),
        },
        "kind": as_text(body.get("kind")),
        "exercise": body.get("exercise") is True,
        **_texts(body, "state", "source", "note", "opened_at", "sent_at"),
        "senders": senders,
        "evidence": evidence,
        "cancel": _obj(body.get("cancel")) or None,
        "close": _obj(body.get("close")) or None,
        "description": "",
        "cap": None,
    }


def cap_view(cap: CapAlert) -> Json:
    """Return what the page shows of a CAP 1.2 alert."""
    front_area = cap.areas[0] if cap.areas else ("", None, None)
    senders = [
        {
            "name": desc.removeprefix("Ubicación de ").split(" (")[0],
            "house": "",
            "phone": "",
            "at": "",
            "kind": "",
            "note": "",
            "location": _location(lat, lon, None),
        }
        for desc, lat, lon in cap.areas[1:]
    ]
    evidence = [
        {
            "camera": resource.get("resourceDesc", ""),
            "url": resource.get("uri", ""),
            "kind": "",
            "mime_type": resource.get("mimeType", ""),
            "captured_at": "",
            "sha256": "",
        }
        for resource in cap.resources
    ]
    return {
        "front": {
            "id": cap.sender.removeprefix("mi-frente-seguro:"),
            "name": cap.sender_name.removeprefix("Frente de seguridad "),
            "barrio": front_area[0].split(",")[0],
            "address": front_area[0],
            "cuadrante": cap.addresses,
            "coordinator": cap.contact,
            "location": _location(front_area[1], front_area[2], None),
        },
        "kind": cap.parameters.get("kind", ""),
        "exercise": cap.status == "Exercise",
        "state": cap.parameters.get("state", ""),
        "source": "",
        "note": cap.note,
        "opened_at": "",
        "sent_at": cap.sent,
        "senders": senders,
        "evidence": evidence,
        "cancel": None,
        "close": None,
        "description": cap.description,
        "cap": {"identifier": cap.identifier, "msg_type": cap.msg_type, "raw": cap.raw},
    }
