"""How a device's health looks in JSON, for the API and the live stream.

A leaf: it imports nothing of the web app, so ingest (below every router)
publishes device changes on the event bus in the very shape the API answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hub.timeutil import iso

if TYPE_CHECKING:
    from hub.devices import Device


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
