"""Training the shelf detector with ultralytics, from the model yaml (no pretrained download exists here).

Everything that could reach the internet is off: weights come from the
yaml (``pretrained=False``), plots (which fetch a font) are off, and
``YOLO_OFFLINE`` is set before ultralytics is imported.
"""

from __future__ import annotations

import os
from pathlib import Path

MODEL_YAML = Path(__file__).with_name("shelf-detector.yaml")


def _ultralytics():  # type: ignore[no-untyped-def]
    os.environ.setdefault("YOLO_OFFLINE", "1")
    try:
        from ultralytics import YOLO
    except ImportError:
        raise RuntimeError("training needs the train extra: pip install 'comptoir[train,edge]'") from None
    return YOLO


def train(
    data: Path,
    out: Path,
    *,
    epochs: int = 10,
    imgsz: int = 352,
    batch: int = 32,
    seed: int = 0,
    start: Path | None = None,
    workers: int = 2,
    device: str = "cpu",
    fraction: float = 1.0,
    hours: float | None = None,
    warmup_epochs: float = 1.0,
) -> Path:
    """Train on ``data`` (an ultralytics data.yaml); returns the best weights (``out/weights/best.pt``).

    ``start``: weights to fine-tune (a shop's photos on top of the shipped
    model's ``.pt``); without it, training starts from scratch. ``hours``
    bounds the wall time (ultralytics then fits the learning-rate schedule
    to it, whatever ``epochs`` says); ``warmup_epochs`` 0 suits fine-tuning
    (``start``). The default ``imgsz`` suits the
    dataset's 540-pixel crops: products at the scale the edge sees them.
    """
    yolo = _ultralytics()
    model = yolo(str(start) if start else str(MODEL_YAML))
    out = Path(out).resolve()
    model.train(
        data=str(Path(data).resolve()),
        epochs=epochs,
        imgsz=imgsz,
        batch=batch,
        device=device,
        workers=workers,
        seed=seed,
        pretrained=start is not None,  # False would discard the weights of ``start``
        plots=False,
        amp=False,
        project=str(out.parent),
        name=out.name,
        exist_ok=True,
        close_mosaic=max(1, epochs // 5),
        warmup_epochs=warmup_epochs,
        scale=0.25,
        fraction=fraction,
        **({"time": hours} if hours else {}),
        verbose=False,
    )
    best = out / "weights" / "best.pt"
    if not best.exists():
        raise RuntimeError(f"training finished without {best}")
    return best
