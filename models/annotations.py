"""Reading labelled photos from the export formats of labelling tools: YOLO, COCO JSON, Pascal VOC XML.

CVAT, Label Studio and Roboflow all export at least one of these. Every
reader returns the same thing, :class:`LabelledImage` (an image file and its
boxes normalised to 0..1, each with the exporter's class name), and raises
:class:`AnnotationError` naming the file and what is wrong with it: a broken
export is refused whole, never half-imported.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


class AnnotationError(ValueError):
    """An export that cannot be imported; the message names the file and the fault."""


@dataclass(frozen=True, slots=True)
class LabelledBox:
    name: str  # the exporter's class name (or its number when the export names none)
    x0: float
    y0: float
    x1: float
    y1: float  # 0..1 of the image's width and height


@dataclass(frozen=True, slots=True)
class LabelledImage:
    image: Path
    boxes: tuple[LabelledBox, ...]


def check_image(path: Path) -> tuple[int, int]:
    """The image's (width, height); an unreadable or truncated file raises :class:`AnnotationError`.

    OpenCV decodes a truncated JPEG without complaint (the missing rows come
    out grey), so the end-of-image marker is checked too.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AnnotationError(f"{path}: cannot read the image ({exc.strerror})") from None
    if data[:2] == b"\xff\xd8" and b"\xff\xd9" not in data[-64:]:
        raise AnnotationError(f"{path}: truncated JPEG (no end-of-image marker)")
    if data[:8] == b"\x89PNG\r\n\x1a\n" and b"IEND" not in data[-16:]:
        raise AnnotationError(f"{path}: truncated PNG (no IEND chunk)")
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
    if image is None:
        raise AnnotationError(f"{path}: not a readable image")
    return int(image.shape[1]), int(image.shape[0])


def _unit(path: Path, where: str, values: list[float]) -> None:
    for v in values:
        if not (0.0 <= v <= 1.0) or v != v:
            raise AnnotationError(f"{path}: {where}: coordinate {v} is outside 0-1")


def _box_of(name: str, xs: list[float], ys: list[float]) -> LabelledBox:
    return LabelledBox(name, min(xs), min(ys), max(xs), max(ys))


# -- YOLO ----------------------------------------------------------------------------------------------
def yolo_names(root: Path) -> list[str] | None:
    """Class names from ``data.yaml`` (``names:`` list or mapping) or ``classes.txt``/``obj.names``."""
    for candidate in ("data.yaml", "data.yml"):
        file = root / candidate
        if file.is_file():
            import yaml

            try:
                data = yaml.safe_load(file.read_text())
            except yaml.YAMLError as exc:
                raise AnnotationError(f"{file}: malformed YAML ({exc})") from None
            names = (data or {}).get("names") if isinstance(data, dict) else None
            if isinstance(names, dict):
                return [str(names[k]) for k in sorted(names, key=int)]
            if isinstance(names, list):
                return [str(n) for n in names]
            raise AnnotationError(f"{file}: no 'names' list or mapping")
    for candidate in ("classes.txt", "obj.names"):
        file = root / candidate
        if file.is_file():
            return [line.strip() for line in file.read_text().splitlines() if line.strip()]
    return None


def read_yolo_labels(path: Path, names: list[str] | None) -> tuple[LabelledBox, ...]:
    """One label file: ``class cx cy w h`` (boxes) or ``class x1 y1 x2 y2 ...`` (polygons, as Roboflow exports)."""
    boxes = []
    try:
        text = path.read_text()
    except UnicodeDecodeError:
        raise AnnotationError(f"{path}: not a text label file") from None
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        where = f"line {number}"
        try:
            cls = int(fields[0])
            values = [float(v) for v in fields[1:]]
        except ValueError:
            raise AnnotationError(f"{path}: {where}: not numbers: {line.strip()[:60]!r}") from None
        if cls < 0 or (names is not None and cls >= len(names)):
            known = f"0-{len(names) - 1}" if names else "0 or more"
            raise AnnotationError(f"{path}: {where}: class {cls} is out of range ({known})")
        if len(values) == 4:
            _unit(path, where, values)
            cx, cy, w, h = values
            if cx - w / 2 < -1e-6 or cx + w / 2 > 1 + 1e-6 or cy - h / 2 < -1e-6 or cy + h / 2 > 1 + 1e-6:
                raise AnnotationError(f"{path}: {where}: the box reaches outside 0-1")
            xs, ys = [max(0.0, cx - w / 2), min(1.0, cx + w / 2)], [max(0.0, cy - h / 2), min(1.0, cy + h / 2)]
        elif len(values) >= 6 and len(values) % 2 == 0:
            _unit(path, where, values)
            xs, ys = values[0::2], values[1::2]
        else:
            raise AnnotationError(
                f"{path}: {where}: {len(values)} numbers after the class; expected 4 (box) or an even 6+ (polygon)"
            )
        boxes.append(_box_of(names[cls] if names else str(cls), xs, ys))
    return tuple(boxes)


def read_yolo(root: Path) -> list[LabelledImage]:
    """``root/images/*`` with ``root/labels/<stem>.txt`` (an image without a label file has no objects)."""
    names = yolo_names(root) or yolo_names(root.parent)
    images_dir = root / "images"
    out = []
    for image in sorted(p for p in images_dir.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES):
        label = root / "labels" / f"{image.stem}.txt"
        check_image(image)
        out.append(LabelledImage(image, read_yolo_labels(label, names) if label.exists() else ()))
    return out


