"""``edge.yaml``: what one edge board runs, validated by :class:`EdgeConfig`.

Example::

    store: demo
    broker:
      url: mqtt://hub.local:1883
      username: edge-1
      password: ${COMPTOIR_MQTT_PASSWORD}
    state_dir: /var/lib/comptoir/edge     # outboxes live here
    readers:
      - id: reader-1
        host: 192.168.1.30                # port 5084 unless given
        antennas: {1: backroom, 2: dock, 3: floor-a1, 10: exit, 11: exit}
        gates:
          - {id: gate-exit, inside: 10, outside: 11}
        tracker: {departed_after_s: 600}  # see docs/rfid.md
    cameras: []                           # shelf cameras (edge.vision)
    scales: ...                           # read by the firmware bridge, not by this agent

The ``scales:`` section belongs to the firmware bridge, which reads the same
file with its own model; it is let through here unchecked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from comptoir.contract.rfid import MAX_BATCH_EVENTS
from comptoir.contract.topics import check_id
from comptoir.link import BrokerSettings
from comptoir.metrics import MetricsSettings
from edge.rfid.gate import GateParams
from edge.rfid.tracker import TrackerParams
from edge.vision.config import CameraConfig


def _device_id(value: str) -> str:
    try:
        return check_id(value, "id")
    except ValueError as exc:
        raise ValueError(str(exc)) from None


class GateConfig(BaseModel):
    """A gate: two antennas of one reader, one on each side of a doorway."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="the gate's id: passages go to gate/<id>/passages")
    inside: int = Field(ge=1, le=65535, description="antenna port on the shop side")
    outside: int = Field(ge=1, le=65535, description="antenna port on the street (or backroom) side")
    params: GateParams = Field(default_factory=GateParams)

    _check_id = field_validator("id")(classmethod(lambda cls, v: _device_id(v)))

    @model_validator(mode="after")
    def _two_antennas(self) -> GateConfig:
        if self.inside == self.outside:
            raise ValueError(f"gate {self.id}: inside and outside must be two different antennas")
        return self


class ReaderConfig(BaseModel):
    """One LLRP reader and what its antennas watch."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="the reader's device id: its topics are rfid/<id>/... and device/<id>/status")
    host: str
    port: int = Field(5084, ge=1, le=65535)
    antennas: dict[int, str] = Field(
        description="antenna port -> zone alias (several antennas may share an alias)", min_length=1
    )
    gates: list[GateConfig] = Field(default_factory=list)
    tracker: TrackerParams = Field(default_factory=TrackerParams)
    session: int = Field(2, ge=0, le=3, description="Gen2 session: 2 or 3 for a fixed reader watching a room")
    tag_population: int = Field(32, ge=1, le=65535, description="expected tags per antenna, a hint for the reader")
    tx_power: int = Field(0, ge=0, description="transmit power index of the reader's table; 0 = the highest")
    report_every_n_tags: int = Field(
        200, ge=1, le=65535, description="the reader reports after this many tags, or after report_timeout_ms"
    )
    report_timeout_ms: int = Field(1000, ge=10, le=600_000, description="the longest wait between two reports")
    keepalive_s: float = Field(10.0, ge=1, le=3600, description="the reader is asked for a KEEPALIVE this often")
    silence_s: float = Field(
        30.0, gt=0, description="no report nor keepalive for this long: the connection is dead, reconnect"
    )
    polite_disconnect_s: float = Field(
        2.0, ge=0, le=60, description="on stop, wait this long for the reader to delete our ROSpec before cutting"
    )
    reconnect_min_s: float = Field(1.0, gt=0, le=600)
    reconnect_max_s: float = Field(60.0, gt=0, le=3600)
    snapshot_every_s: float = Field(60.0, gt=0, description="publish the per-zone counts this often")
    report_grace_s: float = Field(
        5.0,
        ge=0,
        le=600,
        description="while no report is later than this (beyond report_timeout_ms), time is the reads' alone",
    )
    publish_every_s: float = Field(
        0.1,
        ge=0,
        le=60,
        description="zone events wait at most this long (checked at each report and sweep), to travel as one "
        "batched message (rfid/<id>/event_batch): the window adds at most this to their latency",
    )
    publish_batch: int = Field(
        200, ge=1, le=MAX_BATCH_EVENTS, description="...or until this many wait (at most one message's worth)"
    )
    sweep_every_s: float = Field(1.0, gt=0, le=60, description="check departures and gate visits this often")
    future_tolerance_s: float = Field(
        3600.0,
        gt=0,
        description="a read dated further ahead of this box's clock is skipped and logged (a reader's clock or "
        "report gone wrong): applied, it would depart every tag and date events years ahead",
    )

    _check_id = field_validator("id")(classmethod(lambda cls, v: _device_id(v)))

    @field_validator("antennas")
    @classmethod
    def _aliases(cls, value: dict[int, str]) -> dict[int, str]:
        for port, alias in value.items():
            if not 1 <= port <= 65535:
                raise ValueError(f"antenna port {port} must be between 1 and 65535")
            if not alias.strip():
                raise ValueError(f"antenna {port} has an empty zone alias")
        return value

    @model_validator(mode="after")
    def _gates_use_known_antennas(self) -> ReaderConfig:
        for gate in self.gates:
            for side in (gate.inside, gate.outside):
                if side not in self.antennas:
                    raise ValueError(f"gate {gate.id}: antenna {side} is not listed under antennas")
        return self


class EdgeConfig(BaseModel):
    """Everything one edge board runs."""

    model_config = ConfigDict(extra="forbid")

    store: str = Field(description="the store id, the second level of every topic")
    broker: BrokerSettings = Field(default_factory=BrokerSettings)
    state_dir: Path = Field(Path("edge-state"), description="where the outboxes (messages not yet delivered) live")
    durable_outbox: bool = Field(
        False, description="sync the outbox at every append (SQLite synchronous=FULL): what a device made survives a "
        "power cut too, at one fsync per append (docs/operations.md); off: survives a killed process",
    )
    readers: list[ReaderConfig] = Field(default_factory=list)
    cameras: list[CameraConfig] = Field(default_factory=list, description="shelf cameras, see docs/vision.md")
    scales: Any = Field(None, description="the firmware bridge's section; not read by this agent")
    metrics: MetricsSettings = Field(default_factory=MetricsSettings, description="this process's /metrics")
    bridge_metrics: Any = Field(None, description="the firmware bridge's /metrics; not read by this agent")

    @field_validator("store")
    @classmethod
    def _store(cls, value: str) -> str:
        try:
            return check_id(value, "store")
        except ValueError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _unique_ids(self) -> EdgeConfig:
        ids = (
            [r.id for r in self.readers] + [g.id for r in self.readers for g in r.gates] + [c.id for c in self.cameras]
        )
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"device ids must be unique; repeated: {', '.join(dupes)}")
        return self
