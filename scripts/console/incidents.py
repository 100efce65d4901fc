"""What the police console keeps: incidents, the status updates it sent, rejected requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from .alerts import Alert, Json
from .views import cap_view, json_view

KIND_LABELS: Final = {"panic": "pánico", "silent": "silencioso", "drill": "simulacro"}
STATE_LABELS: Final = {
    "triggered": "activada",
    "sent": "enviada",
    "received": "recibida",
    "dispatched": "despachada",
    "on_scene": "en el sitio",
    "closed": "cerrada",
    "cancelled": "cancelada",
}
STATUS_LABELS: Final = {
    "received": "Recibido",
    "dispatched": "Despachado",
    "on_scene": "En el sitio",
    "closed": "Cerrado",
}
REASON_LABELS: Final = {
    "unsigned": "sin firma",
    "forged": "firma falsa",
    "stale": "fuera de la ventana de tiempo",
    "malformed": "mal formado",
}


@dataclass(slots=True)
class StatusUpdate:
    """One status update sent to the front, with the front's answer."""

    webhook_id: str
    status: str
    body: Json
    sent_at: datetime
    http_status: int | None = None
    answer: str = ""
    error: str = ""

    def view(self) -> Json:
        """Return it as JSON for the page and the tests."""
        return {
            "webhook_id": self.webhook_id,
            "status": self.status,
            "status_label": STATUS_LABELS.get(self.status, self.status),
            "unit": self.body.get("unit"),
            "eta_minutes": self.body.get("eta_minutes"),
            "note": self.body.get("note"),
            "sent_at": self.sent_at.astimezone().isoformat(timespec="seconds"),
            "http_status": self.http_status,
            "answer": self.answer,
            "error": self.error,
            "ok": self.http_status is not None and 200 <= self.http_status < 300,
        }


@dataclass(frozen=True, slots=True)
class Rejected:
    """One refused request to ``/alerts``."""

    at: datetime
    reason: str
    status: int
    webhook_id: str
    remote: str
    content_type: str
    size: int
    detail: str

    def view(self) -> Json:
        """Return it as JSON for the page and the tests."""
        return {
            "at": self.at.astimezone().isoformat(timespec="seconds"),
            "reason": self.reason,
            "reason_label": REASON_LABELS.get(self.reason, self.reason),
            "status": self.status,
            "webhook_id": self.webhook_id,
            "remote": self.remote,
            "content_type": self.content_type,
            "size": self.size,
            "detail": self.detail,
        }


@dataclass(slots=True)
class Incident:
    """An incident as the police see it: every message received, every update sent."""

    incident_id: str
    alerts: list[Alert] = field(default_factory=list)
    status_updates: list[StatusUpdate] = field(default_factory=list)

    @property
    def updated_at(self) -> datetime:
        """Return when the last message arrived."""
        return self.alerts[-1].received_at

    def view(self) -> Json:
        """Return what the page shows, from the latest message (each carries it all)."""
        latest = self.alerts[-1]
        if latest.body is not None:
            view = json_view(latest.body)
        else:
            assert latest.cap is not None
            view = cap_view(latest.cap)
        kind = str(view["kind"])
        state = str(view["state"])
        view.update(
            incident_id=self.incident_id,
            format=latest.format,
            type=latest.type,
            kind_label=KIND_LABELS.get(kind, kind),
            state_label=STATE_LABELS.get(state, state),
            received_at=self.alerts[0]
            .received_at.astimezone()
            .isoformat(timespec="seconds"),
            updated_at=self.updated_at.astimezone().isoformat(timespec="seconds"),
            messages=[
                {
                    "webhook_id": alert.webhook_id,
                    "type": alert.type,
                    "format": alert.format,
                    "received_at": alert.received_at.astimezone().isoformat(
                        timespec="seconds"
                    ),
                }
                for alert in self.alerts
            ],
            status_updates=[update.view() for update in self.status_updates],
            latest_status=(
                self.status_updates[-1].view() if self.status_updates else None
            ),
        )
        return view
