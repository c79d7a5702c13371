"""Training several sets together: ``--data a.yaml:N`` repeats a set, and the merged data.yaml says so.

No PyTorch needed: this is the listing ultralytics reads, checked as files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from models.train import merge_data, parse_data_arg


def _yolo_set(root: Path, train: int, val: int) -> Path:
    for split, count in (("train", train), ("val", val)):
        (root / split / "images").mkdir(parents=True)
        (root / split / "labels").mkdir(parents=True)
        for i in range(count):
            (root / split / "images" / f"{split}{i}.jpg").write_bytes(b"jpeg")
            (root / split / "labels" / f"{split}{i}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    data = root / "data.yaml"
    names = {0: "product", 1: "shopper"}
    data.write_text(yaml.safe_dump({"path": ".", "train": "train/images", "val": "val/images", "names": names}))
    return data


def test_a_repeated_set_is_listed_that_many_times_and_the_others_once(tmp_path: Path) -> None:
    photos = _yolo_set(tmp_path / "photos", train=3, val=1)
    renders = _yolo_set(tmp_path / "renders", train=5, val=2)

    merged = yaml.safe_load(merge_data([photos, renders], tmp_path / "merged", [4, 1]).read_text())

    listing = Path(merged["train"][0])
    lines = listing.read_text().split()
    assert len(lines) == 12 and len(set(lines)) == 3  # three photos, four times each
    assert all(Path(line).is_file() for line in lines)
    assert merged["train"][1] == str((tmp_path / "renders" / "train" / "images").resolve())
    assert merged["val"] == [
        str((tmp_path / "photos" / "val" / "images").resolve()),
        str((tmp_path / "renders" / "val" / "images").resolve()),
    ]  # validation images are never repeated
    assert merged["names"] == {0: "product", 1: "shopper"}


def test_sets_naming_other_classes_are_refused(tmp_path: Path) -> None:
    photos = _yolo_set(tmp_path / "photos", train=1, val=1)
    other = _yolo_set(tmp_path / "other", train=1, val=1)
    other.write_text(other.read_text().replace("shopper", "person"))
    with pytest.raises(RuntimeError, match="differ"):
        merge_data([photos, other], tmp_path / "merged")


def test_data_arguments_name_a_file_and_how_often(tmp_path: Path) -> None:
    data = _yolo_set(tmp_path / "photos", train=1, val=1)
    assert parse_data_arg(str(data)) == (data, 1)
    assert parse_data_arg(f"{data}:6") == (data, 6)
    with pytest.raises(RuntimeError, match="at least once"):
        parse_data_arg(f"{data}:0")
    with pytest.raises(RuntimeError, match=r"no such data\.yaml"):
        parse_data_arg(str(tmp_path / "missing.yaml:2"))
