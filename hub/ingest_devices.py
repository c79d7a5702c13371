"""Device health as ingest sees it: state from status messages and data, sequence gaps, silence.

:class:`DeviceBook` keeps one :class:`Device` per device id heard of, and
raises or resolves the device alerts (``device_offline``, ``device_silent``,
``messages_lost``) as messages arrive and time passes; ingest writes the
touched rows in the batch's transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from comptoir.contract import DeviceStatus, Message
from hub.alerts import Alerts
from hub.timeutil import ts

log = logging.getLogger("hub.ingest")


@dataclass
class Device:
    device: str
    kind: str | None = None
    software: str | None = None
    state: str = "unknown"
    state_since: float | None = None
    last_seen: float | None = None
    connection: int | None = None
    max_seq: int | None = None
    lost: int = 0
    dropped: int = 0
    messages: int = 0

    def row(self) -> tuple[Any, ...]:
        return (self.device, self.kind, self.software, self.state, self.state_since, self.last_seen, self.connection,
                self.max_seq, self.lost, self.dropped, self.messages)


class DeviceBook:
    def __init__(self, db: sqlite_utils.Database, alerts: Alerts) -> None:
        self.db = db
        self.alerts = alerts
        self.devices: dict[str, Device] = {}

    def load(self) -> None:
        self.devices = {
            row[0]: Device(*row)
            for row in self.db.execute(
                "SELECT device, kind, software, state, state_since, last_seen, connection, max_seq, lost, dropped, "
                "messages FROM devices"
            )
        }

    def write(self, touched: dict[str, Device]) -> None:
        """Write the touched devices' rows; the caller holds the transaction."""
        if touched:
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO devices (device, kind, software, state, state_since, last_seen, "
                "connection, max_seq, lost, dropped, messages) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [d.row() for d in touched.values()],
            )

    def track(self, message: Message, now: float) -> Device:
        """Note a message from its device: its state, its sequence number, its alerts."""
        dev = self.devices.get(message.device)
        if dev is None:
            dev = self.devices[message.device] = Device(message.device)
        dev.last_seen = now
        dev.messages += 1
        alerts = self.alerts
        if isinstance(message, DeviceStatus):
            dev.kind, dev.software = message.kind, message.software
            if message.dropped is not None:
                dev.dropped = max(dev.dropped, message.dropped)
            if dev.connection is not None and message.seq < dev.connection:
                return dev  # an older connection's status, delivered late
            dev.connection = message.seq
            if dev.state != message.state:
                dev.state, dev.state_since = message.state, ts(message.time)
            if message.state == "offline":
                alerts.device_offline(dev.device, dev.kind, message.reason, now)
            else:
                alerts.device_online(dev.device, now)
                alerts.device_heard(dev.device, now)
            return dev
        if dev.state != "online":
            dev.state, dev.state_since = "online", now  # data proves it is up, status or not
            alerts.device_online(dev.device, now)
        alerts.device_heard(dev.device, now)
        seq = message.seq
        if dev.max_seq is None or (seq == 1 and dev.max_seq > 1):
            dev.max_seq = seq  # first message seen, or the device started numbering again
        elif seq > dev.max_seq:
            gap = seq - dev.max_seq - 1
            if gap:
                dev.lost += gap
                alerts.messages_lost(dev.device, gap, now)
                log.warning("sequence gap", extra={"device": dev.device, "lost": gap, "seq": seq})
            dev.max_seq = seq
        elif dev.lost > 0:
            dev.lost -= 1  # a late message fills a gap
            alerts.messages_lost(dev.device, -1, now)
        return dev

    def check_silence(self, now: float, limit: float, hub_id: str) -> None:
        """Raise ``device_silent`` for online devices quiet for over ``limit``; the caller holds the transaction."""
        for dev in self.devices.values():
            if dev.device == hub_id:
                continue
            if dev.state == "online" and dev.last_seen is not None and now - dev.last_seen > limit:
                self.alerts.device_silent(dev.device, dev.kind, limit, now)
