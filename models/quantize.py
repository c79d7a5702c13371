"""int8 detector: ONNX Runtime static quantization, calibrated on renders and real photos.

Calibration runs the float model on images letterboxed exactly as the edge
letterboxes them (:meth:`edge.vision.detector.Detector.prepare`), so the
activation ranges are the ones met at run time. The detection head's
box decoding (the DFL softmax, the anchor arithmetic, the final concat of
pixel boxes and class scores) stays in float: its outputs are pixel
coordinates and probabilities whose ranges int8 would crush, and it is a
sliver of the compute. Needs onnxruntime only (no PyTorch), like the edge.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from edge.vision.detector import Detector

#: calibration images per folder by default (more adds time, not accuracy, past a few hundred)
CALIBRATION_IMAGES = 120


def calibration_images(folders: list[Path], per_folder: int, seed: int = 0) -> list[Path]:
    """Up to ``per_folder`` images from each folder's ``images/`` (or the folder itself), a seeded sample."""
    rng = np.random.default_rng(seed)
    chosen: list[Path] = []
    for folder in folders:
        base = folder / "images" if (folder / "images").is_dir() else folder
        files = sorted(p for p in base.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
        if not files:
            raise ValueError(f"{base}: no calibration images")
        picks = rng.choice(len(files), size=min(per_folder, len(files)), replace=False)
        chosen.extend(files[i] for i in sorted(picks))
    return chosen


class _Reader:
    """ONNX Runtime's CalibrationDataReader protocol: one input dict per call, None when done."""

    def __init__(self, detector: Detector, images: list[Path]) -> None:
        self._detector = detector
        self._images: Iterator[Path] = iter(images)

    def get_next(self) -> dict[str, np.ndarray] | None:
        for path in self._images:
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is None:
                raise ValueError(f"{path}: unreadable calibration image")
            return {self._detector.input_name: self._detector.prepare(image)[0]}
        return None


def head_decoding_nodes(model: Path) -> list[str]:
    """Nodes of the YOLO Detect head that turn features into boxes and scores: kept in float."""
    import onnx

    graph = onnx.load(str(model)).graph
    convs = {n.name for n in graph.node if n.op_type == "Conv"}
    heads = sorted({n.name.split("/")[1] for n in graph.node if "/dfl/" in n.name})
    return [n.name for n in graph.node if any(f"/{h}/" in n.name for h in heads) and n.name not in convs]


def stem_node(model: Path) -> str:
    """The first convolution, which reads the 3-channel image: kept in float.

    With 3 input channels an int8 convolution saves little, and quantizing
    its input costs a pass over the whole image: kept float, the int8 model
    ran at 1.50-1.53x the float one's frames instead of 1.44-1.46x on the idle
    development machine, and lost less on real photos (-0.005 mAP50, not -0.012).
    """
    import onnx

    return next(n.name for n in onnx.load(str(model)).graph.node if n.op_type == "Conv")


def quantize(
    model: Path,
    out: Path,
    calibration: list[Path],
    *,
    per_folder: int = CALIBRATION_IMAGES,
    per_channel: bool = True,
) -> Path:
    """Write the int8 twin of ``model`` to ``out`` (QDQ, per-channel weights), calibrated on ``calibration``."""
    import onnx
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    detector = Detector(model, conf=0.25)
    images = calibration_images(calibration, per_folder)
    with tempfile.TemporaryDirectory() as tmp:
        prepared = Path(tmp) / "prepared.onnx"
        quant_pre_process(str(model), str(prepared), skip_symbolic_shape=True)
        quantize_static(
            str(prepared),
            str(out),
            _Reader(detector, images),
            quant_format=QuantFormat.QDQ,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            per_channel=per_channel,
            calibrate_method=CalibrationMethod.MinMax,
            nodes_to_exclude=[stem_node(prepared), *head_decoding_nodes(prepared)],
        )
    # the edge reads the class names from the metadata: keep the float model's
    source, made = onnx.load(str(model)), onnx.load(str(out))
    have = {p.key for p in made.metadata_props}
    for prop in source.metadata_props:
        if prop.key not in have:
            made.metadata_props.add(key=prop.key, value=prop.value)
    made.metadata_props.add(key="quantization", value=f"int8 static QDQ, calibrated on {len(images)} images")
    onnx.save(made, str(out))
    return out
