"""The police console's page: incidents and rejected requests as Spanish HTML."""

from __future__ import annotations

import html
from typing import Final
from urllib.parse import quote, urlsplit

from .alerts import Json

e = html.escape


def _link(url: str, label: str) -> str:
    """Return a link for http(s) URLs, plain text for anything else (e.g. media-source)."""
    if urlsplit(url).scheme in ("http", "https"):
        return f'<a href="{e(url)}" target="_blank" rel="noopener noreferrer">{e(label)}</a>'
    return f"<code>{e(url)}</code>"


def _where(location: Json | None) -> str:
    if not location:
        return "sin ubicación"
    text = f"{location['lat']:.6f}, {location['lon']:.6f}"
    if location.get("accuracy_m") is not None:
        text += f" (±{location['accuracy_m']:.0f} m)"
    extra = " — fuera del área" if location.get("outside_area") else ""
    return f"{_link(location['map_url'], text)} {e(extra)}"


def _status_line(update: Json | None) -> str:
    if update is None:
        return "—"
    parts = [e(update["status_label"])]
    if update.get("unit"):
        parts.append(f"unidad {e(update['unit'])}")
    if update.get("eta_minutes") is not None:
        parts.append(f"ETA {update['eta_minutes']} min")
    if update.get("note"):
        parts.append(f"«{e(update['note'])}»")
    if update["http_status"] is not None:
        css = "ok" if update["ok"] else "bad"
        answer = f'<span class="{css}">HTTP {update["http_status"]}</span> {e(update["answer"])}'
    else:
        answer = f'<span class="bad">{e(update["error"])}</span>'
    return f"{', '.join(parts)} — {e(update['sent_at'])} → {answer}"


def _buttons(incident_id: str) -> str:
    action = f"/api/incidents/{e(quote(incident_id, safe=''))}/status"

    def form(status: str, label: str, inputs: str = "") -> str:
        return (
            f'<form method="post" action="{action}">'
            f'<input type="hidden" name="status" value="{status}">{inputs}'
            f"<button>{label}</button></form>"
        )

    return (
        '<div class="actions">'
        + form("received", "Recibido")
        + form(
            "dispatched",
            "Despachar",
            '<input name="unit" maxlength="40" placeholder="Unidad" size="10">'
            '<input name="eta_minutes" type="number" min="0" max="240" placeholder="ETA (min)" style="width:6em">',
        )
        + form("on_scene", "En el sitio")
        + form(
            "closed",
            "Cerrar",
            '<input name="note" maxlength="500" placeholder="Nota" size="20">',
        )
        + "</div>"
    )


def render_incident(incident: Json, front_webhook: str | None) -> str:
    """Return one incident as an HTML card."""
    front = incident["front"]
    badge = '<span class="badge">EJERCICIO</span>' if incident["exercise"] else ""
    silent = (
        '<p class="warn">Pánico silencioso: posible coacción, no llame abiertamente a quien lo activó.</p>'
        if incident["kind"] == "silent"
        else ""
    )
    senders = "".join(
        f"<li>{e(s['name'] or '(sin nombre)')}, casa {e(s['house'] or '—')}, "
        f"tel. {e(s['phone'] or '—')} — {_where(s['location'])}"
        + (f" — «{e(s['note'])}»" if s["note"] else "")
        + (f" <small>{e(s['at'])}</small>" if s["at"] else "")
        + "</li>"
        for s in incident["senders"]
    )
    evidence = "".join(
        f"<li>{e(item['camera'] or item['kind'] or 'evidencia')} "
        f"{_link(item['url'], item['mime_type'] or 'abrir')} "
        f"<small>{e(item['captured_at'])}</small></li>"
        for item in incident["evidence"]
        if item["url"]
    )
    messages = ", ".join(
        f"{e(m['type'])} ({e(m['format'])}, {e(m['received_at'])})"
        for m in incident["messages"]
    )
    cap = incident["cap"]
    cap_html = (
        f"<details><summary>CAP {e(cap['identifier'])}</summary><pre>{e(cap['raw'])}</pre></details>"
        if cap
        else ""
    )
    front_place = _where(front["location"]) if front["location"] else ""
    closing = ""
    if incident["cancel"]:
        closing = f"<p>Cancelado: {e(str(incident['cancel'].get('reason', '')))} ({e(str(incident['cancel'].get('by_name', '')))})</p>"
    elif incident["close"]:
        closing = (
            f"<p>Cerrado por el frente: {e(str(incident['close'].get('note', '')))}</p>"
        )
    buttons = (
        _buttons(incident["incident_id"])
        if front_webhook
        else "<p><small>Sin --front-webhook: no se pueden enviar estados.</small></p>"
    )
    return (
        f'<article class="incident kind-{e(incident["kind"])}" id="i-{e(quote(incident["incident_id"], safe=""))}">'
        f"<h2>{e(front['name'] or front['id'])} {badge}</h2>"
        f"<p><b>Barrio:</b> {e(front['barrio'])} — <b>Dirección:</b> {e(front['address'])} {front_place}<br>"
        f"<b>Cuadrante:</b> {e(front['cuadrante'])} — <b>Coordinador:</b> {e(front['coordinator'])}<br>"
        f"<b>Tipo:</b> {e(incident['kind_label'])} — <b>Estado:</b> {e(incident['state_label'])}"
        f" — <b>Incidente:</b> <code>{e(incident['incident_id'])}</code><br>"
        f"<b>Abierto:</b> {e(incident['opened_at'] or '—')} — <b>Recibido:</b> {e(incident['received_at'])}"
        f" — <b>Actualizado:</b> {e(incident['updated_at'])}</p>"
        f"{silent}"
        + (f"<p><b>Nota:</b> {e(incident['note'])}</p>" if incident["note"] else "")
        + f"<h3>Remitentes</h3><ul>{senders or '<li>—</li>'}</ul>"
        f"<h3>Evidencia</h3><ul>{evidence or '<li>sin evidencia</li>'}</ul>"
        + (
            f"<pre>{e(incident['description'])}</pre>"
            if incident["description"]
            else ""
        )
        + f"{closing}{cap_html}"
        f"<p><b>Último estado enviado:</b> {_status_line(incident['latest_status'])}</p>"
        f"{buttons}<p><small>Mensajes: {messages}</small></p></article>"
    )


