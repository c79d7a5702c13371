"""``comptoir detect``: one image through the edge pipeline, from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from simulators.camera.cli import render_stills
from simulators.world import World


def comptoir(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "comptoir", *args], capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("renders")
    render_stills(World(seed=7, movers=False), 1, out, seed=77, size=(960, 540))
    return out


def test_detect_prints_detections_and_slot_counts_as_json(renders: Path) -> None:
    image = renders / "images" / "000000.jpg"
    run = comptoir("detect", str(image), "--slots", str(renders / "slots.json"), "--json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    truth = json.loads((renders / "slots.json").read_text())["000000.jpg"]
    assert result["width"] == 960 and result["height"] == 540
    products = [d for d in result["detections"] if d["class"] == "product"]
    visible = sum(s["facings"] for s in truth["slots"] if not s["occluded"])
    assert abs(len(products) - visible) <= max(3, visible // 10)
    assert [s["slot"] for s in result["slots"]] == [s["slot"] for s in truth["slots"]]
    assert {s["state"] for s in result["slots"]} <= {"ok", "empty", "occluded"}


def test_detect_names_a_missing_model(renders: Path, tmp_path: Path) -> None:
    run = comptoir("detect", str(renders / "images" / "000000.jpg"), "--model", str(tmp_path / "gone.onnx"))
    assert run.returncode == 1
    assert f"model file {tmp_path / 'gone.onnx'} does not exist" in run.stderr


def test_detect_refuses_a_calibration_for_another_image_size(renders: Path, tmp_path: Path) -> None:
    slots = json.loads((renders / "slots.json").read_text())["000000.jpg"]
    slots["width"], slots["height"] = 1920, 1080
    other = tmp_path / "cam.slots.json"
    other.write_text(json.dumps(slots))
    run = comptoir("detect", str(renders / "images" / "000000.jpg"), "--slots", str(other))
    assert run.returncode == 1
    assert "is for 1920x1080 images" in run.stderr


def test_edge_agent_stops_at_start_up_naming_a_missing_model(renders: Path, tmp_path: Path) -> None:
    slots = json.loads((renders / "slots.json").read_text())["000000.jpg"]
    (tmp_path / "cam.slots.json").write_text(json.dumps(slots))
    missing = tmp_path / "models" / "gone.onnx"
    (tmp_path / "edge.yaml").write_text(
        json.dumps(
            {
                "store": "test",
                "broker": {"url": "mqtt://127.0.0.1:1"},
                "state_dir": str(tmp_path / "state"),
                "cameras": [
                    {
                        "id": "cam-1",
                        "url": "http://127.0.0.1:1/stream.mjpg",
                        "slots": str(tmp_path / "cam.slots.json"),
                        "model": str(missing),
                    }
                ],
            }
        )
    )
    run = comptoir("edge", "--config", str(tmp_path / "edge.yaml"))
    assert run.returncode == 1
    assert f"model file {missing} does not exist" in run.stderr
    assert "Traceback" not in run.stderr
