"""The counting pipeline's parts: the letterbox tensor, the JPEG header check, preparing a frame ahead."""

from __future__ import annotations

import logging
import random

import cv2
import numpy as np
import pytest

from edge.vision.capture import CapturedFrame, FrameGrabber, jpeg_size
from edge.vision.detector import Detector, shipped_model_path
from edge.vision.pipeline import CountingPipeline
from edge.vision.slots import Calibration, SlotMap
from simulators.camera.bay import random_facings, world_bay
from simulators.camera.render import BayRenderer
from simulators.camera.server import STREAM_NUISANCE, calibration
from simulators.world import World


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector(shipped_model_path(), conf=0.1, iou=0.6, threads=1)


@pytest.fixture(scope="module")
def bay_frames() -> tuple[list[np.ndarray], Calibration]:
    """Four JPEG frames of a small world bay with facings changing between them, and its calibration."""
    world = World(seed=7, movers=False)
    bay = world_bay(world, "A6-B2")
    renderer = BayRenderer(bay, (960, 540), geometry_seed=3)
    rng, nrng = random.Random(11), np.random.default_rng(11)
    frames = []
    for _ in range(4):
        image = renderer.render(random_facings(bay, rng), nrng, STREAM_NUISANCE).image
        frames.append(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])[1])
    return frames, Calibration.model_validate(calibration(renderer))


@pytest.mark.parametrize("shape", [(540, 960), (720, 540), (384, 640), (101, 333)])
def test_the_tensor_is_the_padded_picture_scaled_to_unit_rgb(detector: Detector, shape: tuple[int, int]) -> None:
    """In-place filling gives what padding the picture grey and then converting it all gives (ultralytics' way)."""
    image = np.random.default_rng(1).integers(0, 256, (*shape, 3), np.uint8)
    blob, box = detector.prepare(image)
    h, w = shape
    nw, nh = round(w * box.scale), round(h * box.scale)
    resized = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_LINEAR) if (nw, nh) != (w, h) else image
    top, left = int(box.pad_y), int(box.pad_x)
    padded = cv2.copyMakeBorder(
        resized, top, 384 - nh - top, left, 640 - nw - left, cv2.BORDER_CONSTANT, value=(114, 114, 114)
    )
    expected = cv2.dnn.blobFromImage(padded, 1 / 255.0, swapRB=True)
    assert blob.shape == expected.shape == (1, 3, 384, 640)
    np.testing.assert_allclose(blob, expected, atol=1e-6)


def test_jpeg_size_reads_the_frame_header_without_decoding() -> None:
    picture = np.zeros((37, 53, 3), np.uint8)
    baseline = cv2.imencode(".jpg", picture)[1]
    progressive = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_PROGRESSIVE, 1])[1]
    assert jpeg_size(baseline) == (53, 37)
    assert jpeg_size(progressive) == (53, 37)
    assert jpeg_size(np.frombuffer(b"\xff\xd8\xff\xd9", np.uint8)) is None  # no frame header at all
    assert jpeg_size(np.frombuffer(b"\xff\xd8garbage\xff\xd9", np.uint8)) is None


def test_a_jpeg_whose_data_does_not_decode_is_logged_and_skipped(caplog: pytest.LogCaptureFixture) -> None:
    """Its markers and header pass the capture thread's check; decoding, on the counting side, refuses it."""
    caplog.set_level(logging.WARNING, logger="comptoir.edge.vision")
    grabber = FrameGrabber("http://127.0.0.1:9/never-opened", size=(960, 540), name="cam-test")
    whole = cv2.imencode(".jpg", np.zeros((540, 960, 3), np.uint8))[1]
    broken = np.concatenate([whole[:300], np.frombuffer(b"\xff\xd9", np.uint8)])
    assert jpeg_size(broken) == (960, 540)
    assert grabber.decode(CapturedFrame(1, 0.0, jpeg=broken)) is None
    assert grabber.skipped == 1 and "undecodable JPEG" in caplog.text
    good = grabber.decode(CapturedFrame(2, 0.0, jpeg=whole))
    assert good is not None and good.shape == (540, 960, 3) and grabber.skipped == 1


def test_frames_prepared_ahead_are_counted_as_frames_prepared_on_demand(
    detector: Detector, bay_frames: tuple[list[np.ndarray], Calibration]
) -> None:
    frames, cal = bay_frames
    slots = SlotMap(cal, count_score=0.4)

    def decode(jpeg: np.ndarray) -> np.ndarray | None:
        return cv2.imdecode(jpeg, cv2.IMREAD_COLOR)

    expected = [slots.read(detector.detect(decode(f))) for f in frames]  # type: ignore[arg-type]
    pipeline = CountingPipeline(detector, decode, slots.read)
    try:
        got = []
        prepared = pipeline.prepare(frames[0])
        for k, _ in enumerate(frames):
            assert prepared is not None
            ahead = frames[k + 1] if k + 1 < len(frames) else None
            _, readings = pipeline.count(prepared, pipeline.infer(prepared), ahead)
            got.append(readings)
            if ahead is not None:
                prepared = pipeline.prepare(ahead)
        assert pipeline.ahead_used == len(frames) - 1
        assert got == expected
        assert len({tuple((r.slot, r.facings) for r in g) for g in got}) > 1  # the frames differ: not one count
    finally:
        pipeline.close()


def test_a_frame_prepared_ahead_but_superseded_is_not_counted(
    detector: Detector, bay_frames: tuple[list[np.ndarray], Calibration]
) -> None:
    """The camera moved on while the worker prepared a frame: the caller's newer frame is the one prepared."""
    frames, cal = bay_frames
    slots = SlotMap(cal, count_score=0.4)
    pipeline = CountingPipeline(detector, lambda j: cv2.imdecode(j, cv2.IMREAD_COLOR), slots.read)
    try:
        first = pipeline.prepare(frames[0])
        assert first is not None
        pipeline.count(first, pipeline.infer(first), ahead=frames[1])
        newest = pipeline.prepare(frames[2])
        assert newest is not None and newest.frame is frames[2] and pipeline.ahead_used == 0
        _, readings = pipeline.count(newest, pipeline.infer(newest))
        assert readings == slots.read(detector.detect(cv2.imdecode(frames[2], cv2.IMREAD_COLOR)))
    finally:
        pipeline.close()
