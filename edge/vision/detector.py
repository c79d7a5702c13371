"""The shelf detector on ONNX Runtime: letterbox, one ``session.run``, decode, NMS.

The model is a YOLOv8-style export without built-in NMS: one input
``(1, 3, H, W)`` (RGB, 0..1) and one output ``(1, 4 + classes, anchors)``
holding per anchor the box centre, size and one score per class. Everything
around the session is NumPy and OpenCV, so the edge carries no PyTorch.
"""

from __future__ import annotations

import ast
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import cv2
import numpy as np

from edge.vision.providers import choose_providers, provider_name

log = logging.getLogger("comptoir.edge.vision")

#: letterbox padding (ultralytics' grey 114) and the byte-to-unit scale, as the model was trained
_PAD = np.float32(114 / 255)
_TO_UNIT = np.float32(1 / 255)

#: the model shipped with the edge package, and its int8 twin (ONNX Runtime static quantization)
SHIPPED_MODEL = "shelf-detector.onnx"
SHIPPED_INT8_MODEL = "shelf-detector.int8.onnx"


def shipped_model_path(precision: str = "float") -> Path:
    name = SHIPPED_INT8_MODEL if precision == "int8" else SHIPPED_MODEL
    return Path(str(resources.files("edge.vision.model").joinpath(name)))


class ModelError(RuntimeError):
    """A model file that cannot serve as the shelf detector; the message names the file and why."""


@dataclass(frozen=True, slots=True)
class Detections:
    """Boxes in the original image's pixels (x0, y0, x1, y1), with score and class per row."""

    boxes: np.ndarray  # (n, 4) float32
    scores: np.ndarray  # (n,) float32
    classes: np.ndarray  # (n,) int32

    def __len__(self) -> int:
        return len(self.scores)

    def of_class(self, cls: int) -> Detections:
        keep = self.classes == cls
        return Detections(self.boxes[keep], self.scores[keep], self.classes[keep])

    def above(self, score: float) -> Detections:
        keep = self.scores >= score
        return Detections(self.boxes[keep], self.scores[keep], self.classes[keep])


@dataclass(frozen=True, slots=True)
class Letterbox:
    """How an image was fitted into the model's input: scale, then padding."""

    scale: float
    pad_x: float
    pad_y: float


