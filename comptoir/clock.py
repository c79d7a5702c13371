"""Injectable clocks.

Components never call ``datetime.now()`` or ``asyncio.sleep()`` for domain
time: they ask a clock. The real shop uses :class:`RealClock`; the simulated
shop runs a :class:`SimulatedClock` faster than real time, so that "departed
after 10 minutes unseen" elapses in simulated minutes; tests drive a
:class:`ManualClock` by hand.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable


def utc(dt: datetime) -> datetime:
    """Return ``dt`` as an aware UTC datetime (naive input is taken as UTC)."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


@runtime_checkable
class Clock(Protocol):
    """What every component needs to know about time."""

    def now(self) -> datetime:
        """The current time, aware, in UTC."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time."""
        ...


class RealClock:
    """Wall-clock time."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class SimulatedClock:
    """Time that starts at ``start`` and runs ``speed`` times faster than real time.

    ``speed=60`` makes a simulated hour pass in a real minute. The clock is
    anchored on the monotonic clock, so it never jumps when the host's wall
    clock is adjusted.
    """

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        self.start = utc(start)
        self.speed = speed
        self._anchor = time.monotonic()

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._anchor) * self.speed
        return self.start + timedelta(seconds=elapsed)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)


class ManualClock:
    """A clock that moves only when told to: for tests and step-by-step simulation.

    ``sleep`` returns once another task has advanced the clock far enough.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = utc(start or datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
        self._changed: asyncio.Event | None = None

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        when = utc(when)
        if when < self._now:
            raise ValueError(f"a clock does not go back: {when} < {self._now}")
        self._now = when
        if self._changed is not None:
            self._changed.set()

    def advance(self, seconds: float) -> datetime:
        self.set(self._now + timedelta(seconds=seconds))
        return self._now

    async def sleep(self, seconds: float) -> None:
        until = self._now + timedelta(seconds=max(0.0, seconds))
        while self._now < until:
            if self._changed is None:
                self._changed = asyncio.Event()
            self._changed.clear()
            await self._changed.wait()
