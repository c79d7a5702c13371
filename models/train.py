"""Training the shelf detector with ultralytics, from the model yaml (no pretrained download exists here).

Everything that could reach the internet is off: weights come from the
yaml (``pretrained=False``), plots (which fetch a font) are off, and
``YOLO_OFFLINE`` is set before ultralytics is imported.
"""

from __future__ import annotations

import os
from pathlib import Path

MODEL_YAML = Path(__file__).with_name("shelf-detector.yaml")
#: the weights the shipped ONNX was exported from: ``--from shipped`` fine-tunes them
SHIPPED_WEIGHTS = Path(__file__).with_name("shelf-detector.pt")


def parse_data_arg(text: str) -> tuple[Path, int]:
    """``data.yaml`` or ``data.yaml:N`` (its training images N times per epoch) as (path, times)."""
    path, sep, times = text.rpartition(":")
    if not sep or not times.isdigit():
        path, times = text, "1"
    if int(times) < 1:
        raise RuntimeError(f"{text}: a set is repeated at least once")
    if not Path(path).is_file():
        raise RuntimeError(f"{path}: no such data.yaml")
    return Path(path), int(times)


def merge_data(files: list[Path], out: Path, repeats: list[int] | None = None) -> Path:
    """One ultralytics data.yaml training on every set of ``files`` (renders and real photos together).

    Train and val folders are listed side by side (ultralytics takes lists);
    the sets must name the same classes. ``repeats[i]`` > 1 lists set i's
    training images that many times (a text file of image paths, which
    ultralytics reads with its duplicates): a few hundred photos of one large
    package each would otherwise weigh nothing beside renders that hold a
    hundred facings each.
    """
    import yaml

    repeats = repeats or [1] * len(files)
    out.mkdir(parents=True, exist_ok=True)
    train: list[str] = []
    val: list[str] = []
    names = None
    for index, (file, times) in enumerate(zip(files, repeats, strict=True)):
        data = yaml.safe_load(Path(file).read_text())
        root = Path(data.get("path") or Path(file).parent)
        if not root.is_absolute():
            root = (Path(file).parent / root).resolve()
        for key, into in (("train", train), ("val", val)):
            value = data.get(key)
            entries = [
                str((root / entry).resolve())
                for entry in (value if isinstance(value, list) else [value] if value else [])
            ]
            if key == "train" and times > 1:
                images = sorted(str(image) for entry in entries for image in _images(Path(entry)))
                listing = out / f"train-{index}-x{times}.txt"
                listing.write_text("".join(f"{image}\n" for _ in range(times) for image in images))
                entries = [str(listing)]
            into.extend(entries)
        these = data.get("names")
        these = [these[k] for k in sorted(these)] if isinstance(these, dict) else list(these or [])
        if names is not None and these != names:
            raise RuntimeError(f"{file}: classes {these} differ from {names}; import with the same mapping")
        names = these
    merged = out / "data.yaml"
    merged.write_text(yaml.safe_dump({"train": train, "val": val, "names": dict(enumerate(names or []))}))
    return merged


_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


def _images(entry: Path) -> list[Path]:
    if entry.is_file() and entry.suffix == ".txt":
        return [Path(line) for line in entry.read_text().splitlines() if line.strip()]  # paths may hold spaces
    return [path for path in entry.rglob("*") if path.suffix.lower() in _IMAGE_SUFFIXES]


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
    validate: bool = True,
    balance_images: bool = False,
    mosaic: float = 1.0,
) -> Path:
    """Train on ``data`` (an ultralytics data.yaml); returns the best weights (``out/weights/best.pt``).

    ``start``: weights to fine-tune (a shop's photos on top of the shipped
    model's ``.pt``); without it, training starts from scratch. ``hours``
    bounds the wall time (ultralytics then fits the learning-rate schedule
    to it, whatever ``epochs`` says); ``warmup_epochs`` 0 suits fine-tuning
    (``start``). The default ``imgsz`` suits the
    dataset's 540-pixel crops: products at the scale the edge sees them.
    ``validate`` False: no validation between epochs (the last weights are
    returned, so that no held-out photo chooses the weights it then scores).
    ``balance_images``: every image weighs alike in the loss, however many
    boxes it holds (``models.balanced_loss``): for renders and real photos
    together. ``mosaic``: the share of training samples tiled from four
    images (a tile of a render then also outweighs the photos beside it).
    """
    yolo = _ultralytics()
    if balance_images:
        from models import balanced_loss

        balanced_loss.install()
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
        mosaic=mosaic,
        fraction=fraction,
        val=validate,
        **({"time": hours} if hours else {}),
        verbose=False,
    )
    best = out / "weights" / ("best.pt" if validate else "last.pt")
    if not best.exists():
        raise RuntimeError(f"training finished without {best}")
    return best
