"""The hub's Prometheus metrics: ingest's rate, batch latency, dead letters, queue, storage, and its link's outbox.

Built at scrape time from what ingest counts anyway (:class:`hub.ingest.IngestStats`,
its health, the tag history); the one figure measured for metrics alone is the
batch latency, taken around :meth:`Ingest.handle_batch` by :meth:`HubMetrics.timed`
(two clock reads and a histogram step per batch, not per message). Served by
:func:`comptoir.metrics.serve` on ``metrics.port`` (docs/integrations.md, "Prometheus").
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from prometheus_client import Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from comptoir.contract import Message, ZoneEvents
from comptoir.metrics import counter, gauge, labelled, link_metrics

if TYPE_CHECKING:
    from hub.ingest import Ingest

#: Batch latency buckets, seconds: a batch of a few events takes a millisecond, 200 batched messages ~0.1 s.
BATCH_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
#: Distinct dead-letter reasons shown; more are summed under ``other`` (a label per bad field name, bounded).
MAX_REASONS = 50
_INDEX = re.compile(r"\.\d+")
STATUSES = ("ok", "stalled", "storage_failing")


def reason_label(field: str) -> str:
    """``events.17.epc`` and ``events.3.epc`` are one reason: ``events.[].epc``."""
    return _INDEX.sub(".[]", field)[:80]


class HubMetrics:
    def __init__(self, ingest: Ingest, db_path: Path | None = None, link: object | None = None,
                 device: str = "hub") -> None:
        self.ingest = ingest
        self.db_path = db_path
        self.link = link
        self.device = device
        self.batch_seconds = Histogram("comptoir_hub_batch_seconds", "time to store and fuse one batch",
                                       buckets=BATCH_BUCKETS, registry=None)
        self.events = 0  # zone events and other messages' single events, of batches handled

    def timed(self, handle: Callable[[list[Message]], None]) -> Callable[[list[Message]], None]:
        """``handle`` (ingest's batch handler), timing each batch and counting its events once handled."""
        observe = self.batch_seconds.observe

        def handle_batch(messages: list[Message]) -> None:
            started = time.perf_counter()
            try:
                handle(messages)
            finally:
                observe(time.perf_counter() - started)
            self.events += sum(len(m.events) if isinstance(m, ZoneEvents) else 1 for m in messages)

        return handle_batch

    def collect(self) -> Iterator[Metric]:
        ingest = self.ingest
        stats = ingest.stats
        health = ingest.watch.health()
        yield counter("comptoir_hub_events_received", "events in the batches ingest handled (a batched message "
                      "counts its events)", self.events)
        yield labelled(CounterMetricFamily("comptoir_hub_messages", "messages ingest handled, by outcome",
                                           labels=["outcome"]),
                       [(["stored"], stats.stored), (["duplicate"], stats.duplicates)])
        yield counter("comptoir_hub_batches", "batches ingest handled", stats.batches)
        yield from self.batch_seconds.collect()
        reasons: dict[str, int] = {}
        for field, n in dict(stats.by_reason).items():
            label = reason_label(field)
            if label not in reasons and len(reasons) >= MAX_REASONS:
                label = "other"
            reasons[label] = reasons.get(label, 0) + n
        yield labelled(CounterMetricFamily("comptoir_hub_dead_letters", "payloads dead-lettered, by the field "
                                           "that was wrong", labels=["reason"]), [([r], n) for r, n in reasons.items()])
        yield gauge("comptoir_hub_queue_messages", "messages received and not yet stored (the batch in hand "
                    "included)", health.queued)
        yield gauge("comptoir_hub_held_back_messages", "messages held back, unacknowledged, while the store "
                    "cannot write", health.held_back)
        yield labelled(GaugeMetricFamily("comptoir_hub_ingest_status", "1 for ingest's current status "
                                         "(/api/health)", labels=["status"]),
                       [([s], int(health.status == s)) for s in STATUSES])
        yield counter("comptoir_hub_tag_moves", "tag movements recorded by ingest (tag history)",
                      ingest.tag_history.recorded)
        if self.db_path is not None:
            size = sum(p.stat().st_size for p in (self.db_path, self.db_path.with_name(self.db_path.name + "-wal"))
                       if p.exists())
            yield gauge("comptoir_hub_database_bytes", "size of the database file and its write-ahead log", size)
        if self.link is not None:
            yield from link_metrics(self.link, self.device)
