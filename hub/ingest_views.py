"""How ingest's records look to the API and the live stream: alerts, alert changes, devices."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hub.timeutil import iso

if TYPE_CHECKING:
    from hub.alerts import Change
    from hub.devices import Device


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


def device_view(dev: Device) -> dict[str, Any]:
    return {
        "device": dev.device,
        "kind": dev.kind,
        "software": dev.software,
        "state": dev.state,
        "state_since": iso(dev.state_since),
        "reason": dev.reason,
        "last_seen": iso(dev.last_seen),
        "connection": dev.connection,
        "last_seq": dev.max_seq,
        "lost": dev.lost,
        "dropped": dev.dropped,
        "messages": dev.messages,
    }
