"""The edge process's Prometheus metrics: each RFID reader's and camera's figures and its link's outbox.

One ``comptoir edge`` process runs several devices; they share its one
endpoint (``metrics:`` in edge.yaml), each sample labelled with its device.
Read at scrape time from the counters the agents keep anyway
(:class:`edge.rfid.agent.AgentStats`, the reader link's connects,
:class:`edge.vision.agent.AgentStats`), so reading tags and counting frames
pay nothing for it. Rates (reads, frames per second) are Prometheus's
``rate()`` of the counters.
"""

from __future__ import annotations

from collections.abc import Iterator
from statistics import fmean
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from comptoir.metrics import link_metrics


class EdgeMetrics:
    """The devices of one edge process, registered as they start."""

    def __init__(self) -> None:
        self.readers: list[Any] = []  # RfidAgent
        self.cameras: list[Any] = []  # CameraAgent

    def add_reader(self, agent: Any) -> None:
        self.readers.append(agent)

    def add_camera(self, agent: Any) -> None:
        self.cameras.append(agent)

    def collect(self) -> Iterator[Metric]:
        yield from self._readers()
        yield from self._cameras()
        for agent in [*self.readers, *self.cameras]:
            yield from link_metrics(agent.link, agent.config.id)

    def _readers(self) -> Iterator[Metric]:
        if not self.readers:
            return
        families = {
            "reads": CounterMetricFamily("comptoir_rfid_reads", "tag reads the reader reported", labels=["device"]),
            "rejected": CounterMetricFamily("comptoir_rfid_rejected_reads", "reads skipped (no EPC, an EPC the "
                                            "contract cannot carry, a time too far ahead)", labels=["device"]),
            "events": CounterMetricFamily("comptoir_rfid_zone_events", "zone events published", labels=["device"]),
            "passages": CounterMetricFamily("comptoir_rfid_gate_passages", "gate passages published",
                                            labels=["device"]),
            "connects": CounterMetricFamily("comptoir_rfid_reader_connects", "LLRP connections made to the reader",
                                            labels=["device"]),
            "reconnects": CounterMetricFamily("comptoir_rfid_reader_reconnects", "connections made after the "
                                              "first (the reader was lost and found again)", labels=["device"]),
            "up": GaugeMetricFamily("comptoir_rfid_reader_up", "1 while the reader inventories", labels=["device"]),
        }
        for agent in self.readers:
            device, stats = [agent.config.id], agent.stats
            link = getattr(agent, "reader", None)
            connects = link.connects if link is not None else 0
            families["reads"].add_metric(device, stats.reads)
            families["rejected"].add_metric(device, stats.rejected_reads)
            families["events"].add_metric(device, stats.events)
            families["passages"].add_metric(device, stats.passages)
            families["connects"].add_metric(device, connects)
            families["reconnects"].add_metric(device, max(0, connects - 1))
            families["up"].add_metric(device, int(agent.reader_up))
        yield from families.values()

    def _cameras(self) -> Iterator[Metric]:
        if not self.cameras:
            return
        families = {
            "frames": CounterMetricFamily("comptoir_camera_frames", "frames taken from the camera",
                                          labels=["device"]),
            "counted": CounterMetricFamily("comptoir_camera_frames_counted", "frames the detector counted",
                                           labels=["device"]),
            "published": CounterMetricFamily("comptoir_camera_counts_published", "shelf counts published",
                                             labels=["device"]),
            "inference": GaugeMetricFamily("comptoir_camera_inference_seconds", "mean time from the model run to "
                                           "slot counts, over the last 100 counted frames", labels=["device"]),
            "online": GaugeMetricFamily("comptoir_camera_online", "1 while frames come", labels=["device"]),
        }
        for agent in self.cameras:
            device, stats = [agent.config.id], agent.stats
            recent = list(stats.detect_ms)
            families["frames"].add_metric(device, stats.frames)
            families["counted"].add_metric(device, stats.counted)
            families["published"].add_metric(device, stats.published)
            families["inference"].add_metric(device, fmean(recent) / 1000 if recent else 0.0)
            families["online"].add_metric(device, int(agent.camera_online))
        yield from families.values()
