from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from comptoir.clock import Clock, ManualClock, RealClock, SimulatedClock

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_every_clock_is_a_clock() -> None:
    for clock in (RealClock(), SimulatedClock(START, 60), ManualClock(START)):
        assert isinstance(clock, Clock)
        assert clock.now().tzinfo is not None


def test_simulated_clock_runs_faster_than_real_time() -> None:
    clock = SimulatedClock(START, speed=3600)  # an hour a second
    t0 = time.monotonic()
    time.sleep(0.05)
    elapsed_real = time.monotonic() - t0
    simulated = (clock.now() - START).total_seconds()
    assert simulated >= 3600 * 0.05
    assert simulated <= 3600 * (elapsed_real + 0.05)


async def test_simulated_sleep_is_shortened_by_the_speed() -> None:
    clock = SimulatedClock(START, speed=600)
    t0 = time.monotonic()
    await clock.sleep(60)  # a simulated minute = 0.1 s
    assert time.monotonic() - t0 < 1.0
    assert clock.now() - START >= timedelta(seconds=60)


async def test_manual_clock_sleep_waits_for_advance() -> None:
    clock = ManualClock(START)
    task = asyncio.create_task(clock.sleep(600))
    await asyncio.sleep(0.01)
    clock.advance(300)
    await asyncio.sleep(0.01)
    assert not task.done()
    clock.advance(300)
    await asyncio.wait_for(task, 1)
    assert clock.now() == START + timedelta(minutes=10)


def test_manual_clock_does_not_go_back() -> None:
    clock = ManualClock(START)
    with pytest.raises(ValueError, match="does not go back"):
        clock.set(START - timedelta(seconds=1))


def test_speed_must_be_positive() -> None:
    with pytest.raises(ValueError, match="speed"):
        SimulatedClock(START, speed=0)
