"""Execution providers chosen by configuration, with the fallback to the CPU said at start.

Only the CPU provider exists in this ONNX Runtime build: asking for CUDA or
TensorRT (what a Jetson would use) tests the fallback for real; running on
them cannot be tested here.
"""

from __future__ import annotations

import logging

import onnxruntime as ort
import pytest
from pydantic import ValidationError

from edge.vision.config import CameraConfig
from edge.vision.detector import Detector, ModelError, shipped_model_path
from edge.vision.watchdog import open_detector


@pytest.fixture(autouse=True)
def _no_gpu_here() -> None:
    if "CUDAExecutionProvider" in ort.get_available_providers():
        pytest.skip("this ONNX Runtime has CUDA: the fallback is not what would happen")


def test_an_absent_provider_falls_back_to_the_cpu_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="comptoir.edge.vision"):
        detector = Detector(shipped_model_path(), providers=["tensorrt", "cuda"])
    assert detector.session.get_providers() == ["CPUExecutionProvider"] == detector.providers
    [line] = [r for r in caplog.records if r.getMessage().startswith("detector started")]
    assert line.levelno == logging.WARNING and "fallback" in line.getMessage()
    assert line.missing == "TensorrtExecutionProvider,CUDAExecutionProvider"  # type: ignore[attr-defined]
    assert line.providers == "CPUExecutionProvider"  # type: ignore[attr-defined]


def test_the_cpu_as_asked_is_said_quietly(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="comptoir.edge.vision"):
        Detector(shipped_model_path(), providers=["cpu"])
    [line] = [r for r in caplog.records if r.getMessage().startswith("detector started")]
    assert line.levelno == logging.INFO and line.missing == "-"  # type: ignore[attr-defined]


def test_a_camera_config_chooses_precision_and_providers() -> None:
    config = CameraConfig(id="cam-a", url="x", slots="y", providers=["cuda", "cpu"], precision="float")
    watched = open_detector(config)
    assert watched.current.path == shipped_model_path("float") and watched.providers == ["CPUExecutionProvider"]
    default = open_detector(CameraConfig(id="cam-b", url="x", slots="y"))
    assert default.current.path == shipped_model_path("int8") and default.current.path.name.endswith(".int8.onnx")


def test_an_unknown_provider_is_refused_naming_it() -> None:
    with pytest.raises(ValidationError, match="unknown execution provider 'gpu'"):
        CameraConfig(id="cam-a", url="x", slots="y", providers=["gpu"])
    with pytest.raises(ModelError, match="unknown execution provider 'npu'"):
        Detector(shipped_model_path(), providers=["npu"])
