"""The bridge reads the 'scales:' section of edge.yaml; mistakes are named by file and key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from firmware_bridge.config import load_bridge_config

from comptoir.config import ConfigError, load_config

EDGE_YAML = """\
store: rue-des-lilas
broker:
  url: mqtt://127.0.0.1:1883
state_dir: edge-state
readers: []        # the edge agent's own sections: not the bridge's business
cameras: []
scales:
  - device: scale-7
    serial: /dev/serial/by-id/usb-Espressif_scale-7-if00
    slot: A2-B1-S3-04
    gtin: "3017620422003"
    unit_grams: 250
"""


def test_reads_scales_store_and_broker_and_leaves_other_sections(tmp_path: Path) -> None:
    path = tmp_path / "edge.yaml"
    path.write_text(EDGE_YAML)
    config = load_bridge_config(path)
    assert config.store == "rue-des-lilas"
    scale = config.scales[0]
    assert scale.device == "scale-7" and scale.baud == 115200
    assert scale.gtin == "03017620422003"  # the contract's 14-digit form
    assert scale.unit_grams == 250.0 and scale.heartbeat_s == 30.0


def test_the_same_file_is_valid_for_the_edge_agent(tmp_path: Path) -> None:
    """One edge.yaml for both: the agent lets 'scales:' through, the bridge ignores the agent's sections."""
    from edge.config import EdgeConfig

    path = tmp_path / "edge.yaml"
    path.write_text(EDGE_YAML)
    edge = load_config(path, EdgeConfig)
    bridge = load_bridge_config(path)
    assert edge.store == bridge.store and edge.broker == bridge.broker and edge.state_dir == bridge.state_dir


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (("unit_grams: 250", "unit_grams: -1"), "scales.0.unit_grams"),
        (('gtin: "3017620422003"', 'gtin: "3017620422004"'), "scales.0.gtin"),
        (("    slot:", "    sloot:"), "scales.0.sloot"),
        (("device: scale-7", "device: scale 7"), "scales.0.device"),
    ],
)
def test_a_mistake_names_the_file_and_key(tmp_path: Path, change: tuple[str, str], named: str) -> None:
    path = tmp_path / "edge.yaml"
    path.write_text(EDGE_YAML.replace(*change))
    with pytest.raises(ConfigError) as err:
        load_bridge_config(path)
    assert str(path) in str(err.value) and named in str(err.value)


def test_a_file_without_scales_says_so(tmp_path: Path) -> None:
    path = tmp_path / "edge.yaml"
    path.write_text("store: demo\n")
    with pytest.raises(ConfigError, match="scales: no scale configured"):
        load_bridge_config(path)


def test_cli_reports_a_bad_config_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "edge.yaml"
    path.write_text(EDGE_YAML.replace("unit_grams: 250", "unit_grams: lots"))
    result = subprocess.run(
        [sys.executable, "-m", "comptoir", "bridge", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "scales.0.unit_grams" in result.stderr and "Traceback" not in result.stderr
