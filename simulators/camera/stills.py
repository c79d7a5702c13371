"""Writing rendered frames to disk in the YOLO layout, with the slot truth beside them.

``DIR/images/NNNNNN.jpg``, ``DIR/labels/NNNNNN.txt`` (one ``class cx cy w h``
line per box, normalised) and ``DIR/slots.json``: per image, each slot's
polygon in image coordinates, its capacity, its true facings and whether a
shopper hides it. The class names are in ``DIR/classes.txt``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import cv2

from simulators.camera.render import CLASS_NAMES, Frame


def write_stills(frames: Iterable[Frame], out: Path, *, quality: int = 92, start: int = 0) -> int:
    """Write frames under ``out``; returns how many were written. Appends to an existing ``slots.json``."""
    images, labels = out / "images", out / "labels"
    images.mkdir(parents=True, exist_ok=True)
    labels.mkdir(parents=True, exist_ok=True)
    slots_file = out / "slots.json"
    truth: dict[str, object] = json.loads(slots_file.read_text()) if slots_file.exists() else {}
    count = 0
    for i, frame in enumerate(frames, start=start):
        name = f"{i:06d}"
        if not cv2.imwrite(str(images / f"{name}.jpg"), frame.image, [cv2.IMWRITE_JPEG_QUALITY, quality]):
            raise OSError(f"could not write {images / name}.jpg")
        (labels / f"{name}.txt").write_text(frame.yolo_labels())
        h, w = frame.image.shape[:2]
        truth[f"{name}.jpg"] = {
            "width": w,
            "height": h,
            "shopper": frame.shopper,
            "slots": [s.as_dict() for s in frame.slots],
        }
        count += 1
    slots_file.write_text(json.dumps(truth, ensure_ascii=False, indent=0))
    (out / "classes.txt").write_text("".join(f"{n}\n" for n in CLASS_NAMES))
    return count
