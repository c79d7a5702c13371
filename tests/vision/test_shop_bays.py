"""Counting the demo shop's own bays: the camera simulator draws them as a camera sees them, the shipped detector
counts them. Two bugs measured with the scorer lived here: a bay whose products fill one shelf was drawn as one
shelf stretched over the whole bay (products five times too tall: the detector saw nothing, or a shopper), and a
wide pack boxed twice counted as two facings."""

from __future__ import annotations

import numpy as np
import pytest

from edge.vision.detector import Detections, Detector, shipped_model_path
from edge.vision.slots import Calibration, SlotMap
from simulators.camera.bay import world_bay
from simulators.camera.render import BayRenderer
from simulators.camera.server import STREAM_NUISANCE, calibration
from simulators.world import World, WorldParams
from simulators.world.planogram import SHELVES_PER_BAY

pytestmark = pytest.mark.timeout(120)


def _dets(rows: list[tuple[float, float, float, float, float, int]]) -> Detections:
    arr = np.array(rows, np.float32).reshape(-1, 6)
    return Detections(arr[:, :4], arr[:, 4], arr[:, 5].astype(np.int32))


def _one_slot() -> Calibration:
    return Calibration(width=300, height=100,
                       slots=[{"slot": "S1", "capacity": 6, "polygon": [[0, 0], [300, 0], [300, 100], [0, 100]]}])


def test_a_pack_boxed_twice_is_one_facing_and_packs_side_by_side_are_two() -> None:
    slots = SlotMap(_one_slot(), count_score=0.4)
    # pack 1 boxed whole and again over its right half; packs 2 and 3 touch, sharing a few pixels
    (reading,) = slots.read(_dets([(10, 10, 70, 90, 0.9, 0), (40, 12, 72, 90, 0.7, 0),
                                   (80, 10, 140, 90, 0.8, 0), (136, 10, 196, 90, 0.85, 0)]))
    assert reading.facings == 3
    (off,) = SlotMap(_one_slot(), count_score=0.4, duplicate_overlap=1.0).read(
        _dets([(10, 10, 70, 90, 0.9, 0), (40, 12, 72, 90, 0.7, 0)]))
    assert off.facings == 2  # 1.0 switches the rule off


def test_a_bay_is_drawn_with_all_its_shelves() -> None:
    world = World(seed=3, params=WorldParams(products=30), movers=False)
    bay = world_bay(world, "A1-B1")
    assert len(bay.shelves) == SHELVES_PER_BAY
    assert sum(1 for shelf in bay.shelves if shelf.slots) == 1  # this bay's products all sit on one shelf


def test_the_shipped_detector_counts_the_demo_shops_bays() -> None:
    world = World(seed=3, params=WorldParams(products=30), movers=False)
    detector = Detector(shipped_model_path(), conf=0.1, iou=0.6, threads=1)
    rng = np.random.default_rng(7)
    exact = total = 0
    for n, bay_id in enumerate(("A1-B1", "A2-B1")):  # the demo's two cameras
        renderer = BayRenderer(world_bay(world, bay_id), (960, 540), geometry_seed=n)
        slots = SlotMap(Calibration.model_validate(calibration(renderer)))
        for _ in range(4):
            facings = {s.slot_id: int(rng.integers(0, s.capacity + 1)) for s in renderer.bay.slots}
            frame = renderer.render(facings, rng, STREAM_NUISANCE, shopper=False)
            for reading in slots.read(detector.detect(frame.image)):
                assert reading.state != "occluded", (bay_id, reading.slot)  # nobody is there
                total += 1
                exact += reading.facings == facings[reading.slot]
    # measured: 116 of 120 slot counts exact over 15 frames a bay; the misses are one wide pack the model splits
    assert exact / total >= 0.9, f"{exact}/{total} slot counts exact"
