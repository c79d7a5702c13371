"""The bridge's Prometheus metrics: each scale's serial lines, refusals by kind, port losses, and its link's outbox.

Read at scrape time from :class:`firmware_bridge.stats.BridgeStats`, which the
bridge keeps anyway; served on ``metrics:`` of the bridge's config
(comptoir/metrics.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from prometheus_client.core import CounterMetricFamily, Metric

from comptoir.metrics import link_metrics


def bridge_metrics(bridges: Sequence[Any]) -> Iterator[Metric]:
    """The figures of every ``ScaleBridge`` of the process."""
    lines = CounterMetricFamily("comptoir_bridge_lines", "serial lines the firmware sent, by outcome",
                                labels=["device", "outcome"])
    errors = CounterMetricFamily("comptoir_bridge_errors", "what went wrong on the serial line, by kind (refused "
                                 "lines by reason, sequence gaps, port losses, device errors)",
                                 labels=["device", "kind"])
    readings = CounterMetricFamily("comptoir_bridge_readings", "weight readings decoded", labels=["device"])
    published = CounterMetricFamily("comptoir_bridge_published", "weights published", labels=["device"])
    for bridge in bridges:
        device, stats = bridge.scale.device, bridge.stats
        lines.add_metric([device, "ok"], stats.lines_ok)
        lines.add_metric([device, "refused"], stats.refused_total)
        for kind, n in dict(stats.refused).items():
            errors.add_metric([device, f"refused_{kind}"], n)
        errors.add_metric([device, "seq_gap"], stats.seq_gaps)
        errors.add_metric([device, "port_lost"], stats.losses)
        for word, n in dict(stats.device_errors).items():
            errors.add_metric([device, f"device_{word.lower()}"[:60]], n)
        readings.add_metric([device], stats.readings)
        published.add_metric([device], stats.published)
    yield from (lines, errors, readings, published)
    for bridge in bridges:
        yield from link_metrics(bridge.link, bridge.scale.device)
