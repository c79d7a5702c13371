"""The running hub: ingest from MQTT and the web API in one process, one event loop.

The loop is shared, so nothing may block it for long: the database waits at
most ``storage.busy_timeout_ms`` for another process's lock, and a store that
cannot write makes ingest back off asynchronously (the link holds the batch
back, unacknowledged). Should the link's receiving loop ever end, the hub
exits non-zero: a fresh process and broker session are the known-good state,
and systemd (``Restart=always``) or Docker restarts it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from datetime import UTC, datetime

import uvicorn
from fastapi import Request
from fastapi.responses import JSONResponse

from comptoir.clock import Clock, RealClock
from comptoir.contract import HubAlert, store_filter
from comptoir.link import MqttLink, RetryPolicy, StoreUnavailable
from comptoir.metrics import MetricsServer, serve
from hub.alerts import Change
from hub.app import create_app
from hub.config import HubConfig
from hub.events import EventBus
from hub.forecast.schedule import run_daily
from hub.fresh.markdowns import Schedule as MarkdownSchedule
from hub.homeassistant import HomeAssistantPublisher
from hub.ingest import Ingest
from hub.metrics import HubMetrics
from hub.notify import NotifyWorker
from hub.store import open_database, unavailable_reason

log = logging.getLogger("hub")


class IngestStopped(RuntimeError):
    """The link's receiving loop ended: raised out of :meth:`HubService.run`, so the process exits non-zero."""


