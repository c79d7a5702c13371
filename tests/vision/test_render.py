"""The camera simulator's renders and their ground truth."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import numpy as np
import pytest

from simulators.camera.bay import random_bay, random_facings, world_bay
from simulators.camera.render import CLEAN, PRODUCT, SHOPPER, BayRenderer, Nuisance
from simulators.world import World


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7, movers=False)


def _inside(point: tuple[float, float], polygon: tuple[tuple[float, float], ...]) -> bool:
    import cv2

    return cv2.pointPolygonTest(np.float32(polygon), point, False) >= 0


def test_every_facing_gets_one_box_inside_its_slot(world: World) -> None:
    bay = world_bay(world, "A3-B1")
    facings = random_facings(bay, random.Random(3))
    frame = BayRenderer(bay, (960, 540), geometry_seed=5).render(facings, np.random.default_rng(0), CLEAN)
    products = [b for b in frame.boxes if b.cls == PRODUCT]
    assert len(products) == sum(facings.values())
    for slot in frame.slots:
        inside = [b for b in products if _inside(((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2), slot.polygon)]
        assert len(inside) == facings[slot.slot_id] == slot.facings, slot.slot_id


def test_world_bay_follows_the_planogram(world: World) -> None:
    bay = world_bay(world, "A1-B1")
    planned = {s.slot_id: s for s in world.planogram.bays["A1-B1"].slots}
    assert {s.slot_id for s in bay.slots} == set(planned)
    assert all(s.gtin == planned[s.slot_id].gtin and s.capacity == planned[s.slot_id].capacity for s in bay.slots)
    assert bay.camera_id == world.planogram.bays["A1-B1"].camera
    with pytest.raises(KeyError, match="no bay 'Z9-B9'"):
        world_bay(world, "Z9-B9")


def test_a_shopper_hides_slots_and_their_products() -> None:
    bay = random_bay(random.Random(11))
    renderer = BayRenderer(bay, (960, 540), geometry_seed=1)
    full = bay.full_facings()
    frame = renderer.render(full, np.random.default_rng(4), CLEAN, shopper=True)
    assert frame.shopper and [b for b in frame.boxes if b.cls == SHOPPER]
    hidden = [s for s in frame.slots if s.occluded]
    assert hidden, "a shopper a fifth of the frame wide must hide some slot"
    assert sum(b.cls == PRODUCT for b in frame.boxes) < sum(full.values())


def test_same_facings_render_the_same_products_and_nuisances_vary() -> None:
    bay = random_bay(random.Random(2))
    renderer = BayRenderer(bay, (640, 360), geometry_seed=9)
    facings = random_facings(bay, random.Random(1))
    a = renderer.render(facings, np.random.default_rng(1), Nuisance(shopper_rate=0))
    b = renderer.render(facings, np.random.default_rng(2), Nuisance(shopper_rate=0))
    assert [(x.x0, x.y0) for x in a.boxes] == [(x.x0, x.y0) for x in b.boxes]
    assert np.abs(a.image.astype(int) - b.image.astype(int)).mean() > 1.0  # light, noise, blur differ


def test_render_command_writes_yolo_labels_and_slot_truth(tmp_path) -> None:
    out = tmp_path / "renders"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "comptoir",
            "sim",
            "camera",
            "--render",
            "4",
            "--out",
            str(out),
            "--seed",
            "3",
            "--size",
            "640x360",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    images = sorted((out / "images").glob("*.jpg"))
    assert len(images) == 4
    truth = json.loads((out / "slots.json").read_text())
    assert set(truth) == {p.name for p in images}
    for name, view in truth.items():
        assert (view["width"], view["height"]) == (640, 360)
        lines = (out / "labels" / name.replace(".jpg", ".txt")).read_text().splitlines()
        products = [ln for ln in lines if ln.startswith("0 ")]
        visible = [s for s in view["slots"] if not s["occluded"]]
        assert len(products) >= sum(s["facings"] for s in visible)
        for line in lines:
            cls, *xywh = line.split()
            assert cls in ("0", "1") and all(0.0 <= float(v) <= 1.0 for v in xywh)
