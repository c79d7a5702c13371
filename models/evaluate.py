"""Evaluating a detector on held-out renders, through the edge's own pipeline.

Detection quality (mAP50, mAP50-95, per class) uses the edge's
:class:`edge.vision.detector.Detector` (letterbox, ONNX Runtime, decode,
NMS) at a low score floor; counting quality runs the edge's
:class:`edge.vision.slots.SlotMap` on each image's slot polygons and
compares with the true facings. What is measured is what the shop runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from edge.vision.detector import Detector
from edge.vision.slots import Calibration, SlotMap
from models.metrics import CountScore, DetectionScore

#: the render seed of the held-out set in the model card (never used for training)
HELD_OUT_SEED = 1000


@dataclass
class Evaluation:
    images: int
    detection: dict[str, float]
    counting: dict[str, float]
    ms_per_image: float

    def as_dict(self) -> dict[str, object]:
        return {
            "images": self.images,
            "ms_per_image": round(self.ms_per_image, 1),
            "detection": {k: round(v, 4) for k, v in self.detection.items()},
            "counting": {k: round(v, 4) if isinstance(v, float) else v for k, v in self.counting.items()},
        }


def read_labels(path: Path, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """YOLO label lines -> (boxes x0 y0 x1 y1 in pixels, classes)."""
    rows = [line.split() for line in path.read_text().splitlines() if line.strip()] if path.exists() else []
    if not rows:
        return np.zeros((0, 4), np.float32), np.zeros(0, np.int64)
    arr = np.array(rows, np.float32)
    cx, cy, w, h = arr[:, 1] * width, arr[:, 2] * height, arr[:, 3] * width, arr[:, 4] * height
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    return boxes, arr[:, 0].astype(np.int64)


def evaluate(
    model: Path,
    data: Path,
    *,
    count_score: float = 0.4,
    shopper_score: float = 0.25,
    iou: float = 0.6,
    limit: int | None = None,
    detector: Detector | None = None,
    progress: bool = False,
    classes: tuple[int, ...] | None = None,
) -> Evaluation:
    """Score ``model`` on a folder of ``images/`` and YOLO ``labels/``.

    With a ``slots.json`` (renders), the counting is scored too; without one
    (a shop's own labelled photos), only the detection, with precision,
    recall and false boxes per image at ``count_score`` (the edge's
    threshold for a product to count). ``classes``: score only these classes
    (the real photos label products only: ``(0,)``).
    """
    import time

    detector = detector or Detector(model, conf=0.01, iou=iou)
    slots_file = data / "slots.json"
    truth = json.loads(slots_file.read_text()) if slots_file.exists() else None
    names = sorted(truth) if truth is not None else sorted(p.name for p in (data / "images").glob("*.jpg"))
    names = names[:limit] if limit else names
    det_score = DetectionScore(classes=detector.num_classes)
    count = CountScore()
    elapsed = 0.0
    items = names
    if progress:
        from rich.progress import track

        items = track(names, description="evaluate", transient=True)
    for name in items:
        image = cv2.imread(str(data / "images" / name), cv2.IMREAD_COLOR)
        if image is None:
            raise FileNotFoundError(f"{data / 'images' / name} is missing or unreadable")
        h, w = image.shape[:2]
        t0 = time.perf_counter()
        found = detector.detect(image, conf=0.01)
        elapsed += time.perf_counter() - t0
        boxes, truth_cls = read_labels(data / "labels" / (Path(name).stem + ".txt"), w, h)
        if classes is not None:
            keep = np.isin(found.classes, classes)
            found_boxes, found_scores, found_cls = found.boxes[keep], found.scores[keep], found.classes[keep]
            det_score.add(found_boxes, found_scores, found_cls, boxes, truth_cls)
        else:
            det_score.add(found.boxes, found.scores, found.classes, boxes, truth_cls)
        if truth is None:
            continue
        view = truth[name]
        slot_map = SlotMap(Calibration.model_validate(view), count_score=count_score, shopper_score=shopper_score)
        for reading, slot in zip(slot_map.read(found), view["slots"], strict=True):
            count.add(slot["facings"], slot["occluded"], reading.state, reading.facings)
    detection = det_score.result()
    detection.update({f"{k}@{count_score:g}": v for k, v in det_score.operating_point(count_score).items()})
    return Evaluation(len(names), detection, count.result(), elapsed / max(len(names), 1) * 1000)
