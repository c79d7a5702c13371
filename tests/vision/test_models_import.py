"""``comptoir models import``: YOLO (boxes and polygons), COCO and Pascal VOC exports -> the training layout.

Real photos from ``models/data/real-shelf`` (Roboflow YOLO polygons) and
exports written here in the other two formats, as CVAT and Label Studio
write them; broken exports are refused whole, naming the file.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from models.annotations import AnnotationError, read_export
from models.importer import import_export, parse_mapping, source_of

REAL = Path(__file__).resolve().parents[2] / "models" / "data" / "real-shelf"


def comptoir(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "comptoir", *args], capture_output=True, text=True, timeout=120)


def _labels(folder: Path) -> list[list[float]]:
    return [
        [float(v) for v in line.split()] for f in sorted(folder.glob("*.txt")) for line in f.read_text().splitlines()
    ]


@pytest.fixture
def real_subset(tmp_path: Path) -> Path:
    """Every augmented copy of six source photos, as Roboflow exported them (YOLO polygons, five classes)."""
    sources = sorted({source_of(p) for p in (REAL / "images").iterdir()})[:6]
    out = tmp_path / "export"
    for sub in ("images", "labels"):
        (out / sub).mkdir(parents=True)
    for image in (REAL / "images").iterdir():
        if source_of(image) in sources:
            shutil.copy(image, out / "images")
            shutil.copy(REAL / "labels" / f"{image.stem}.txt", out / "labels")
    (out / "data.yaml").write_text("names: [AlcoholSpray, CameraBox1, CameraBox2, Pledge, StarSpray]\n")
    return out


def test_yolo_polygons_become_product_boxes_held_out_by_source_photo(real_subset: Path, tmp_path: Path) -> None:
    run = comptoir("models", "import", str(real_subset), "--out", str(tmp_path / "out"), "--hold-out", "0.5")
    assert run.returncode == 0, run.stderr
    out = tmp_path / "out"
    train = {source_of(p) for p in (out / "train" / "images").iterdir()}
    held = {source_of(p) for p in (out / "held-out" / "images").iterdir()}
    assert train and held and not train & held  # no source photo on both sides
    assert held == set((out / "held-out.txt").read_text().split())
    rows = _labels(out / "train" / "labels") + _labels(out / "held-out" / "labels")
    polygons = sum(
        len(line.split()) > 5 for f in real_subset.glob("labels/*.txt") for line in f.read_text().splitlines()
    )
    dropped = int(re.search(r"(\d+) duplicate boxes dropped", run.stdout).group(1))  # type: ignore[union-attr]
    assert len(rows) == polygons - dropped > 0 and dropped < polygons / 3
    assert all(len(r) == 5 and r[0] == 0 and all(0 <= v <= 1 for v in r[1:]) for r in rows)  # class product, boxes
    # a polygon's box is its extent
    first = sorted((real_subset / "labels").glob("*.txt"))[0]
    poly = np.array(first.read_text().splitlines()[0].split()[1:], float)
    split = "train" if source_of(first) in train else "held-out"
    _, cx, cy, w, h = (float(v) for v in (out / split / "labels" / first.name).read_text().splitlines()[0].split())
    assert cx - w / 2 == pytest.approx(poly[0::2].min(), abs=1e-5) and cy + h / 2 == pytest.approx(
        poly[1::2].max(), abs=1e-5
    )
    assert "data: " in run.stdout and (out / "data.yaml").read_text().count("held-out/images") == 1


def test_the_same_seed_holds_out_the_same_sources_whatever_else_is_imported(real_subset: Path, tmp_path: Path) -> None:
    a = import_export(real_subset, tmp_path / "a", hold_out=0.5, seed=3)
    for image in list((real_subset / "images").iterdir())[:3]:  # fewer photos: the others keep their side
        image.unlink()
    b = import_export(real_subset, tmp_path / "b", hold_out=0.5, seed=3)
    assert set(b.held_out_sources) <= set(a.held_out_sources)


def _photo(folder: Path, name: str, size: tuple[int, int] = (200, 100)) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    image = np.random.default_rng(0).integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    cv2.imwrite(str(folder / name), image)
    return folder / name


def _coco(folder: Path) -> Path:
    _photo(folder / "images", "a.jpg")
    _photo(folder / "images", "b.jpg")
    data = {
        "images": [
            {"id": 1, "file_name": "a.jpg", "width": 200, "height": 100},
            {"id": 2, "file_name": "b.jpg", "width": 200, "height": 100},
        ],
        "categories": [{"id": 1, "name": "Bottle"}, {"id": 2, "name": "Person"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [20, 10, 40, 50]},
            {"id": 2, "image_id": 2, "category_id": 2, "bbox": [100, 0, 100, 100]},
        ],
    }
    file = folder / "annotations.json"
    file.write_text(json.dumps(data))
    return file


def _voc(folder: Path, xmin: str = "20", name: str = "a.jpg") -> Path:
    _photo(folder / "JPEGImages", name)
    (folder / "Annotations").mkdir(parents=True, exist_ok=True)
    xml = (
        f"<annotation><filename>{name}</filename><size><width>200</width><height>100</height><depth>3</depth></size>"
        f"<object><name>can</name><bndbox><xmin>{xmin}</xmin><ymin>10</ymin><xmax>60</xmax><ymax>60</ymax></bndbox>"
        "</object></annotation>"
    )
    file = folder / "Annotations" / f"{Path(name).stem}.xml"
    file.write_text(xml)
    return file


def test_coco_export_with_a_mapping_to_shopper(tmp_path: Path) -> None:
    file = _coco(tmp_path / "coco")
    summary = import_export(file, tmp_path / "out", mapping=parse_mapping("Person=shopper"), hold_out=0.0)
    assert summary.images == 2 and summary.boxes == 2 and summary.held_out_images == 0
    a = (tmp_path / "out" / "train" / "labels" / "a.txt").read_text().split()
    assert [float(v) for v in a] == pytest.approx([0, 0.2, 0.35, 0.2, 0.5])
    assert (tmp_path / "out" / "train" / "labels" / "b.txt").read_text().startswith("1 ")  # Person -> shopper


def test_pascal_voc_export(tmp_path: Path) -> None:
    _voc(tmp_path / "voc")
    [item] = read_export(tmp_path / "voc")
    [box] = item.boxes
    assert (box.name, box.x0, box.y0, box.x1, box.y1) == ("can", 0.1, 0.1, 0.3, 0.6)


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("truncated image", "truncated JPEG"),
        ("class out of range", "class 7 is out of range (0-4)"),
        ("coordinate outside 0-1", "outside 0-1"),
        ("polygon with an odd count", "expected 4 (box) or an even 6+ (polygon)"),
        ("malformed XML", "malformed XML"),
        ("VOC box outside the image", "outside 0-1"),
        ("malformed JSON", "malformed JSON"),
        ("COCO unknown image", "image_id 9 is not in 'images'"),
    ],
)
def test_a_broken_export_is_refused_naming_the_file_and_nothing_is_written(
    fault: str, message: str, real_subset: Path, tmp_path: Path
) -> None:
    label = sorted((real_subset / "labels").glob("*.txt"))[2]
    source: Path = real_subset
    if fault == "truncated image":
        bad = real_subset / "images" / f"{label.stem}.jpg"
        _truncate(bad)
    elif fault in ("class out of range", "coordinate outside 0-1", "polygon with an odd count"):
        bad = label
        line = {"class out of range": "7 0.5 0.5 0.2 0.2", "coordinate outside 0-1": "0 0.5 0.5 1.4 0.2"}.get(
            fault, "0 0.1 0.1 0.2 0.2 0.3"
        )
        bad.write_text(bad.read_text().rstrip() + "\n" + line + "\n")
    elif fault == "malformed XML":
        bad = _voc(tmp_path / "voc")
        bad.write_text(bad.read_text()[:-20])
        source = tmp_path / "voc"
    elif fault == "VOC box outside the image":
        bad = _voc(tmp_path / "voc", xmin="-30")
        source = tmp_path / "voc"
    else:
        bad = _coco(tmp_path / "coco")
        text = bad.read_text()
        bad.write_text(text[:-5] if fault == "malformed JSON" else text.replace('"image_id": 2', '"image_id": 9'))
        source = bad
    out = tmp_path / "out"
    with pytest.raises(AnnotationError) as caught:
        import_export(source, out)
    assert str(bad) in str(caught.value) and message in str(caught.value)
    assert not out.exists() and not list(tmp_path.glob(".out.*"))  # nothing half-done
    run = comptoir("models", "import", str(source), "--out", str(out))
    assert run.returncode == 1 and bad.name in run.stderr and message in run.stderr and "Traceback" not in run.stderr
    assert not out.exists()


def test_the_committed_held_out_list_is_the_seeded_choice_of_source_photos() -> None:
    """models/data/real-shelf/held-out.txt: about a fifth of the source photos, by the importer's own rule."""
    from models.importer import held_out

    sources = {source_of(p) for p in (REAL / "images").iterdir()}
    listed = set((REAL / "held-out.txt").read_text().split())
    assert listed == {s for s in sources if held_out(s, 0.2, 22)}
    assert 0.15 <= len(listed) / len(sources) <= 0.3 and len(sources) == 78
    assert (REAL / "NOTICE.md").read_text().count("CC BY 4.0") >= 2
