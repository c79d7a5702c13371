"""A one-epoch training and export, where the train extra (ultralytics) is installed.

CI does not install it (PyTorch is several GB and the shipped model is what
the edge runs); this test then skips, as the issue allows.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import cv2
import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("ultralytics") is None, reason="the train extra (ultralytics) is not installed"
)


@pytest.mark.timeout(300)
def test_train_one_epoch_and_export_for_the_edge(tmp_path: Path) -> None:
    from edge.vision.detector import Detector
    from models.dataset import build_dataset
    from models.export import export
    from models.train import train

    data = build_dataset(tmp_path / "data", train=8, val=2, seed=3, size=(480, 270), crop=270, progress=False)
    best = train(data, tmp_path / "run", epochs=1, imgsz=160, batch=4, workers=0)
    onnx_file = export(best, tmp_path / "shelf.onnx", imgsz=(96, 160))
    detector = Detector(onnx_file)
    assert (detector.input_h, detector.input_w) == (96, 160)
    assert detector.names == {0: "product", 1: "shopper"}
    image = cv2.imread(str(next((tmp_path / "data" / "val" / "images").glob("*.jpg"))))
    found = detector.detect(image, conf=0.0)
    assert found.boxes.shape[1] == 4  # runs end to end; one epoch teaches nothing worth asserting


@pytest.mark.timeout(300)
def test_fine_tune_from_shipped_on_imported_photos_and_renders(tmp_path: Path) -> None:
    """``comptoir models train --from shipped --data <import> --data <renders>``: one epoch, then export."""
    import subprocess
    import sys

    from edge.vision.detector import Detector
    from models.dataset import build_dataset
    from models.importer import import_export

    real = Path(__file__).resolve().parents[2] / "models" / "data" / "real-shelf"
    sample = tmp_path / "sample"
    for sub in ("images", "labels"):
        (sample / sub).mkdir(parents=True)
    for image in sorted((real / "images").iterdir())[:8]:
        (sample / "images" / image.name).write_bytes(image.read_bytes())
        (sample / "labels" / f"{image.stem}.txt").write_bytes((real / "labels" / f"{image.stem}.txt").read_bytes())
    photos = import_export(sample, tmp_path / "photos", hold_out=0.0).data_yaml
    renders = build_dataset(tmp_path / "renders", train=4, val=2, seed=3, size=(480, 270), crop=270, progress=False)

    def comptoir(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "comptoir", "models", *args], capture_output=True, text=True)

    run = comptoir(
        "train", "--from", "shipped", "--data", str(photos), "--data", str(renders), "--out", str(tmp_path / "run"),
        "--epochs", "1", "--imgsz", "160", "--batch", "4", "--no-val",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    last = tmp_path / "run" / "weights" / "last.pt"
    assert f"last weights: {last}" in run.stdout
    run = comptoir("export", "--weights", str(last), "--out", str(tmp_path / "tuned.onnx"))
    assert run.returncode == 0, run.stderr[-2000:]
    assert Detector(tmp_path / "tuned.onnx").names == {0: "product", 1: "shopper"}
