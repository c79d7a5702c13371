"""Devices at the hub: one availability model, read from the retained ``device/<id>/status`` topics alone.

Each device's link writes its status (``comptoir/link/availability.py``):
``online`` while the agent is connected and the device behind it works,
``offline`` with the reason otherwise (the agent's Last Will, a clean
shutdown, or the agent's own words: a lost LLRP reader, a camera stream that
cannot be opened, a serial scale unplugged). The hub keeps, per device, the
state, since when (hub clock), and why, in the ``devices`` table, written in
ingest's transaction with the batch that changed it.

Data messages never change the state: a reader whose agent still sends
snapshots or departures is as offline as its status says. They do show that
the device is heard (``last_seen``, the ``device_silent`` alert) and carry
the sequence numbers whose gaps are counted as ``lost``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import astuple, dataclass
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from typing import Any

import sqlite_utils

from comptoir.contract import DeviceStatus, Message
from hub.alerts import Alerts
from hub.inventory.settings import SilenceSettings
from hub.timeutil import iso, ts

log = logging.getLogger("hub.devices")


class DeviceState(StrEnum):
    """What a device's status says (str-valued: the stored column and the API keep their words)."""

    ONLINE = "online"
    OFFLINE = "offline"
    UNKNOWN = "unknown"  # heard from, but no status yet


@dataclass
class Device:
    """One device as the hub sees it; the fields are the ``devices`` table's columns, in order."""

    device: str
    kind: str | None = None
    software: str | None = None
    state: DeviceState = DeviceState.UNKNOWN
    state_since: float | None = None
    reason: str | None = None  # why it is offline, as its status says; None while online
    last_seen: float | None = None
    connection: int | None = None  # the link's connection number of the status in force
    max_seq: int | None = None
    lost: int = 0
    dropped: int = 0
    messages: int = 0

    @property
    def online(self) -> bool:
        return self.state is DeviceState.ONLINE


COLUMNS = ", ".join(Device.__dataclass_fields__)


class DeviceBook:
    """Every device the hub has heard of. The caller (ingest) holds the transaction around :meth:`save`."""

    def __init__(self, db: sqlite_utils.Database, alerts: Alerts) -> None:
        self.db = db
        self.alerts = alerts
        self.devices: dict[str, Device] = {}

    def load(self) -> None:
        """Read the table again (at start, and after a failed transaction)."""
        devices = {}
        for row in self.db.execute(f"SELECT {COLUMNS} FROM devices"):
            dev = Device(*row)
            dev.state = DeviceState(dev.state)
            devices[dev.device] = dev
        self.devices = devices

    def save(self, devices: Iterable[Device]) -> None:
        rows = [astuple(d) for d in devices]
        if rows:
            marks = ",".join("?" * len(rows[0]))
            self.db.conn.executemany(f"INSERT OR REPLACE INTO devices ({COLUMNS}) VALUES ({marks})", rows)

    def retire(self, device: str, now: float) -> bool:
        """Forget a device taken out of the shop: its row, and the alerts about it end. The caller holds the
        transaction; False if unknown. A retired device that speaks again is a new device."""
        if self.devices.pop(device, None) is None:
            return False
        self.db.conn.execute("DELETE FROM devices WHERE device = ?", (device,))
        for kind in ("device_offline", "device_silent", "messages_lost"):
            self.alerts.clear(f"{kind}:{device}", now)
        log.info("device retired", extra={"device": device})
        return True

    def heard(self, message: Message, now: float) -> Device:
        """Account for one message from ``message.device``: its status, or data that shows it is heard."""
        dev = self.devices.get(message.device)
        if dev is None:
            dev = self.devices[message.device] = Device(message.device)
        dev.last_seen = now
        dev.messages += 1
        if isinstance(message, DeviceStatus):
            self._status(dev, message, now)
        else:
            self.alerts.device_heard(dev.device, now)
            self._sequence(dev, message.seq, now)
        return dev

    def _status(self, dev: Device, message: DeviceStatus, now: float) -> None:
        dev.kind, dev.software = message.kind, message.software
        if message.dropped is not None:
            dev.dropped = max(dev.dropped, message.dropped)
        if dev.connection is not None and message.seq < dev.connection:
            return  # an older connection's status, delivered late
        dev.connection = message.seq
        state = DeviceState(message.state)
        if dev.state != state:
            dev.state, dev.state_since = state, ts(message.time)
        if state is DeviceState.OFFLINE:
            dev.reason = message.reason
            self.alerts.device_offline(dev.device, dev.kind, message.reason, now)
        else:
            dev.reason = None
            self.alerts.device_online(dev.device, now)
            self.alerts.device_heard(dev.device, now)

    def _sequence(self, dev: Device, seq: int, now: float) -> None:
        """Gaps in a device's data sequence are messages lost upstream; a late one fills its gap."""
        if dev.max_seq is None or (seq == 1 and dev.max_seq > 1):
            dev.max_seq = seq  # first message seen, or the device started numbering again
        elif seq > dev.max_seq:
            gap = seq - dev.max_seq - 1
            if gap:
                dev.lost += gap
                self.alerts.messages_lost(dev.device, gap, now)
                log.warning("sequence gap", extra={"device": dev.device, "lost": gap, "seq": seq})
            dev.max_seq = seq
        elif dev.lost > 0:
            dev.lost -= 1
            self.alerts.messages_lost(dev.device, -1, now)

    def check_silent(self, now: float, rules: SilenceSettings, default_s: float, hub_id: str,
                     zone: tzinfo = UTC) -> None:
        """An online device that has said nothing for its kind's ``after_s`` (hub clock) gets a ``device_silent``
        alert, unless silence is normal for its kind (a till, a kiosk) or for the hour (a camera at night).

        A device that is really gone still raises ``device_offline`` from its status (Last Will, retained), which
        no silence rule mutes. Closing time does not end a silence alert already raised: the device clears it by
        speaking.
        """
        shop_open = rules.is_open(datetime.fromtimestamp(now, zone).time())
        for dev in self.devices.values():
            if dev.device == hub_id or not dev.online or dev.last_seen is None:
                continue
            rule = rules.rule(dev.kind, default_s)
            if rule.after_s is None or (rule.opening_hours_only and not shop_open):
                continue
            # counted in opening hours only, silence starts at the latest opening, not at last night's message
            since = max(dev.last_seen, rules.last_opening(now, zone)) if rule.opening_hours_only else dev.last_seen
            if now - since > rule.after_s:
                self.alerts.device_silent(dev.device, dev.kind, rule.after_s, now)


def model_version(software: str | None) -> str | None:
    """The detector a camera counts with, as its status's ``software`` says it (``comptoir 0.1.0 model=v2``)."""
    if not software or " model=" not in software:
        return None
    return software.rsplit(" model=", 1)[1].split()[0] or None


# How a device looks in JSON: the API answers it and ingest publishes it on the live stream in this shape.
def device_view(dev: Device) -> dict[str, Any]:
    return {
        "device": dev.device,
        "kind": dev.kind,
        "software": dev.software,
        "model": model_version(dev.software),
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