def render_incidents(incidents: list[Json], front_webhook: str | None) -> str:
    """Return the incident list as HTML."""
    if not incidents:
        return "<p>Sin incidentes todavía.</p>"
    return "".join(render_incident(incident, front_webhook) for incident in incidents)


def render_rejected(rejected: list[Json]) -> str:
    """Return the rejected requests as an HTML list."""
    if not rejected:
        return "<p>Ninguno.</p>"
    return (
        "<ul>"
        + "".join(
            f"<li>{e(item['at'])} — HTTP {item['status']} {e(item['reason_label'])}"
            f" — webhook-id <code>{e(item['webhook_id'] or '—')}</code>"
            f" — {e(item['remote'])}, {item['size']} bytes — <small>{e(item['detail'])}</small></li>"
            for item in rejected
        )
        + "</ul>"
    )


_SCRIPT: Final = """
let version = %d;
async function refresh() {
  try {
    const answer = await fetch('/api/incidents?view=html');
    const data = await answer.json();
    const typing = document.activeElement && document.activeElement.closest('form');
    if (data.version === version || typing) return;
    version = data.version;
    document.getElementById('incidents').innerHTML = data.html.incidents;
    document.getElementById('rejected').innerHTML = data.html.rejected;
  } catch (err) {}
}
setInterval(refresh, 2000);
"""


def render_page(data: Json, front_webhook: str | None) -> str:
    """Return the whole page (Spanish)."""
    webhook = e(front_webhook) if front_webhook else "sin configurar"
    return f"""<!DOCTYPE html>
<html lang="es"><head><meta charset="utf-8">
<title>Consola policial — Mi Frente Seguro</title>
<style>
body {{ font-family: sans-serif; margin: 1em; max-width: 70em; }}
.incident {{ border: 1px solid #999; border-radius: 6px; padding: .5em 1em; margin: 1em 0; }}
.kind-panic {{ border-left: 8px solid #c00; }} .kind-silent {{ border-left: 8px solid #800080; }}
.kind-drill {{ border-left: 8px solid #888; }}
.badge {{ background: #ffb300; color: #000; padding: 0 .4em; border-radius: 4px; font-size: .7em; }}
.warn {{ color: #800080; font-weight: bold; }} .ok {{ color: #070; }} .bad {{ color: #c00; }}
.actions form {{ display: inline-block; margin-right: 1em; }}
pre {{ white-space: pre-wrap; background: #f4f4f4; padding: .5em; }}
</style></head><body>
<h1>Consola policial de referencia — Mi Frente Seguro</h1>
<p>Alertas en <code>POST /alerts</code> (firmas Standard Webhooks verificadas).
Webhook de estado del frente: <code>{webhook}</code>. Se actualiza cada 2 s.</p>
<h2>Incidentes</h2>
<div id="incidents">{render_incidents(data["incidents"], front_webhook)}</div>
<h2>Rechazados</h2>
<div id="rejected">{render_rejected(data["rejected"])}</div>
<script>{_SCRIPT % data["version"]}</script>
</body></html>
"""