class Detector:
    """One ONNX session and what it takes to turn an image into detections.

    ``conf`` is the lowest score kept (callers may raise it per use);
    ``iou`` the NMS overlap above which the weaker of two boxes of the same
    class is dropped; ``max_det`` bounds the boxes per image (a dense shelf
    shows well over 100 products, so it is 1000 by default).
    """

    def __init__(
        self,
        model: str | Path,
        *,
        conf: float = 0.25,
        iou: float = 0.6,
        max_det: int = 1000,
        threads: int | None = None,
        providers: list[str] | tuple[str, ...] = ("cpu",),
    ) -> None:
        import onnxruntime as ort

        self.path = Path(model)
        if not self.path.is_file():
            raise ModelError(f"model file {self.path} does not exist")
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.log_severity_level = 3
        # threads spin between the operators of one run (waking a sleeping thread per operator costs more than
        # the operator), but stop the moment the run returns: between frames the cores belong to the RFID
        # agent, the capture thread's JPEG decoding, and our own letterbox, NMS and slot counting
        options.add_session_config_entry("session.intra_op.allow_spinning", "1")
        options.add_session_config_entry("session.force_spinning_stop", "1")
        try:
            wanted, missing = choose_providers(providers)
        except ValueError as exc:
            raise ModelError(f"model file {self.path}: {exc}") from None
        try:
            self.session = ort.InferenceSession(str(self.path), options, providers=wanted)
        except Exception as exc:
            raise ModelError(f"model file {self.path} is not a usable ONNX model: {exc}") from exc
        # a provider present in the build may still fail to start (no GPU, no driver): ONNX Runtime then
        # drops it silently, so what runs is read back from the session
        self.providers = list(self.session.get_providers())
        fell_back = self.providers[0] != provider_name(providers[0]) if providers else False
        # quiet when it runs where asked; a warning (shown by default) when it fell back
        log.log(
            logging.WARNING if fell_back else logging.INFO,
            "detector started" + (" on a fallback provider" if fell_back else ""),
            extra={
                "model": self.path.name,
                "providers": ",".join(self.providers),
                "requested": ",".join(providers),
                "missing": ",".join(missing) or "-",
            },
        )
        self.conf, self.iou, self.max_det = conf, iou, max_det
        inputs, outputs = self.session.get_inputs(), self.session.get_outputs()
        if len(inputs) != 1 or len(outputs) != 1:
            raise ModelError(
                f"model file {self.path}: expected 1 input and 1 output, found {len(inputs)} and {len(outputs)}"
            )
        shape = inputs[0].shape
        if len(shape) != 4 or shape[1] != 3 or not all(isinstance(d, int) for d in shape[2:]):
            raise ModelError(f"model file {self.path}: input shape {shape} is not (1, 3, H, W) with a fixed H, W")
        self.input_name = inputs[0].name
        self.input_h, self.input_w = int(shape[2]), int(shape[3])
        self.names = self._names()
        out_shape = outputs[0].shape
        expected = 4 + len(self.names) if self.names else None
        if (
            len(out_shape) != 3
            or not isinstance(out_shape[1], int)
            or out_shape[1] < 5
            or (expected is not None and out_shape[1] != expected)
        ):
            want = f"(1, {expected}, anchors)" if expected else "(1, 4 + classes, anchors)"
            raise ModelError(
                f"model file {self.path}: output shape {tuple(out_shape)} is unexpected; expected {want} "
                "(a YOLOv8-style export without NMS)"
            )
        self.num_classes = int(out_shape[1]) - 4
        if not self.names:
            self.names = {i: str(i) for i in range(self.num_classes)}

    def _names(self) -> dict[int, str]:
        """Class names from the export's metadata (ultralytics writes ``names`` as a dict literal)."""
        raw = self.session.get_modelmeta().custom_metadata_map.get("names")
        if not raw:
            return {}
        try:
            names = ast.literal_eval(raw)
            return {int(k): str(v) for k, v in names.items()}
        except (ValueError, SyntaxError, AttributeError):
            log.warning("model metadata 'names' unreadable; using class numbers", extra={"model": str(self.path)})
            return {}

    # -- the pipeline -----------------------------------------------------------
    def prepare(self, image: np.ndarray) -> tuple[np.ndarray, Letterbox]:
        """Letterbox ``image`` (BGR, HxWx3) into the model's input tensor."""
        resized, box = self.fit(image)
        return self.tensor(resized, box), box

    def fit(self, image: np.ndarray) -> tuple[np.ndarray, Letterbox]:
        """``image`` resized to fit the model's input, keeping its proportions, and where it will sit."""
        h, w = image.shape[:2]
        scale = min(self.input_w / w, self.input_h / h)
        nw, nh = round(w * scale), round(h * scale)
        pad_x, pad_y = (self.input_w - nw) / 2, (self.input_h - nh) / 2
        resized = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_LINEAR) if (nw, nh) != (w, h) else image
        return resized, Letterbox(scale, round(pad_x - 0.1), round(pad_y - 0.1))

    def tensor(self, resized: np.ndarray, box: Letterbox) -> np.ndarray:
        """The model's input (RGB, 0..1, grey borders) from a picture :meth:`fit` resized.

        Only the picture is converted to floats, channel by channel into its
        window of the tensor, and only the borders are painted grey: half the
        time of padding the picture and then converting the whole of it.
        """
        nh, nw = resized.shape[:2]
        top, left = int(box.pad_y), int(box.pad_x)
        blob = np.empty((1, 3, self.input_h, self.input_w), np.float32)
        blob[:, :, :top] = _PAD
        blob[:, :, top + nh :] = _PAD
        blob[:, :, :, :left] = _PAD
        blob[:, :, :, left + nw :] = _PAD
        for channel, plane in enumerate(cv2.split(resized)[::-1]):  # BGR -> RGB
            np.multiply(plane, _TO_UNIT, out=blob[0, channel, top : top + nh, left : left + nw], casting="unsafe")
        return blob

    def infer(self, blob: np.ndarray, run_options: object | None = None) -> np.ndarray:
        """One ``session.run``; ``run_options`` (an ``onnxruntime.RunOptions``) lets a watchdog stop it."""
        return self.session.run(None, {self.input_name: blob}, run_options)[0]

    def decode(
        self, output: np.ndarray, box: Letterbox, image_shape: tuple[int, ...], conf: float | None = None
    ) -> Detections:
        """Scores above ``conf``, boxes back to image pixels, then per-class NMS."""
        conf = self.conf if conf is None else conf
        pred = output[0]  # (4 + nc, anchors)
        keep = pred[4:].max(axis=0) >= conf  # most anchors see nothing: drop them before anything else
        if not keep.any():
            return _empty()
        pred = pred[:, keep]
        classes = pred[4:].argmax(axis=0)
        scores = pred[4:][classes, np.arange(pred.shape[1])]
        centre, half = pred[:2], pred[2:4] / 2
        corners = np.concatenate([centre - half, centre + half]).T  # (n, 4) x0 y0 x1 y1, model pixels
        pad = np.array([box.pad_x, box.pad_y, box.pad_x, box.pad_y], np.float32)
        h, w = image_shape[:2]
        boxes = np.clip((corners - pad) / box.scale, 0, np.array([w, h, w, h], np.float32))
        keep_idx = nms(boxes, scores, classes, self.iou, self.max_det)
        return Detections(
            boxes[keep_idx].astype(np.float32), scores[keep_idx].astype(np.float32), classes[keep_idx].astype(np.int32)
        )

    def detect(self, image: np.ndarray, conf: float | None = None) -> Detections:
        blob, box = self.prepare(image)
        return self.decode(self.infer(blob), box, image.shape, conf)


def nms(boxes: np.ndarray, scores: np.ndarray, classes: np.ndarray, iou: float, max_det: int) -> np.ndarray:
    """Per-class non-maximum suppression with OpenCV; returns kept indices, best first.

    Classes are kept apart by shifting each class's boxes far from the others,
    so one call handles all classes.
    """
    if len(scores) == 0:
        return np.empty(0, np.int64)
    offset = classes.astype(np.float32)[:, None] * (float(boxes.max()) + 1.0)
    shifted = boxes + offset
    xywh = np.concatenate([shifted[:, :2], shifted[:, 2:] - shifted[:, :2]], axis=1)
    kept = cv2.dnn.NMSBoxes(xywh.astype(np.float64), scores.astype(np.float32), 0.0, iou, top_k=max_det)
    return np.asarray(kept, np.int64).reshape(-1)[:max_det]


def _empty() -> Detections:
    return Detections(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int32))
