"""How an alert looks in JSON, for the API and the live stream.

A leaf: it imports nothing of the web app, so ingest (below every router)
publishes alert changes on the event bus in the very shape the API answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hub.timeutil import iso

if TYPE_CHECKING:
    from hub.alerts import Change


def alert_view(alert: Any) -> dict[str, Any]:
    return {
        "id": alert.id,
        "alert_id": alert.alert_id,
        "kind": alert.kind,
        "state": alert.state,
        "severity": alert.severity,
        "text": alert.text,
        "gtin": alert.gtin,
        "epc": alert.epc,
        "slot": alert.slot,
        "device": alert.device,
        "quantity": alert.quantity,
        "raised_at": iso(alert.raised_at),
        "updated_at": iso(alert.updated_at),
        "resolved_at": iso(alert.resolved_at),
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": iso(alert.acknowledged_at),
    }


def alert_event(change: Change) -> dict[str, Any]:
    return {"change": change.change, **alert_view(change.alert)}
