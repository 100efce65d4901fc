"""The incident's map: what it draws, and which tile server the page may load from.

Leaflet is bundled (``web/static/vendor/leaflet``, from npm by ``consola/vendor-leaflet``).
Tiles are optional and configurable (``--tiles``); with none, or when they cannot be
loaded (no internet), the page draws the front's area and each sender's position on a plain
grid with a scale: positions are never lost for lack of a map.
"""

from __future__ import annotations

import re
from typing import Any, Final
from urllib.parse import urlsplit

from . import texto

_HOST: Final = re.compile(r"(\{s\}\.)?[a-z0-9.-]+(:[0-9]{1,5})?")
_SAFE: Final = re.compile(r"[A-Za-z0-9._~:/?#@!$&()*+,;=%{}\-]+")


def tiles_source(url: str) -> str | None:
    """Return the CSP source for a tile URL template (``https://*.host`` for ``{s}.``).

    The template is ``http(s)://host/.../{z}/{x}/{y}...``; anything else is None.
    """
    if not url or len(url) > 300 or not _SAFE.fullmatch(url) or "'" in url:
        return None
    if not all(part in url for part in ("{z}", "{x}", "{y}")):
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not _HOST.fullmatch(
        parts.netloc.lower()
    ):
        return None
    host = parts.netloc.lower()
    if host.startswith("{s}."):
        host = "*." + host.removeprefix("{s}.")
    return f"{parts.scheme}://{host}"


def valid_attribution(value: str) -> str | None:
    """Return the tile attribution (plain one-line text) or None."""
    return texto.line(value, max_len=200)


def map_data(
    body: dict[str, Any], senders: list[dict[str, Any]], labels: dict[str, str]
) -> dict[str, Any]:
    """Return the points the page draws: the front (with its radius) and located senders."""
    front = body.get("front") if isinstance(body.get("front"), dict) else {}
    assert isinstance(front, dict)
    lat, lon, radius = front.get("lat"), front.get("lon"), front.get("radius_m")
    place = None
    if _number(lat) and _number(lon):
        place = {"lat": lat, "lon": lon, "radius_m": radius if _number(radius) else 0,
                 "label": labels["front"]}  # fmt: skip
    located = [
        {"lat": s["lat"], "lon": s["lon"], "accuracy_m": s["accuracy_m"] or 0,
         "label": labels["sender"].format(name=s["name"] or s["device"] or "?",
                                          house=s["house"] or "—")}
        for s in senders
        if s["lat"] is not None and s["lon"] is not None
    ]  # fmt: skip
    return {"front": place, "senders": located}


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
