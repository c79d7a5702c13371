"""``comptoir models import``: a labelling tool's export -> the detector's training layout.

Every exporter class becomes ``product`` unless a mapping says otherwise
(the detector counts facings: any package is a product). Photos are held
out by *source photo*, so the augmented copies of one photo (Roboflow writes
``IMG_0565_JPG.rf.<hash>.jpg`` several times over) never sit on both sides.
Which sources are held out is decided by a seeded hash of the source's
name: stable when photos are added, and written to ``held-out.txt``.
Everything is read and checked before anything is written, and the layout is
written to a temporary folder renamed into place: a broken export leaves
nothing behind.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from models.annotations import AnnotationError, LabelledImage, read_export
from simulators.camera.render import CLASS_NAMES

#: two boxes of one class overlapping this much are one object labelled twice (the real-shelf set has 13)
DUPLICATE_IOU = 0.9

_ROBOFLOW = re.compile(r"^(?P<source>.+?)(?:_(?:jpe?g|png|bmp|webp))?\.rf\.[0-9a-f]+$", re.IGNORECASE)


def source_of(image: Path) -> str:
    """The source photo an (augmented) image comes from: the part before ``_JPG.rf.<hash>``, else the stem."""
    match = _ROBOFLOW.match(image.stem)
    return match.group("source") if match else image.stem


def held_out(source: str, share: float, seed: int) -> bool:
    """Whether ``source`` is held out: a seeded hash, so the choice never depends on the other photos."""
    digest = hashlib.sha256(f"{seed}:{source}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def parse_mapping(spec: str | None) -> dict[str, str]:
    """``"Person=shopper,Pledge=product"`` -> {name: detector class}; unnamed classes go to ``product``."""
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in (spec or "").split(","))):
        name, sep, target = part.partition("=")
        if not sep or target.strip() not in CLASS_NAMES:
            raise AnnotationError(f"mapping {part!r}: write NAME=CLASS with CLASS one of {', '.join(CLASS_NAMES)}")
        out[name.strip()] = target.strip()
    return out


@dataclass(frozen=True)
class ImportSummary:
    images: int
    boxes: int
    duplicates: int
    train_images: int
    held_out_images: int
    sources: int
    held_out_sources: tuple[str, ...]
    data_yaml: Path


def import_export(
    source: Path,
    out: Path,
    *,
    fmt: str = "auto",
    mapping: dict[str, str] | None = None,
    hold_out: float = 0.2,
    seed: int = 22,
    held_out_list: Path | None = None,
) -> ImportSummary:
    """Read ``source``, map classes, split by source photo and write ``out`` (train/, held-out/, data.yaml).

    ``held_out_list``: a file of source names to hold out (one a line)
    instead of the seeded hash: a fixed held-out set that survives a change
    of ``hold_out`` or ``seed``.
    """
    mapping = mapping or {}
    images = read_export(source, fmt)
    if not images:
        raise AnnotationError(f"{source}: no labelled images found")
    fixed = None
    if held_out_list is not None:
        fixed = {line.strip() for line in Path(held_out_list).read_text().splitlines() if line.strip()}
    sources = sorted({source_of(item.image) for item in images})
    chosen = tuple(s for s in sources if (s in fixed if fixed is not None else held_out(s, hold_out, seed)))
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise AnnotationError(f"{out}: already exists and is not empty; choose a new folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        counts = _write(images, staging, mapping, set(chosen))
        (staging / "held-out.txt").write_text("".join(f"{s}\n" for s in chosen))
        names = "".join(f"  {i}: {n}\n" for i, n in enumerate(CLASS_NAMES))
        # ultralytics wants a val folder; with nothing held out it gets the training photos (train --no-val)
        val = "held-out/images" if counts[1] else "train/images"
        (staging / "data.yaml").write_text(
            f"# imported from {Path(source).name}; held-out/ is for 'comptoir models evaluate', never for training\n"
            f"path: {out.resolve()}\ntrain: train/images\nval: {val}\nnames:\n{names}"
        )
        if out.exists():
            out.rmdir()
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ImportSummary(
        images=len(images),
        boxes=counts[2],
        duplicates=counts[3],
        train_images=counts[0],
        held_out_images=counts[1],
        sources=len(sources),
        held_out_sources=chosen,
        data_yaml=out / "data.yaml",
    )


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _write(
    images: list[LabelledImage], out: Path, mapping: dict[str, str], chosen: set[str]
) -> tuple[int, int, int, int]:
    """Copy images, write YOLO box labels; a box duplicating one already written (same class) is dropped.

    A duplicate would be an object no detector can find twice: it would
    count as missed in every evaluation.
    """
    counts = {"train": 0, "held-out": 0}
    boxes = duplicates = 0
    for item in images:
        split = "held-out" if source_of(item.image) in chosen else "train"
        for sub in ("images", "labels"):
            (out / split / sub).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(item.image, out / split / "images" / item.image.name)
        lines = []
        kept: list[tuple[int, tuple[float, ...]]] = []
        for box in item.boxes:
            cls = CLASS_NAMES.index(mapping.get(box.name, "product"))
            corners = (box.x0, box.y0, box.x1, box.y1)
            if any(c == cls and _iou(corners, k) >= DUPLICATE_IOU for c, k in kept):
                duplicates += 1
                continue
            kept.append((cls, corners))
            cx, cy, w, h = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2, box.x1 - box.x0, box.y1 - box.y0
            lines.append(f"{cls} {cx:.6f} {cy:.6f} {w:.6f} {h:.6f}\n")
        (out / split / "labels" / f"{item.image.stem}.txt").write_text("".join(lines))
        counts[split] += 1
        boxes += len(lines)
    return counts["train"], counts["held-out"], boxes, duplicates