class HubService:
    def __init__(self, config: HubConfig, clock: Clock | None = None) -> None:
        self.config = config
        self.clock = clock or RealClock()
        storage = config.storage
        self.db = open_database(config.db, synchronous=storage.synchronous, busy_timeout_ms=storage.busy_timeout_ms)
        self.bus = EventBus()
        self.link = MqttLink(
            config.broker,
            store=config.store,
            device=config.hub_id,
            kind="hub",
            outbox=config.outbox_path,
            clock=self.clock,
            persistent_session=True,
            outbox_durable=storage.synchronous == "FULL",
            retry=RetryPolicy(max_s=storage.retry_max_s),
        )
        self.ingest = Ingest(self.db, self.clock, config.fusion, store=config.store, hub_id=config.hub_id,
                             bus=self.bus, publish_alerts=self._publish_alerts, admission=config.admission,
                             reorder=config.reorder, tag_history=config.tag_history, shop_zone=config.zone,
                             expiry=config.fresh.expiry)
        self.metrics = HubMetrics(self.ingest, config.db, self.link, config.hub_id)
        self.metrics_server: MetricsServer | None = None
        self.ingest.watch.consumer_state = self.link.consumer_state
        self.ingest.watch.stall_after_s = storage.stall_after_s
        self.notify = NotifyWorker(config.db, config.notify, self.clock, config.zone)  # its own thread and connection
        self.homeassistant = (HomeAssistantPublisher(self.db, config.broker, config.homeassistant, store=config.store,
                                                     hub_id=config.hub_id, clock=self.clock)
                              if config.homeassistant.enabled else None)
        self.markdowns = MarkdownSchedule(self.db, config)  # reviewed from the tick, every fresh.markdowns.run_every_s
        self.app = create_app(self)
        self.app.add_exception_handler(sqlite3.Error, _store_error)
        self.server: uvicorn.Server | None = None
        self._tick_task: asyncio.Task[None] | None = None

    @property
    def mqtt_connected(self) -> bool:
        return self.link.connected

    def _publish_alerts(self, changes: list[Change]) -> None:
        items = []
        for change in changes:
            a = change.alert
            items.append({
                "alert_id": a.alert_id, "kind": a.kind, "state": change.change, "severity": a.severity,
                "text": a.text[:200], "gtin": a.gtin, "epc": a.epc, "slot": a.slot, "subject_device": a.device,
                "quantity": a.quantity, "raised_at": _dt(a.raised_at),
            })
        self.link.emit_many(HubAlert, items)
        self.notify.wake()  # the worker reads the alerts table itself; this only spares it the wait for its poll

    async def _ticks(self) -> None:
        failures = 0
        while True:
            await self.clock.sleep(self.config.fusion.check_every_s)
            try:
                self.ingest.tick()
                self.markdowns.tick(self.clock.now().timestamp())
            except StoreUnavailable as exc:
                failures += 1
                if failures == 1 or failures % 20 == 0:  # the first, then every 20th: seen, not a flood
                    log.warning("periodic check skipped: store unavailable", extra={"reason": exc.reason,
                                                                                    "failures": failures})
                continue
            except Exception:
                log.exception("periodic check failed")
            if failures:
                log.warning("periodic checks work again", extra={"failures": failures})
                failures = 0

    async def start_ingest(self) -> None:
        self.metrics_server = serve(self.config.metrics, self.metrics.collect)  # None unless metrics.port is set
        self.link.subscribe_batch(store_filter(self.config.store), self.metrics.timed(self.ingest.handle_batch),
                                  self.ingest.dead_letter,
                                  max_batch=self.config.batch_max)
        await self.link.start()
        self.notify.start()
        if self.homeassistant is not None:  # MQTT discovery for the shop's Home Assistant (docs/integrations.md)
            self.homeassistant.start()
            self._homeassistant_task = asyncio.create_task(self.homeassistant.run(), name="hub-homeassistant")
        self._tick_task = asyncio.create_task(self._ticks(), name="hub-ticks")
        self._dashboard_task = asyncio.create_task(self.app.state.dashboard.run(), name="hub-dashboard")
        # the daily forecast and reorder suggestions (docs/forecasting.md), at reorder.daily_at on the hub's clock
        self._reorder_task = (asyncio.create_task(run_daily(self), name="hub-daily-reorder")
                              if self.config.reorder.run_daily else None)

    async def run(self) -> None:
        """Run ingest and the API until cancelled (Ctrl-C or SIGTERM)."""
        await self.start_ingest()
        api = self.config.api
        # an open event stream (a staff page) never ends by itself: give it 2 s, not forever, at shutdown
        config = uvicorn.Config(self.app, host=api.host, port=api.port, log_level="warning", lifespan="off",
                                access_log=False, timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        watch = asyncio.create_task(self._exit_if_ingest_stops(), name="hub-ingest-watch")
        try:
            await self.server.serve()
        finally:
            await _cancel(watch)
            await self.stop()
        stopped = self.link.consumer_stopped
        if stopped:
            raise IngestStopped(f"ingest stopped ({stopped}); the hub exits with status 1 so that systemd or Docker "
                                "starts it again")

    async def _exit_if_ingest_stops(self) -> None:
        reason = await self.link.wait_consumer_stopped()
        log.error("ingest stopped: shutting the hub down to be restarted", extra={"reason": reason})
        if self.server is not None:
            self.server.should_exit = True

    async def stop(self) -> None:
        dashboard = getattr(self, "_dashboard_task", None)
        if dashboard is not None:
            await _cancel(dashboard)
            self._dashboard_task = None
        if self._tick_task is not None:
            await _cancel(self._tick_task)
            self._tick_task = None
        if getattr(self, "_reorder_task", None) is not None:
            await _cancel(self._reorder_task)
            self._reorder_task = None
        if getattr(self, "_homeassistant_task", None) is not None:
            await _cancel(self._homeassistant_task)
            self._homeassistant_task = None
            self.homeassistant.stop()
        if self.metrics_server is not None:
            self.metrics_server.close()
            self.metrics_server = None
        await self.link.stop(drain_timeout=2.0)
        self.notify.stop()
        self.link.outbox.close()
        self.db.close()


async def _cancel(task: asyncio.Task[None], tries: int = 20) -> None:
    """Cancel a task and wait for it to end, cancelling again if need be.

    On Python 3.11, ``asyncio.wait_for`` can swallow a cancellation that lands
    as its inner future completes; a task looping on it then runs on. Asking
    again (bounded) makes shutdown finish.
    """
    for _ in range(tries):
        task.cancel()
        done, _pending = await asyncio.wait({task}, timeout=0.5)
        if done:
            break
    else:
        log.warning("a task did not stop when cancelled", extra={"task": task.get_name()})
        return
    with contextlib.suppress(asyncio.CancelledError, Exception):
        task.result()


async def _store_error(request: Request, exc: Exception) -> JSONResponse:
    """A request that met an unavailable store (locked by an import, disk full) is told to retry, not a 500."""
    reason = unavailable_reason(exc)
    if reason is None:
        raise exc
    log.warning("request failed: store unavailable", extra={"path": request.url.path, "reason": reason})
    return JSONResponse({"detail": f"the database is unavailable, try again shortly: {reason}"}, status_code=503,
                        headers={"Retry-After": "1"})


def _dt(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
