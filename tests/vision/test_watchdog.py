"""The detector's watchdog: an inference that hangs is stopped, the detector restarted, counting goes on.

The hanging model is a real ONNX model run by ONNX Runtime: a ``Loop`` of
10^15 turns before it emits a detector-shaped output, so ``session.run``
never returns by itself (no stand-in for the session or the detector).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from comptoir.contract import ShelfCounts
from comptoir.link import MqttLink
from edge.vision.agent import CameraAgent
from edge.vision.config import CameraConfig
from edge.vision.detector import Detector, shipped_model_path
from edge.vision.watchdog import InferenceHung, WatchedDetector
from simulators.camera.live import WorldCamera
from simulators.world import World
from tests.conftest import BrokerHandle
from tests.vision.test_agent import Inbox

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper  # noqa: E402


def hanging_model(path: Path, turns: int = 10**15) -> Path:
    """(1, 3, 32, 32) -> (1, 6, 512) after ``turns`` turns of a loop that adds zero to the image."""
    body = helper.make_graph(
        [
            helper.make_node("Identity", ["cond_in"], ["cond_out"]),
            helper.make_node("Add", ["v_in", "zero"], ["v_out"]),
        ],
        "turn",
        [
            helper.make_tensor_value_info("i", TensorProto.INT64, []),
            helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
            helper.make_tensor_value_info("v_in", TensorProto.FLOAT, [1, 3, 32, 32]),
        ],
        [
            helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
            helper.make_tensor_value_info("v_out", TensorProto.FLOAT, [1, 3, 32, 32]),
        ],
        [helper.make_tensor("zero", TensorProto.FLOAT, [], [0.0])],
    )
    graph = helper.make_graph(
        [
            helper.make_node("Loop", ["turns", "go", "images"], ["looped"], body=body),
            helper.make_node("Reshape", ["looped", "shape"], ["output0"]),
        ],
        "hangs",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 6, 512])],
        [
            helper.make_tensor("turns", TensorProto.INT64, [], [turns]),
            helper.make_tensor("go", TensorProto.BOOL, [], [True]),
            helper.make_tensor("shape", TensorProto.INT64, [3], [1, 6, 512]),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def _frame() -> np.ndarray:
    return np.full((540, 960, 3), 128, np.uint8)


def test_a_hung_inference_is_stopped_and_the_detector_restarted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """First session hangs (a stalled driver); the watchdog stops it, and the restarted detector counts."""
    hanging = hanging_model(tmp_path / "hangs.onnx")
    made: list[Path] = []

    def make() -> Detector:
        model = hanging if not made else shipped_model_path()  # the stall is transient, as a driver's is
        made.append(model)
        return Detector(model, conf=0.25)

    watched = WatchedDetector(make, timeout_s=1.0, name="cam-hang")
    blob, _ = watched.prepare(_frame())
    before = {t.ident for t in threading.enumerate()}
    started = time.monotonic()
    with (
        caplog.at_level(logging.ERROR, logger="comptoir.edge.vision"),
        pytest.raises(InferenceHung, match=r"hangs\.onnx"),
    ):
        watched.infer(blob)
    assert time.monotonic() - started < 30  # bounded: the timeout plus the grace to stop, plus a new session
    assert watched.restarts == 1 and made == [hanging, shipped_model_path()]
    [record] = [r for r in caplog.records if r.getMessage() == "inference hung: detector restarted"]
    assert record.stopped == "yes" and record.camera == "cam-hang"  # type: ignore[attr-defined]
    # ONNX Runtime honoured the stop: no thread is left looping, burning a core
    assert {t.ident for t in threading.enumerate()} - before == set()
    found = watched.detect(_frame())  # the restarted detector serves the next frame
    assert watched.current.path == shipped_model_path() and watched.input_w == 640
    assert found.boxes.shape[1] == 4


def test_an_inference_within_the_bound_passes_through(tmp_path: Path) -> None:
    watched = WatchedDetector(lambda: Detector(shipped_model_path()), timeout_s=30.0)
    plain = Detector(shipped_model_path())
    blob, _ = plain.prepare(_frame())
    np.testing.assert_allclose(watched.infer(blob), plain.infer(blob), rtol=1e-4, atol=1e-4)
    assert watched.restarts == 0


async def test_a_camera_agent_whose_inference_hangs_restarts_its_detector_and_counts(
    tmp_path: Path, mqtt_broker: BrokerHandle, caplog: pytest.LogCaptureFixture
) -> None:
    """A real agent, camera and broker; the model file hangs at start and is good by the time of the restart.

    Without the watchdog the agent's first inference never returns: no counts, ever.
    """
    caplog.set_level(logging.ERROR, logger="comptoir.edge.vision")
    model = hanging_model(tmp_path / "detector.onnx")
    camera = WorldCamera(World(seed=7, movers=False), "A6-B2", port=0, fps=8, shopper_s=0).start()
    cam_id = camera.bay.camera_id
    config = CameraConfig(
        id=cam_id,
        url=camera.server.url,
        slots=camera.server.url.replace("stream.mjpg", "slots.json"),
        model=model,
        max_fps=4,
        still_frames=2,
        confirm_frames=2,
        threads=1,
        inference_timeout_s=1.0,
    )
    inbox = Inbox()
    listener = MqttLink(mqtt_broker.settings(), store="test", device="listener", kind="test")
    listener.subscribe(f"comptoir/v1/test/+/{cam_id}/+", inbox)
    await listener.start()
    assert await listener.wait_subscribed(10)
    link = MqttLink(mqtt_broker.settings(), store="test", device=cam_id, kind="camera")
    agent = CameraAgent(config, link)  # loads the hanging model
    staged = tmp_path / "good.onnx"
    shutil.copyfile(shipped_model_path(), staged)
    os.replace(staged, model)  # what the restart will load
    await link.start()
    task = asyncio.create_task(agent.run())
    try:
        counts = await inbox.wait_for(lambda m: isinstance(m, ShelfCounts), 90)
        assert {s.slot for s in counts.slots} == {s.slot_id for s in camera.bay.slots}
        assert agent.detector.restarts >= 1
        assert "inference hung: detector restarted" in caplog.text
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await link.stop()
        await listener.stop()
        camera.stop()
