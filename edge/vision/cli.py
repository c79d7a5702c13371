"""``comptoir detect IMAGE``: run the shelf detector on one image, as the edge agent would."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.command("detect")
@click.argument("image", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--model",
    type=click.Path(path_type=Path),
    default=None,
    help="ONNX detector (default: the model shipped with the edge)",
)
@click.option(
    "--slots",
    type=click.Path(path_type=Path),
    default=None,
    help="slot calibration JSON (a camera's, or a renders' slots.json) to count facings per slot",
)
@click.option("--conf", default=0.4, show_default=True, help="lowest score of a detection that counts")
@click.option("--iou", default=0.6, show_default=True, help="NMS overlap threshold")
@click.option("--json", "as_json", is_flag=True, help="print JSON (default: a short table)")
def detect(image: Path, model: Path | None, slots: Path | None, conf: float, iou: float, as_json: bool) -> None:
    """Detect products (and shoppers) in IMAGE; with --slots, count facings per slot."""
    import cv2

    from edge.vision.detector import Detector, ModelError, shipped_model_path
    from edge.vision.slots import CalibrationError, SlotMap, load_calibration

    try:
        detector = Detector(model or shipped_model_path(), conf=min(conf, 0.1), iou=iou)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from None
    frame = cv2.imread(str(image), cv2.IMREAD_COLOR)
    if frame is None:
        raise click.ClickException(f"{image} is not an image OpenCV can read")
    found = detector.detect(frame)
    shown = found.above(conf)
    result: dict[str, object] = {
        "image": str(image),
        "model": str(detector.path),
        "width": frame.shape[1],
        "height": frame.shape[0],
        "detections": [
            {
                "class": detector.names.get(int(c), str(c)),
                "score": round(float(s), 4),
                "box": [round(float(v), 1) for v in b],
            }
            for b, s, c in zip(shown.boxes, shown.scores, shown.classes, strict=True)
        ],
    }
    if slots is not None:
        try:
            calibration = load_calibration(slots, image=image.name)
        except CalibrationError as exc:
            raise click.ClickException(str(exc)) from None
        if (calibration.width, calibration.height) != (frame.shape[1], frame.shape[0]):
            raise click.ClickException(
                f"slots file {slots} is for {calibration.width}x{calibration.height} images; "
                f"{image} is {frame.shape[1]}x{frame.shape[0]}"
            )
        slot_map = SlotMap(calibration, count_score=conf, shopper_score=min(conf, 0.25))
        result["slots"] = [r.as_dict() for r in slot_map.read(found)]
    if as_json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
        click.echo()
        return
    counts: dict[str, int] = {}
    for d in result["detections"]:  # type: ignore[attr-defined]
        counts[d["class"]] = counts.get(d["class"], 0) + 1
    click.echo(f"{image}: " + (", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "nothing found"))
    for r in result.get("slots", []):  # type: ignore[attr-defined]
        facings = "-" if r["facings"] is None else r["facings"]
        click.echo(f"  {r['slot']:<16} {r['state']:<9} {facings}/{r['capacity']}  conf {r['confidence']:.2f}")
