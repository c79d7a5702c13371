"""One reorder run at a time: forecast every product and save the suggestions, in a worker thread.

A domain object, not an HTTP one: a second run asked for while one is going
raises :class:`RunInProgress`. The API answers it with 409; the daily
schedule logs it and lets the running one make the day's suggestions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo

import sqlite_utils

from hub.forecast import planner
from hub.forecast.policy import ReorderPolicy


class RunInProgress(RuntimeError):
    """A reorder run is already going on; it will make the suggestions this one would have."""


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    skus: int
    suggestions: int
    seconds: float


class ReorderRuns:
    """The lock that keeps reorder runs one at a time (the forecasting is in a thread; the database is not)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    @property
    def running(self) -> bool:
        return self._lock.locked()

    async def run(self, db: sqlite_utils.Database, now: float, policy: ReorderPolicy,
                  on_hand: Callable[[str], int | None], zone: tzinfo, user: str | None) -> RunSummary:
        """Gather the inputs and save the plan on the event loop's thread; compute it in a worker thread."""
        if self._lock.locked():
            raise RunInProgress("a reorder run is already going on")
        async with self._lock:
            inputs = planner.gather(db, now, policy, on_hand, zone)
            plan = await asyncio.to_thread(planner.compute, inputs, policy)
            run_id = planner.save(db, plan, now, user)
        return RunSummary(run_id=run_id, skus=len(plan.lines), suggestions=len(plan.suggestions),
                          seconds=round(plan.seconds, 3))


#: The hub's runs: one hub per process, so one lock per process (the API, the page and the schedule share it).
REORDER_RUNS = ReorderRuns()
