"""Export trained weights to the ONNX file the edge runs: no built-in NMS, fixed input size, fixed opset."""

from __future__ import annotations

import shutil
from pathlib import Path

from models.train import _ultralytics

OPSET = 17
#: the camera frames are 16:9; a 384x640 input keeps them whole with little padding
INPUT_HW = (384, 640)


def export(weights: Path, out: Path, *, imgsz: tuple[int, int] = INPUT_HW, opset: int = OPSET) -> Path:
    """Write ``out`` (.onnx) from ``weights`` (.pt); returns ``out``."""
    yolo = _ultralytics()
    made = yolo(str(weights)).export(
        format="onnx",
        imgsz=list(imgsz),
        opset=opset,
        nms=False,
        dynamic=False,
        simplify=False,
        half=False,
        device="cpu",
    )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if Path(made).resolve() != out.resolve():
        shutil.move(made, out)  # ultralytics writes beside the weights: leave nothing there
    return out
