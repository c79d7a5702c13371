"""What the dashboard remembers beyond the hub's current state: device message rates.

Stock history is not kept here: ingest writes it in the transaction of the
change it records (hub/inventory/history.py), since this listener's event
queue drops its oldest events when it falls behind. Every few seconds each
device's message count is sampled, and its rate per minute is derived over
a sliding window of shop time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from typing import Any

from hub.timeutil import ts

log = logging.getLogger("hub.web.recorder")


class DashboardRecorder:
    """Parameters: ``rate_window_s`` (shop seconds a device's rate is averaged over) and ``sample_every_s`` (real
    seconds between two samples of the devices' message counts)."""

    def __init__(self, hub: Any, rate_window_s: float = 300.0, sample_every_s: float = 2.0) -> None:
        self.hub = hub
        self.rate_window_s = rate_window_s
        self.sample_every_s = sample_every_s
        self._sampled = float("-inf")
        self.samples: dict[str, deque[tuple[float, int]]] = {}

    async def run(self) -> None:
        """Sample the devices' message counts until cancelled; a failing sample is logged, the next one still runs."""
        while True:
            try:
                self.sample_devices()
            except Exception:
                log.exception("could not sample device message counts")
            await asyncio.sleep(self.sample_every_s)

    def sample_devices(self) -> None:
        """Note each device's message count, at most every ``sample_every_s`` of real time."""
        moment = time.monotonic()
        if moment - self._sampled < self.sample_every_s:
            return
        self._sampled = moment
        now = ts(self.hub.clock.now())
        for dev in list(self.hub.ingest.devices.values()):
            self.sample(dev.device, now, dev.messages)

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
