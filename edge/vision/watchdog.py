"""A watchdog around the detector: an inference that hangs is stopped and the detector restarted.

A GPU driver that stalls, a provider that deadlocks, a model that loops:
``session.run`` would then never return and the camera would stop counting
without a word. Each run happens in a worker thread under a time bound;
past it, ONNX Runtime is asked to stop the run (``RunOptions.terminate``),
the worker is abandoned if it still does not return, a fresh session is
built from the model file, and the frame fails with :class:`InferenceHung`
(the agent logs a failed frame and goes on with the next one).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from edge.vision.config import CameraConfig
from edge.vision.detector import Detections, Detector, shipped_model_path

log = logging.getLogger("comptoir.edge.vision")

#: how long a terminated run may take to notice it was told to stop before its thread is abandoned
TERMINATE_GRACE_S = 2.0


class InferenceHung(RuntimeError):
    """An inference ran past the watchdog's bound; the detector was restarted."""


class _Worker:
    """One daemon thread running inferences one at a time (a hung one blocks only this thread)."""

    def __init__(self, name: str) -> None:
        self.jobs: queue.Queue[tuple[Callable[[], np.ndarray], queue.Queue[tuple[bool, Any]]]] = queue.Queue()
        self.thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while True:
            job, reply = self.jobs.get()
            try:
                reply.put((True, job()))
            except BaseException as exc:  # handed to the caller, who raises it
                reply.put((False, exc))

    def submit(self, job: Callable[[], np.ndarray]) -> queue.Queue[tuple[bool, Any]]:
        reply: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)
        self.jobs.put((job, reply))
        return reply


class WatchedDetector:
    """A :class:`Detector` whose every inference is bounded by ``timeout_s``.

    ``make`` builds a detector (a fresh ONNX Runtime session); it is called
    once at start and again after each hang. Everything but :meth:`infer`
    and :meth:`detect` is the current detector's own.
    """

    def __init__(self, make: Callable[[], Detector], timeout_s: float, *, name: str = "detector") -> None:
        self._make = make
        self.timeout_s = timeout_s
        self.name = name
        self.current = make()
        self.restarts = 0
        self._worker = _Worker(f"{name}-infer")

    def __getattr__(self, attr: str) -> Any:  # letterbox, decode, names, input size: the current detector's
        return getattr(self.current, attr)

    def infer(self, blob: np.ndarray, run_options: object | None = None) -> np.ndarray:
        import onnxruntime as ort

        detector = self.current
        options = ort.RunOptions()
        reply = self._worker.submit(lambda: detector.infer(blob, options))
        try:
            ok, value = reply.get(timeout=self.timeout_s)
        except queue.Empty:
            self._restart(options, reply, detector.path.name)
            raise InferenceHung(
                f"inference on {detector.path.name} ran over {self.timeout_s:g} s; detector restarted"
            ) from None
        if not ok:
            raise value
        return value

    def _restart(self, options: Any, reply: queue.Queue[tuple[bool, Any]], hung: str) -> None:
        options.terminate = True  # ONNX Runtime checks it between operators
        started = time.monotonic()
        stopped = True
        try:
            reply.get(timeout=TERMINATE_GRACE_S)
        except queue.Empty:
            stopped = False
            self._worker = _Worker(f"{self.name}-infer")  # the old thread is stuck for good: leave it
        self.restarts += 1
        self.current = self._make()
        log.error(
            "inference hung: detector restarted",
            extra={
                "camera": self.name,
                "model": hung,
                "restarted_with": self.current.path.name,
                "timeout_s": self.timeout_s,
                "stopped": "yes" if stopped else "no, thread abandoned",
                "stop_s": round(time.monotonic() - started, 2),
                "restarts": self.restarts,
            },
        )

    def detect(self, image: np.ndarray, conf: float | None = None) -> Detections:
        blob, box = self.current.prepare(image)
        return self.current.decode(self.infer(blob), box, image.shape, conf)


def open_detector(config: CameraConfig, model: Path | str | None = None) -> WatchedDetector:
    """The detector a camera's configuration asks for (model, precision, providers), under the watchdog;
    ``model``: another model file (one the hub rolled out) on the same providers."""
    model = model or config.model or shipped_model_path(config.precision)

    def make() -> Detector:
        return Detector(
            model, conf=config.detect_score, iou=config.iou, threads=config.threads, providers=config.providers
        )

    return WatchedDetector(make, config.inference_timeout_s, name=config.id)
