"""Prometheus metrics of a process: the ``metrics:`` config block, the HTTP endpoint, the link's outbox.

Every process (hub, RFID agent, camera agent, scale bridge) exposes its
figures the same way: a collector reads the counters the process keeps
anyway (its ``stats``) when Prometheus scrapes, so the hot paths pay
nothing (docs/performance.md, "Metrics"). Each process has its own
registry, so several agents in one process (tests, ``comptoir edge``) or
one host keep their figures apart.

Off by default: a fixed default port would make the second agent on a
board fail to start, and an endpoint nobody scrapes is one more open port.
Loopback by default when on: Prometheus on the same host, or a node's
exporter proxy, scrapes it; expose it wider only on purpose
(docs/integrations.md, "Prometheus").
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from pydantic import BaseModel, ConfigDict, Field

from comptoir.link.outbox import Outbox

log = logging.getLogger("comptoir.metrics")


class MetricsSettings(BaseModel):
    """``metrics:`` in a hub, agent or bridge config."""

    model_config = ConfigDict(extra="forbid")

    port: int | None = Field(
        None, ge=0, le=65535,
        description="port of the /metrics endpoint; unset: no endpoint (off by default); 0 picks a free port")
    host: str = Field("127.0.0.1", description="address the endpoint listens on (loopback by default)")


class FunctionCollector(Collector):
    """A collector whose metrics a function builds at scrape time from the figures its process keeps."""

    def __init__(self, build: Callable[[], Iterable[Metric]]) -> None:
        self._build = build

    def collect(self) -> Iterator[Metric]:
        try:
            yield from self._build()
        except Exception:  # a scrape must never take the process down; the failure is said, the scrape is short
            log.exception("metrics: a collector failed")


class MetricsServer:
    """The running endpoint: ``port`` is the one bound (useful with port 0)."""

    def __init__(self, registry: CollectorRegistry, settings: MetricsSettings) -> None:
        self.registry = registry
        self._server, self._thread = start_http_server(settings.port or 0, addr=settings.host, registry=registry)
        self.port: int = self._server.server_address[1]
        log.info("metrics endpoint listening", extra={"host": settings.host, "port": self.port})

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def serve(settings: MetricsSettings, *collect: Callable[[], Iterable[Metric]]) -> MetricsServer | None:
    """Start the endpoint with a fresh registry holding ``collect``; None when ``settings.port`` is unset."""
    if settings.port is None:
        return None
    registry = CollectorRegistry(auto_describe=True)
    for build in collect:
        registry.register(FunctionCollector(build))
    return MetricsServer(registry, settings)


def counter(name: str, doc: str, value: float, labels: dict[str, str] | None = None) -> CounterMetricFamily:
    """A counter family of one sample (``name`` without ``_total``)."""
    family = CounterMetricFamily(name, doc, labels=list(labels or ()))
    family.add_metric(list((labels or {}).values()), value)
    return family


def gauge(name: str, doc: str, value: float, labels: dict[str, str] | None = None) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=list(labels or ()))
    family.add_metric(list((labels or {}).values()), value)
    return family


def labelled(family: CounterMetricFamily | GaugeMetricFamily, samples: Iterable[tuple[Iterable[str], float]],
             ) -> CounterMetricFamily | GaugeMetricFamily:
    for labels, value in samples:
        family.add_metric(list(labels), value)
    return family


def outbox_oldest_age_s(outbox: Outbox, now: float | None = None) -> float:
    """Seconds since the oldest waiting message's own time (its envelope's ``time``); 0 when none waits.

    The outbox keeps no enqueue time: the envelope's event time is the nearest, and an event is enqueued
    within a batching interval of it.
    """
    oldest = outbox.peek(limit=1)
    if not oldest:
        return 0.0
    try:
        sent = json.loads(oldest[0].payload)["time"]
        stamp = datetime.fromisoformat(sent.replace("Z", "+00:00")).timestamp()
    except (ValueError, KeyError, TypeError):
        return 0.0
    return max(0.0, (time.time() if now is None else now) - stamp)


def link_metrics(link: Any, device: str) -> list[Metric]:
    """Outbox depth, oldest waiting message, sent/acknowledged/dropped and connection of an ``MqttLink``."""
    stats = link.stats()
    age = outbox_oldest_age_s(link.outbox)
    labels = {"device": device}
    return [
        gauge("comptoir_outbox_messages", "messages waiting in the outbox for the broker", stats.pending, labels),
        gauge("comptoir_outbox_oldest_age_seconds", "age of the oldest message waiting in the outbox", age, labels),
        counter("comptoir_outbox_dropped", "messages dropped because the outbox was full (file lifetime)",
                stats.dropped, labels),
        counter("comptoir_link_sent", "messages handed to the broker", stats.sent, labels),
        counter("comptoir_link_acked", "messages the broker acknowledged", stats.acked, labels),
        gauge("comptoir_link_connected", "1 while connected to the broker", int(stats.connected), labels),
    ]
