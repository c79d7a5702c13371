"""What a link says on its device's retained ``device/<id>/status`` topic, and nobody else says there.

One topic, one writer, one meaning. The status is ``online`` when the agent
is connected *and* the device behind it (an LLRP reader, a camera stream, a
serial scale) works, as the agent last told the link with
:meth:`MqttLink.device_up` / :meth:`MqttLink.device_down`; otherwise
``offline`` with the reason:

* ``connection lost``: the agent itself is gone (the Last Will, set by the
  broker);
* ``shutdown``: the agent stopped cleanly;
* the agent's own words when the device behind it is down ("reader: no
  report nor keepalive for 30 s", "stream: cannot open stream", "serial
  port lost").

The status is state, not data: the link publishes it directly (retained,
QoS 1) at every connect and at every change while connected, never through
the outbox. A status queued there would wait behind a backlog, and one left
in the outbox by a killed process would be delivered after the next
process's birth, overwriting the retained truth with an old one. A change
made while disconnected is carried by the next connect's status.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from comptoir.contract import DeviceStatus

log = logging.getLogger("comptoir.link")

#: The contract's longest label; a longer reason is cut, never refused.
REASON_CHARS = 200
SHUTDOWN = "shutdown"
CONNECTION_LOST = "connection lost"


@dataclass(frozen=True, slots=True)
class DeviceHealth:
    """The device behind the agent, as the agent last said: working or not, and why not."""

    up: bool
    reason: str | None


class Availability:
    """The device state a link keeps, and the status messages it makes of it."""

    def __init__(self, device: str, kind: str, software: str) -> None:
        self.device = device
        self.kind = kind
        self.software = software
        self.health = DeviceHealth(True, None)  # a plain link (a till, the hub) has nothing behind it

    def set(self, up: bool, reason: str | None) -> bool:
        """Record what the agent says; True when it changes what the status says."""
        if up:
            reason = None
        elif not reason or not reason.strip():
            raise ValueError("a device that is down needs a reason (what failed), for the staff who read it")
        else:
            reason = reason.strip()[:REASON_CHARS]
        if self.health == DeviceHealth(up, reason):
            return False
        self.health = DeviceHealth(up, reason)
        if up:
            log.info("device up", extra={"device": self.device})
        else:
            log.warning("device down", extra={"device": self.device, "reason": reason})
        return True

    def status(
        self, *, session: int, now: datetime, last_seq: int, dropped: int, agent_reason: str | None = None
    ) -> DeviceStatus:
        """The status to publish: ``agent_reason`` (shutdown, connection lost) overrides the device's own."""
        health = self.health
        if agent_reason is not None:
            state, reason = "offline", agent_reason
        elif health.up:
            state, reason = "online", None
        else:
            state, reason = "offline", health.reason
        return DeviceStatus.create(
            device=self.device,
            seq=session,
            time=now,
            state=state,
            kind=self.kind,
            software=self.software,
            reason=reason,
            last_seq=last_seq,
            dropped=dropped,
        )
