"""A token bucket per client address, for the public (kiosk) endpoints and sign-in.

It counts wall-clock time (``time.monotonic``), not the shop's clock: it
protects the server, whatever speed the simulated shop runs at.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class RateLimiter:
    def __init__(self, per_minute: int, burst: int | None = None,
                 monotonic: Callable[[], float] = time.monotonic, max_clients: int = 10_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst or per_minute)
        self.monotonic = monotonic
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, client: str) -> tuple[bool, float]:
        """Take one token for ``client``; return (allowed, seconds until the next token)."""
        now = self.monotonic()
        tokens, last = self._buckets.get(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if len(self._buckets) >= self.max_clients and client not in self._buckets:
            self._buckets.clear()  # bounded memory; a flood of addresses only resets the buckets
        if tokens >= 1.0:
            self._buckets[client] = (tokens - 1.0, now)
            return True, 0.0
        self._buckets[client] = (tokens, now)
        return False, (1.0 - tokens) / self.rate
