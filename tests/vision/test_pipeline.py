"""The edge pipeline's parts: model checks at start-up, NMS, slot mapping, the stillness gate."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from edge.vision.detector import Detections, Detector, ModelError, nms, shipped_model_path
from edge.vision.slots import Calibration, CalibrationError, SlotMap, load_calibration
from edge.vision.stillness import StillnessGate


def _model(path: Path, out_shape: list[int], in_shape: tuple[int, ...] = (1, 3, 64, 64)) -> Path:
    """A real ONNX graph whose output has ``out_shape`` (a reshape of a slice of the input)."""
    n = int(np.prod(out_shape))
    graph = helper.make_graph(
        [
            helper.make_node("Flatten", ["images"], ["flat"], axis=0),
            helper.make_node("Slice", ["flat", "starts", "ends", "axes"], ["part"]),
            helper.make_node("Reshape", ["part", "shape"], ["output0"]),
        ],
        "fake",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, list(in_shape))],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, out_shape)],
        [
            helper.make_tensor("starts", TensorProto.INT64, [1], [0]),
            helper.make_tensor("ends", TensorProto.INT64, [1], [n]),
            helper.make_tensor("axes", TensorProto.INT64, [1], [1]),
            helper.make_tensor("shape", TensorProto.INT64, [len(out_shape)], out_shape),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)
    return path


def test_a_missing_model_is_named_at_start_up(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "shelf.onnx"
    with pytest.raises(ModelError, match=f"model file {missing} does not exist"):
        Detector(missing)


def test_a_model_with_the_wrong_output_shape_is_refused_naming_file_and_shape(tmp_path: Path) -> None:
    bad = _model(tmp_path / "classifier.onnx", [1, 1000])
    with pytest.raises(ModelError) as err:
        Detector(bad)
    assert str(bad) in str(err.value) and "(1, 1000)" in str(err.value)
    assert "(1, 4 + classes, anchors)" in str(err.value)


def test_a_file_that_is_not_onnx_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "model.onnx"
    junk.write_bytes(b"this is not a model")
    with pytest.raises(ModelError, match=f"model file {junk} is not a usable ONNX model"):
        Detector(junk)


def test_the_shipped_model_loads_with_its_class_names() -> None:
    detector = Detector(shipped_model_path())
    assert detector.names == {0: "product", 1: "shopper"}
    assert (detector.input_h, detector.input_w) == (384, 640)


def test_decode_and_nms_of_a_well_formed_output(tmp_path: Path) -> None:
    """A (1, 6, anchors) model: boxes come back in image pixels, duplicates merged, classes kept apart."""
    detector = Detector(_model(tmp_path / "ok.onnx", [1, 6, 8], in_shape=(1, 3, 32, 64)), conf=0.3, iou=0.5)
    out = np.zeros((1, 6, 8), np.float32)
    # anchor 0 and 1: the same product (IoU high); anchor 2: a shopper overlapping it; anchor 3: weak
    out[0, :4, 0], out[0, 4, 0] = [20, 16, 10, 20], 0.9
    out[0, :4, 1], out[0, 4, 1] = [21, 16, 10, 20], 0.8
    out[0, :4, 2], out[0, 5, 2] = [20, 16, 10, 20], 0.7
    out[0, :4, 3], out[0, 4, 3] = [50, 16, 10, 20], 0.1
    image = np.zeros((64, 128, 3), np.uint8)  # scale 0.5 into the 32x64 input
    blob, box = detector.prepare(image)
    assert blob.shape == (1, 3, 32, 64) and box.scale == 0.5
    found = detector.decode(out, box, image.shape)
    assert sorted(found.classes.tolist()) == [0, 1]
    product = found.of_class(0)
    np.testing.assert_allclose(product.boxes[0], [30, 12, 50, 52])
    assert product.scores[0] == pytest.approx(0.9)


def test_nms_keeps_a_dense_shelf_of_over_500_products() -> None:
    xs = np.arange(600, dtype=np.float32) * 12
    boxes = np.stack([xs, np.zeros(600), xs + 10, np.full(600, 40)], axis=1).astype(np.float32)
    kept = nms(boxes, np.full(600, 0.9, np.float32), np.zeros(600, np.int32), 0.6, 1000)
    assert len(kept) == 600


def _calibration() -> Calibration:
    return Calibration(
        width=200,
        height=100,
        slots=[
            {
                "slot": "S1",
                "gtin": "03000000000017",
                "capacity": 4,
                "polygon": [[0, 0], [100, 0], [100, 100], [0, 100]],
            },
            {"slot": "S2", "capacity": 3, "polygon": [[100, 0], [200, 0], [200, 100], [100, 100]]},
        ],
    )


def _dets(rows: list[tuple[float, float, float, float, float, int]]) -> Detections:
    arr = np.array(rows, np.float32).reshape(-1, 6)
    return Detections(arr[:, :4], arr[:, 4], arr[:, 5].astype(np.int32))


def test_products_are_counted_in_the_slot_holding_their_centre() -> None:
    slots = SlotMap(_calibration(), count_score=0.5)
    readings = slots.read(
        _dets(
            [
                (10, 20, 30, 90, 0.9, 0),
                (35, 20, 55, 90, 0.8, 0),
                (60, 20, 80, 90, 0.3, 0),  # one too weak
                (95, 20, 103, 90, 0.9, 0),  # centre at x=99: slot S1
            ]
        )
    )
    s1, s2 = readings
    assert (s1.state, s1.facings, s1.capacity, s1.gtin) == ("ok", 3, 4, "03000000000017")
    assert s1.empty_fraction == pytest.approx(0.25)
    assert (s2.state, s2.facings, s2.empty_fraction) == ("empty", 0, 1.0)
    assert s2.confidence == 1.0


def test_a_shopper_over_a_slot_makes_it_occluded_never_empty() -> None:
    slots = SlotMap(_calibration(), count_score=0.5, occluded_at=0.2)
    s1, s2 = slots.read(_dets([(10, 20, 30, 90, 0.9, 0), (110, 0, 190, 100, 0.8, 1)]))
    assert (s1.state, s1.facings) == ("ok", 1)
    assert (s2.state, s2.facings, s2.empty_fraction) == ("occluded", None, None)


def test_calibration_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(CalibrationError, match="does not exist"):
        load_calibration(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"width": 10, "height": 10, "slots": [{"slot": "x", "capacity": 0, "polygon": []}]}))
    with pytest.raises(CalibrationError, match=f"slots file {bad}: slots.0.capacity"):
        load_calibration(bad)


def test_the_stillness_gate_waits_for_a_still_view() -> None:
    rng = np.random.default_rng(0)
    shelf = rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)
    gate = StillnessGate(still_frames=3, max_change=4.0)
    noisy = [np.clip(shelf + rng.normal(0, 3, shelf.shape), 0, 255).astype(np.uint8) for _ in range(4)]
    assert [gate.update(f) for f in noisy] == [False, False, True, True]
    moved = shelf.copy()
    moved[:, 40:100] = 30  # someone walks in
    assert gate.update(moved) is False
    assert gate.update(moved) is False
    assert gate.update(moved) is True
