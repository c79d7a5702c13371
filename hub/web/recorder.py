"""What the dashboard remembers beyond the hub's current state: stock over time and device message rates.

It listens to the hub's event bus for the life of the process (started by
the hub service): each ``inventory`` event whose figures differ from the
last ones recorded for that SKU adds a row to ``stock_history`` (or, within
``history_step_s`` of that row, updates it, written every few seconds); every
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
    """Parameters: ``history_step_s`` (shop seconds within which further changes of one SKU update its
    newest history row rather than add one: at most one row per SKU per step, however busy the shop),
    ``flush_every_s`` (real seconds between writes of those updates), ``rate_window_s`` (shop seconds a
    device's rate is averaged over), ``sample_every_s`` (real seconds between two samples of the devices'
    message counts) and ``max_batch`` (events taken at once)."""

    def __init__(self, hub: Any, history_step_s: float = 60.0, flush_every_s: float = 5.0,
                 rate_window_s: float = 300.0, sample_every_s: float = 2.0, max_batch: int = 2000) -> None:
        self.hub = hub
        self.history_step_s = history_step_s
        self.flush_every_s = flush_every_s
        self._pending: dict[str, tuple[Any, ...]] = {}
        self.rate_window_s = rate_window_s
        self.sample_every_s = sample_every_s
        self.max_batch = max_batch
        self._sampled = float("-inf")
        self.samples: dict[str, deque[tuple[float, int]]] = {}
        self._last_stock: dict[str, tuple[tuple[Any, ...], float, int]] = {}
        self.recorded = 0

    async def run(self) -> None:
        """Drain the bus and sample devices until cancelled; a failing write is logged, later events still count."""
        queue = self.hub.bus.listen()
        flushed = time.monotonic()
        try:
            while True:
                try:
                    # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancel that
                    # arrives as the get completes, and the hub then hangs at shutdown
                    async with asyncio.timeout(self.sample_every_s):
                        events = [await queue.get()]
                except TimeoutError:
                    events = []
                while events and len(events) < self.max_batch and not queue.empty():
                    events.append(queue.get_nowait())
                try:
                    self.take(events)
                    if time.monotonic() - flushed >= self.flush_every_s:
                        flushed = time.monotonic()
                        self.flush()
                    self.sample_devices()
                except Exception:
                    log.exception("could not record dashboard history", extra={"events": len(events)})
        finally:
            with contextlib.suppress(Exception):
                self.hub.bus.forget(queue)
            with contextlib.suppress(Exception):
                self.flush()

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
        """Note the newest figures of each SKU in ``events``: a new row past the step, else a pending update."""
        now = ts(self.hub.clock.now())
        latest: dict[str, tuple[Any, ...]] = {}
        for event in events:
            if event["type"] == "inventory":
                data = event["data"]
                latest[data["gtin"]] = (data.get("on_hand"), data.get("backroom"), data.get("floor"), data.get("shelf"))
        inserts = []
        for gtin, figures in latest.items():
            last = self._last(gtin)
            if last is not None and last[0] == figures:
                continue
            if last is not None and now - last[1] < self.history_step_s:
                self._pending[gtin] = figures
                self._last_stock[gtin] = (figures, last[1], last[2])
            else:
                inserts.append((gtin, figures))
        if not inserts:
            return
        conn = self.hub.db.conn
        with conn:
            for gtin, figures in inserts:
                if gtin in self._pending:  # the previous row's final figures first
                    conn.execute("UPDATE stock_history SET on_hand=?, backroom=?, floor=?, shelf=? WHERE rowid=?",
                                 (*self._pending.pop(gtin), self._last_stock[gtin][2]))
                cursor = conn.execute(
                    "INSERT INTO stock_history (gtin, time, on_hand, backroom, floor, shelf) VALUES (?,?,?,?,?,?)",
                    (gtin, now, *figures))
                self._last_stock[gtin] = (figures, now, cursor.lastrowid or 0)
                self.recorded += 1

    def flush(self) -> None:
        """Write the pending updates of rows still within their step (one statement for all)."""
        if not self._pending:
            return
        rows = [(*figures, self._last_stock[gtin][2]) for gtin, figures in self._pending.items()]
        with self.hub.db.conn:
            self.hub.db.conn.executemany(
                "UPDATE stock_history SET on_hand=?, backroom=?, floor=?, shelf=? WHERE rowid=?", rows)
        self._pending.clear()

    def _last(self, gtin: str) -> tuple[tuple[Any, ...], float, int] | None:
        """(figures, time, rowid) of the SKU's newest history row."""
        if gtin not in self._last_stock:
            row = self.hub.db.execute(
                "SELECT on_hand, backroom, floor, shelf, time, rowid FROM stock_history WHERE gtin=? "
                "ORDER BY time DESC LIMIT 1", (gtin,)).fetchone()
            if row is None:
                return None
            self._last_stock[gtin] = (tuple(row[:4]), row[4], row[5])
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
