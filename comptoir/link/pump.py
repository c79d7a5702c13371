"""The outbox pump: rows of the on-disk outbox handed to paho within a window, deleted on their PUBACK.

A row leaves the outbox only when the broker acknowledged it (QoS 1), so an
outage or a kill loses nothing up to the outbox's bound. At most ``window``
rows are in paho's hands at a time; paho re-sends its unacknowledged ones
after a reconnect by itself, so a row is never handed twice within one
process (after a kill every remaining row goes again: at least once).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import paho.mqtt.client as paho

from comptoir.link.outbox import Outbox

log = logging.getLogger("comptoir.link")


class OutboxPump:
    """Moves ``outbox`` rows to the client that ``ready()`` returns (None: not now)."""

    def __init__(self, outbox: Outbox, window: int, ready: Callable[[], paho.Client | None], device: str) -> None:
        self.outbox = outbox
        self.device = device
        self.window = window
        self.ready = ready
        self.wake = asyncio.Event()
        self.drained = asyncio.Event()
        self.in_flight: dict[int, int] = {}  # paho mid -> outbox row id
        self.sent = 0
        self.acked = 0
        self._acked_rows: list[int] = []
        self._last_handed = 0

    def put(self, rows: list[tuple[str, bytes, bool]], counters: dict[str, int] | None) -> None:
        """Append rows (topic, payload, retain) in one transaction; a full outbox drops its oldest, and says so."""
        dropped = self.outbox.put_many(rows, counters=counters)
        if dropped:
            log.warning(
                "outbox full: dropped oldest messages",
                extra={"device": self.device, "dropped": dropped, "dropped_total": self.outbox.dropped},
            )
        self.drained.clear()
        self.wake.set()

    def acked_mid(self, mid: int) -> None:
        """The broker acknowledged paho's message ``mid`` (called in the event loop)."""
        row = self.in_flight.pop(mid, None)
        if row is not None:
            self._acked_rows.append(row)
            self.wake.set()

    def process_acks(self) -> None:
        if self._acked_rows:
            rows, self._acked_rows = self._acked_rows, []
            self.outbox.ack(rows)
            self.acked += len(rows)
        if len(self.outbox) == 0 and not self.in_flight:
            self.drained.set()

    async def flush(self, timeout: float | None = None) -> bool:
        """Wait until the broker has acknowledged everything in the outbox."""
        if len(self.outbox) == 0:
            return True
        self.wake.set()
        try:
            await asyncio.wait_for(self.drained.wait(), timeout)
        except TimeoutError:
            return len(self.outbox) == 0
        return True

    async def run(self) -> None:
        """Hand rows to paho within the window and delete acknowledged ones, until cancelled."""
        while True:
            await self.wake.wait()
            self.wake.clear()
            self.process_acks()
            client = self.ready()
            if client is None:
                continue
            room = self.window - len(self.in_flight)
            if room <= 0:
                continue
            batch = self.outbox.peek(self._last_handed, room)
            for row in batch:
                info = client.publish(row.topic, row.payload, qos=1, retain=row.retain)
                if info.rc not in (paho.MQTT_ERR_SUCCESS, paho.MQTT_ERR_NO_CONN):
                    log.warning("publish refused by the client", extra={"rc": info.rc, "topic": row.topic})
                    break
                self.in_flight[info.mid] = row.id
                self._last_handed = row.id
                self.sent += 1
            if len(batch) == room:
                self.wake.set()  # more may wait behind this batch
            await asyncio.sleep(0)
