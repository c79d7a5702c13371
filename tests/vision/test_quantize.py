"""``comptoir models quantize``: the int8 twin of a detector, with ONNX Runtime only (no PyTorch).

Calibrated on renders and real photos as the shipped one was; the edge must
accept it as it accepts the float model (same input, same output, class
names kept) and find the same products.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from edge.vision.detector import Detector, shipped_model_path
from models.dataset import DEFAULT_SIZE, WORLD_SEED
from models.evaluate import evaluate
from simulators.camera.cli import render_stills
from simulators.world import World

pytest.importorskip("onnx")  # onnxruntime.quantization needs it (dev and train extras)

REAL = Path(__file__).resolve().parents[2] / "models" / "data" / "real-shelf"


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("renders")
    render_stills(World(seed=WORLD_SEED, movers=False), 12, out, seed=4243, size=DEFAULT_SIZE)
    return out


def test_quantize_writes_an_int8_model_the_edge_runs_alike(renders: Path, tmp_path: Path) -> None:
    out = tmp_path / "int8.onnx"
    run = subprocess.run(
        [sys.executable, "-m", "comptoir", "models", "quantize", "--model", str(shipped_model_path()),
         "--out", str(out), "--calibrate", str(renders), "--calibrate", str(REAL), "--per-folder", "6"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    float_model, int8 = Detector(shipped_model_path()), Detector(out)
    assert (int8.input_h, int8.input_w, int8.num_classes) == (float_model.input_h, float_model.input_w, 2)
    assert int8.names == {0: "product", 1: "shopper"}
    assert out.stat().st_size < shipped_model_path().stat().st_size / 2  # int8 weights
    assert int8.session.get_modelmeta().custom_metadata_map["quantization"].startswith("int8 static QDQ")
    f, q = evaluate(shipped_model_path(), renders), evaluate(out, renders)
    assert q.detection["mAP50"] >= f.detection["mAP50"] - 0.02, (f.detection, q.detection)


def test_no_calibration_images_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "comptoir", "models", "quantize", "--model", str(shipped_model_path()),
         "--out", str(tmp_path / "x.onnx"), "--calibrate", str(tmp_path / "empty")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 1 and "no calibration images" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "x.onnx").exists()
