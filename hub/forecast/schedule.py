"""The daily reorder run inside the hub service: suggestions are ready when staff arrive.

Once a day at ``reorder.daily_at`` in the store's time zone (the hub config's
``timezone``), read on the hub's clock, so a simulated day in the demo
triggers it as a real one does. The forecasting itself runs in a worker
thread (:mod:`hub.forecast.runs`), so ingest carries on meanwhile. A
hub started after the day's time runs at the next day's; ``POST
/api/reorder/run`` runs it now.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from hub.forecast.actions import run_now
from hub.forecast.runs import RunInProgress

log = logging.getLogger("hub.forecast")

#: the longest single sleep: the time is checked again at least this often (a clock changed, a laptop woken up)
CHECK_EVERY_S = 900.0


def next_run(now: datetime, at: time, tz: tzinfo) -> datetime:
    """The first ``at`` local time strictly after ``now``, in UTC."""
    local = now.astimezone(tz)
    for day in (local.date(), local.date() + timedelta(days=1)):
        due = _local(day, at, tz)
        if due > now:
            return due
    return _local(local.date() + timedelta(days=2), at, tz)  # a day shortened by a clock change


def _local(day: date, at: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, at.replace(tzinfo=None), tzinfo=tz).astimezone(UTC)


async def run_daily(hub: Any, check_every_s: float = CHECK_EVERY_S) -> None:
    """Run the reorder once a day until cancelled; a failed run is logged and the next day's still happens."""
    policy, tz = hub.config.reorder, hub.config.zone
    due = next_run(hub.clock.now(), policy.daily_at, tz)
    log.info("daily reorder run scheduled", extra={"next": due.isoformat(), "at": policy.daily_at.isoformat()})
    while True:
        now = hub.clock.now()
        if now < due:
            await hub.clock.sleep(min((due - now).total_seconds(), check_every_s))
            continue
        try:
            result = await run_now(hub, None)
            log.info("daily reorder run", extra={"run": result.run_id, "skus": result.skus,
                                                 "suggestions": result.suggestions, "seconds": result.seconds})
        except RunInProgress as exc:  # a run started by hand is still going: it makes today's suggestions
            log.info("daily reorder run skipped", extra={"why": str(exc)})
        except Exception:
            log.exception("daily reorder run failed")
        due = next_run(max(hub.clock.now(), due), policy.daily_at, tz)