# -- COCO ----------------------------------------------------------------------------------------------
def read_coco(file: Path, images_dir: Path | None = None) -> list[LabelledImage]:
    """A COCO ``instances`` JSON: ``images``, ``annotations`` (``bbox`` x, y, w, h in pixels), ``categories``."""
    try:
        data = json.loads(file.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AnnotationError(f"{file}: malformed JSON ({exc})") from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), list) for k in ("images", "annotations")):
        raise AnnotationError(f"{file}: not a COCO export (needs 'images' and 'annotations' lists)")
    try:
        categories = {int(c["id"]): str(c["name"]) for c in data.get("categories", [])}
        images = {int(i["id"]): (str(i["file_name"]), int(i["width"]), int(i["height"])) for i in data["images"]}
    except (KeyError, TypeError, ValueError) as exc:
        raise AnnotationError(f"{file}: an image or category entry lacks {exc}") from None
    boxes: dict[int, list[LabelledBox]] = {i: [] for i in images}
    for n, ann in enumerate(data["annotations"]):
        where = f"annotation {ann.get('id', n) if isinstance(ann, dict) else n}"
        try:
            image_id, cat = int(ann["image_id"]), int(ann["category_id"])
            x, y, w, h = (float(v) for v in ann["bbox"])
        except (KeyError, TypeError, ValueError):
            raise AnnotationError(f"{file}: {where}: needs image_id, category_id and a 4-number bbox") from None
        if image_id not in images:
            raise AnnotationError(f"{file}: {where}: image_id {image_id} is not in 'images'")
        if categories and cat not in categories:
            raise AnnotationError(f"{file}: {where}: category_id {cat} is not in 'categories'")
        _, iw, ih = images[image_id]
        values = [x / iw, y / ih, (x + w) / iw, (y + h) / ih]
        _unit(file, where, values)
        boxes[image_id].append(LabelledBox(categories.get(cat, str(cat)), *values))
    base = images_dir or file.parent
    out = []
    for image_id, (name, _, _) in sorted(images.items()):
        path = base / name if (base / name).exists() else base / "images" / Path(name).name
        check_image(path)
        out.append(LabelledImage(path, tuple(boxes[image_id])))
    return out


# -- Pascal VOC ----------------------------------------------------------------------------------------
def read_voc_file(file: Path, images_dir: Path) -> LabelledImage:
    """One VOC XML: ``filename``, ``size``, ``object`` / ``name`` + ``bndbox`` (pixels, 1-based or 0-based)."""
    try:
        root = ET.parse(file).getroot()
    except ET.ParseError as exc:
        raise AnnotationError(f"{file}: malformed XML ({exc})") from None
    try:
        name = root.findtext("filename") or ""
        width, height = int(root.findtext("size/width") or 0), int(root.findtext("size/height") or 0)
    except ValueError:
        raise AnnotationError(f"{file}: size is not a number") from None
    if not name or width <= 0 or height <= 0:
        raise AnnotationError(f"{file}: needs a filename and a positive size/width and size/height")
    boxes = []
    for n, obj in enumerate(root.iter("object"), 1):
        where = f"object {n}"
        label = (obj.findtext("name") or "").strip()
        try:
            x0, y0, x1, y1 = (float(obj.findtext(f"bndbox/{k}") or "nan") for k in ("xmin", "ymin", "xmax", "ymax"))
        except ValueError:
            raise AnnotationError(f"{file}: {where}: bndbox is not numbers") from None
        if not label:
            raise AnnotationError(f"{file}: {where}: no name")
        values = [x0 / width, y0 / height, x1 / width, y1 / height]
        _unit(file, where, values)
        boxes.append(LabelledBox(label, *values))
    image = images_dir / name if (images_dir / name).exists() else file.with_name(name)
    check_image(image)
    return LabelledImage(image, tuple(boxes))


def read_voc(folder: Path) -> list[LabelledImage]:
    """Every ``*.xml`` under ``folder`` (or ``folder/Annotations``), images in ``JPEGImages`` or beside them."""
    ann = folder / "Annotations" if (folder / "Annotations").is_dir() else folder
    images = folder / "JPEGImages" if (folder / "JPEGImages").is_dir() else ann
    return [read_voc_file(f, images) for f in sorted(ann.glob("*.xml"))]


def read_export(source: Path, fmt: str = "auto") -> list[LabelledImage]:
    """Any of the three exports, its format found from its layout when ``fmt`` is ``auto``."""
    source = Path(source)
    if not source.exists():
        raise AnnotationError(f"{source}: does not exist")
    if fmt == "auto":
        if source.is_file() and source.suffix == ".json":
            fmt = "coco"
        elif (source / "labels").is_dir() and (source / "images").is_dir():
            fmt = "yolo"
        elif (source / "Annotations").is_dir() or any(source.glob("*.xml")):
            fmt = "voc"
        elif any(source.glob("*.json")):
            fmt, source = "coco", sorted(source.glob("*.json"))[0]
        else:
            raise AnnotationError(f"{source}: not a YOLO (images/ + labels/), COCO (.json) or VOC (.xml) export")
    if fmt == "yolo":
        return read_yolo(source)
    if fmt == "coco":
        return read_coco(source)
    if fmt == "voc":
        return read_voc(source)
    raise AnnotationError(f"unknown format {fmt!r}: yolo, coco, voc or auto")
