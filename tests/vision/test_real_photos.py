"""The shipped detector, float and int8, on real photos that no training used, through the edge pipeline.

``models/data/real-shelf/held-out.txt`` names 18 source photos (125 images,
one labelled product each) held out of every training (see
``models/MODEL_CARD.md``). Only the product class is scored: the photos label
no shoppers. The floors sit a little under the measured figures (float
0.885, int8 0.880 mAP50), so a retrained model that forgets real shelves
fails here, while the renders' targets are held by ``test_accuracy``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from edge.vision.detector import shipped_model_path
from models.evaluate import Evaluation, evaluate
from models.importer import import_export

REAL = Path(__file__).resolve().parents[2] / "models" / "data" / "real-shelf"
FLOOR = {"float": 0.85, "int8": 0.85}


@pytest.fixture(scope="module")
def held_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("real")
    import_export(REAL, out / "real", held_out_list=REAL / "held-out.txt")
    return out / "real" / "held-out"


@pytest.fixture(scope="module", params=["float", "int8"])
def result(request: pytest.FixtureRequest, held_out: Path) -> tuple[str, Evaluation]:
    return request.param, evaluate(shipped_model_path(request.param), held_out, classes=(0,))


def test_products_on_held_out_real_photos(result: tuple[str, Evaluation]) -> None:
    precision, found = result
    assert found.images == 125
    assert found.detection["mAP50"] >= FLOOR[precision], found.as_dict()


def test_few_false_boxes_on_real_photos_at_the_count_score(result: tuple[str, Evaluation]) -> None:
    """At the edge's count score a real photo gets less than one false product box on average."""
    _, found = result
    assert found.detection["false_boxes_per_image@0.4"] < 1.0, found.as_dict()
