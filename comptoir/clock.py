"""Injectable clocks.

Components never call ``datetime.now()`` or ``asyncio.sleep()`` for domain
time: they ask a clock. The real shop uses :class:`RealClock`; the simulated
shop runs a :class:`SimulatedClock` faster than real time, so that "departed
after 10 minutes unseen" elapses in simulated minutes; tests drive a
:class:`ManualClock` by hand.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

#: Puts a whole process on the simulated shop's clock: ``"START_ISO SPEED ANCHOR"`` (see :func:`clock_from_env`).
CLOCK_ENV = "COMPTOIR_SIM_CLOCK"


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

    def __init__(self, start: datetime, speed: float = 1.0, *, anchor: float | None = None) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        self.start = utc(start)
        self.speed = speed
        # ``anchor``: the time.monotonic() at which the clock read ``start``; the monotonic clock is
        # system-wide, so processes given the same anchor share one simulated time
        self._anchor = time.monotonic() if anchor is None else anchor

    def env_value(self) -> str:
        """The :data:`CLOCK_ENV` value that gives a child process this same clock."""
        return f"{self.start.isoformat()} {self.speed!r} {self._anchor!r}"

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._anchor) * self.speed
        return self.start + timedelta(seconds=elapsed)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)


def clock_from_env(environ: Mapping[str, str] | None = None) -> Clock:
    """The process's clock: a :class:`SimulatedClock` when :data:`CLOCK_ENV` is set (the demo), else real time."""
    value = (os.environ if environ is None else environ).get(CLOCK_ENV, "").strip()
    if not value:
        return RealClock()
    try:
        start, speed, anchor = value.split()
        return SimulatedClock(datetime.fromisoformat(start), float(speed), anchor=float(anchor))
    except ValueError as exc:
        raise ValueError(f"{CLOCK_ENV}={value!r}: expected 'START_ISO SPEED MONOTONIC_ANCHOR' ({exc})") from None


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
