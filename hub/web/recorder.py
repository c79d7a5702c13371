"""What the dashboard remembers beyond the hub's current state: stock over time and device message rates.

It listens to the hub's event bus for the life of the process (started by
the hub service): each ``inventory`` event whose figures differ from the
last ones recorded for that SKU adds a row to ``stock_history``; every
few seconds each device's message count is sampled, and its rate per
minute is derived over a sliding window of shop time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from typing import Any

from hub.timeutil import ts

log = logging.getLogger("hub.web.recorder")


class DashboardRecorder:
    """Parameters: ``rate_window_s`` (shop seconds a device's rate is averaged over),
    ``sample_every_s`` (real seconds between two samples of the devices' message counts) and
    ``max_batch`` (events written in one transaction)."""

    def __init__(self, hub: Any, rate_window_s: float = 300.0, sample_every_s: float = 2.0,
                 max_batch: int = 2000) -> None:
        self.hub = hub
        self.rate_window_s = rate_window_s
        self.sample_every_s = sample_every_s
        self.max_batch = max_batch
        self._sampled = float("-inf")
        self.samples: dict[str, deque[tuple[float, int]]] = {}
        self._last_stock: dict[str, tuple[Any, ...]] = {}
        self.recorded = 0

    async def run(self) -> None:
        """Drain the bus and sample devices until cancelled; a failing write is logged, later events still count."""
        queue = self.hub.bus.listen()
        try:
            while True:
                try:
                    events = [await asyncio.wait_for(queue.get(), self.sample_every_s)]
                except TimeoutError:
                    events = []
                while events and len(events) < self.max_batch and not queue.empty():
                    events.append(queue.get_nowait())
                try:
                    self.take(events)
                    self.sample_devices()
                except Exception:
                    log.exception("could not record dashboard history", extra={"events": len(events)})
        finally:
            with contextlib.suppress(Exception):
                self.hub.bus.forget(queue)

    def sample_devices(self) -> None:
        """Note each device's message count, at most every ``sample_every_s`` of real time."""
        moment = time.monotonic()
        if moment - self._sampled < self.sample_every_s:
            return
        self._sampled = moment
        now = ts(self.hub.clock.now())
        for dev in list(self.hub.ingest.devices.values()):
            self.sample(dev.device, now, dev.messages)

    def take(self, events: list[dict[str, Any]]) -> None:
        now = ts(self.hub.clock.now())
        rows = []
        for event in events:
            data = event["data"]
            if event["type"] == "inventory":
                figures = (data.get("on_hand"), data.get("backroom"), data.get("floor"), data.get("shelf"))
                if self._last(data["gtin"]) != figures:
                    self._last_stock[data["gtin"]] = figures
                    rows.append((data["gtin"], now, *figures))
        if rows:
            with self.hub.db.conn:
                self.hub.db.conn.executemany(
                    "INSERT INTO stock_history (gtin, time, on_hand, backroom, floor, shelf) VALUES (?,?,?,?,?,?)",
                    rows,
                )
            self.recorded += len(rows)

    def _last(self, gtin: str) -> tuple[Any, ...] | None:
        if gtin not in self._last_stock:
            row = self.hub.db.execute(
                "SELECT on_hand, backroom, floor, shelf FROM stock_history WHERE gtin=? ORDER BY time DESC LIMIT 1",
                (gtin,),
            ).fetchone()
            if row is None:
                return None
            self._last_stock[gtin] = tuple(row)
        return self._last_stock[gtin]

    def sample(self, device: str, now: float, messages: int) -> None:
        samples = self.samples.setdefault(device, deque())
        samples.append((now, messages))
        # keep the window plus the newest sample before it (the baseline)
        while len(samples) > 2 and samples[1][0] < now - self.rate_window_s:
            samples.popleft()

    def rate_per_minute(self, device: str, now: float) -> float | None:
        """Messages per minute over the window; None until two samples exist; 0 when silent all window."""
        samples = self.samples.get(device)
        if not samples:
            return None
        if samples[-1][0] < now - self.rate_window_s:
            return 0.0
        if len(samples) < 2:
            return None
        base_time, base_count = samples[0]
        span = max(now - base_time, 1.0)
        return round((samples[-1][1] - base_count) / span * 60, 1)
