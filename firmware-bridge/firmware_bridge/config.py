"""The bridge's configuration: the ``scales:`` section of the edge agent's ``edge.yaml``.

The bridge does not import the edge agent: it reads the same file with its
own model, taking ``store``, ``broker`` and ``scales`` and leaving the other
sections to their owners. Errors name the file and the key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from comptoir.config import ConfigError, load_config, parse_config
from comptoir.contract.fields import DeviceId, Gtin, Label
from comptoir.link import BrokerSettings
from comptoir.metrics import MetricsSettings


class ScaleConfig(BaseModel):
    """One weighing shelf on one serial port."""

    model_config = ConfigDict(extra="forbid")

    device: DeviceId = Field(description="the scale's device id: its MQTT topic is scale/<device>/weight")
    serial: str = Field(description="serial port; prefer the stable /dev/serial/by-id/... path")
    baud: int = Field(115200, description="the firmware talks at 115200 baud")
    slot: Label | None = Field(None, description="planogram slot the shelf holds")
    gtin: Gtin | None = Field(None, description="the item on the shelf")
    unit_grams: float | None = Field(None, gt=0, le=1e6, description="one item's weight: gives 'units'")
    rate_hz: int | None = Field(None, ge=1, le=80, description="weight reports per second asked of the firmware")
    # publishing: the edge sends meaning, not every reading
    min_change_g: float = Field(2.0, ge=0, description="publish a stable weight when it moved by this much")
    heartbeat_s: float = Field(30.0, gt=0, description="publish the current weight at least this often")
    # the serial line
    reopen_interval_s: float = Field(0.5, gt=0, le=60, description="wait between tries to reopen a vanished port")
    command_timeout_s: float = Field(2.0, gt=0, le=60, description="wait this long for a command's ACK/NAK")
    command_retries: int = Field(3, ge=0, le=10, description="send an unanswered command again this often")
    silence_s: float = Field(
        5.0, gt=0, le=3600, description="no reading for this long (real seconds): publish status not_ready"
    )
    bad_line_warning: int = Field(
        20, ge=1, description="this many bad lines in a row: warn that the baud rate may be wrong"
    )


class BridgeConfig(BaseModel):
    """What the bridge reads from edge.yaml; other sections belong to the edge agent."""

    model_config = ConfigDict(extra="ignore")

    store: DeviceId = "demo"
    broker: BrokerSettings = Field(default_factory=BrokerSettings)
    state_dir: Path | None = Field(None, description="outboxes and done-command lists (default: per-user state dir)")
    scales: list[ScaleConfig] = Field(default_factory=list)
    bridge_metrics: MetricsSettings = Field(default_factory=MetricsSettings,
                                            description="the bridge's /metrics (edge.yaml's metrics: is the agent's)")


def load_bridge_config(path: str | Path) -> BridgeConfig:
    """Read the bridge's part of edge.yaml; a file without ``scales:`` is an error worth saying."""
    config = load_config(path, BridgeConfig)
    if not config.scales:
        raise ConfigError(f"{path}: scales: no scale configured (add a 'scales:' list)")
    return config


def parse_bridge_config(data: Any, path: Path) -> BridgeConfig:
    """Validate already-loaded YAML data (tests and callers holding the document)."""
    return parse_config(data, BridgeConfig, path)


def dump_example() -> str:
    """An edge.yaml fragment for the docs and ``comptoir bridge --example``."""
    return yaml.safe_dump(
        {
            "store": "demo",
            "broker": {"url": "mqtt://127.0.0.1:1883"},
            "scales": [
                {
                    "device": "scale-7",
                    "serial": "/dev/serial/by-id/usb-Espressif_ESP32_scale-7-if00",
                    "baud": 115200,
                    "slot": "A2-B1-S3-04",
                    "gtin": "03017620422003",
                    "unit_grams": 250.0,
                }
            ],
        },
        sort_keys=False,
    )
