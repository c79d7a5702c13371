"""One camera's frames through the detector, with the next frame prepared while this one is counted.

A frame's work is: decode the JPEG and resize it to the model's input
(``prepare``), fill the input tensor and run the model (``infer``), then
turn the output into boxes, NMS and slot counts (``count``). ONNX Runtime
keeps every core busy during its run; the steps around it are
single-threaded C and NumPy, and run back to back they leave one core idle.
So when a newer frame is already waiting as a frame leaves the model,
:meth:`CountingPipeline.count` prepares that newer frame in a worker thread
beside the counting of the current one: the two share the cores ONNX
Runtime has just released instead of taking turns (``bench/vision.py``
measures the gain). The work is split so that the two sides take about as
long on a 960x540 camera: decoding and resizing (about 2 ms) in the worker;
box decoding, NMS and slot counting (about 2 ms) in the caller's thread,
which also fills the tensor just before the model runs.

A frame prepared ahead is used only if it is still the one the caller takes
next; otherwise its preparation is simply dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

from edge.vision.detector import Detections, Detector, Letterbox

FrameT = TypeVar("FrameT")
CountT = TypeVar("CountT")


@dataclass(frozen=True, slots=True)
class PreparedFrame(Generic[FrameT]):
    """A frame decoded and resized for the model."""

    frame: FrameT
    image: np.ndarray
    resized: np.ndarray
    letterbox: Letterbox


class CountingPipeline(Generic[FrameT, CountT]):
    """The detector's steps for one camera, and a worker thread that prepares one frame ahead.

    ``decode`` turns a frame into a BGR picture (None for a frame to skip:
    it has logged why); ``count`` turns one frame's detections into what the
    caller publishes (the slot readings).
    """

    def __init__(
        self,
        detector: Detector,
        decode: Callable[[FrameT], np.ndarray | None],
        count: Callable[[Detections], CountT],
    ) -> None:
        self.detector = detector
        self._decode = decode
        self._count = count
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="prepare")
        self._ahead: Future[PreparedFrame[FrameT] | None] | None = None
        self._ahead_frame: FrameT | None = None
        self._lock = threading.Lock()
        #: frames whose preparation ahead was used (the rest of the frames were prepared on demand)
        self.ahead_used = 0

    def prepare(self, frame: FrameT) -> PreparedFrame[FrameT] | None:
        """Decode and resize ``frame`` (None: a frame to skip); the one prepared ahead when it is this frame."""
        with self._lock:
            ahead, ahead_frame, self._ahead, self._ahead_frame = self._ahead, self._ahead_frame, None, None
        if ahead is not None and ahead_frame is frame:
            self.ahead_used += 1
            return ahead.result()
        return self._prepare(frame)

    def infer(self, prepared: PreparedFrame[FrameT]) -> np.ndarray:
        return self.detector.infer(self.detector.tensor(prepared.resized, prepared.letterbox))

    def count(
        self, prepared: PreparedFrame[FrameT], output: np.ndarray, ahead: FrameT | None = None
    ) -> tuple[Detections, CountT]:
        """Boxes, NMS and counting of ``prepared``; ``ahead``, when given, is prepared meanwhile in the worker."""
        if ahead is not None:
            future = self._worker.submit(self._prepare, ahead)
            with self._lock:
                self._ahead, self._ahead_frame = future, ahead
        detections = self.detector.decode(output, prepared.letterbox, prepared.image.shape)
        counted = self._count(detections)
        return detections, counted

    def close(self) -> None:
        self._worker.shutdown(wait=True, cancel_futures=True)

    def _prepare(self, frame: FrameT) -> PreparedFrame[FrameT] | None:
        image = self._decode(frame)
        if image is None:
            return None
        resized, letterbox = self.detector.fit(image)
        return PreparedFrame(frame, image, resized, letterbox)
