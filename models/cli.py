"""``comptoir models ...``: build the synthetic dataset, train, export to ONNX, evaluate."""

from __future__ import annotations

import json
from pathlib import Path

import click

from comptoir.logs import setup_logging


@click.group("models")
def models() -> None:
    """The shelf detector: dataset, training and export (train extra), evaluation through the edge pipeline."""


@models.command("dataset")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--train", "n_train", default=1200, show_default=True, help="training images")
@click.option("--val", "n_val", default=150, show_default=True, help="validation images (seed + 1)")
@click.option("--seed", default=1, show_default=True)
@click.option("--size", default="960x540", show_default=True, help="frame size WIDTHxHEIGHT")
@click.option("--crop", default=540, show_default=True, help="keep one random window this wide per frame (0: all)")
@click.option("--shopper-rate", default=0.15, show_default=True, help="share of frames with a shopper in front")
@click.option("--randomise", is_flag=True, help="stronger domain randomisation (grey, clutter, tilt)")
def dataset(
    out: Path, n_train: int, n_val: int, seed: int, size: str, crop: int, shopper_rate: float, randomise: bool
) -> None:
    """Render a seeded synthetic dataset in the YOLO layout, with OUT/data.yaml."""
    from models.dataset import build_dataset
    from simulators.camera.cli import _size

    data = build_dataset(
        out,
        train=n_train,
        val=n_val,
        seed=seed,
        size=_size(size),
        crop=crop or None,
        shopper_rate=shopper_rate,
        randomise=randomise,
    )
    click.echo(f"dataset ready: {data}")


@models.command("train")
@click.option(
    "--data",
    required=True,
    multiple=True,
    help="data.yaml (from 'comptoir models dataset' or 'import'), or data.yaml:N to use its training images"
    " N times an epoch; give several to train on several sets together",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="run folder")
@click.option("--epochs", default=10, show_default=True)
@click.option("--imgsz", default=352, show_default=True, help="training input size (the crops are 540 px)")
@click.option("--batch", default=32, show_default=True)
@click.option("--hours", type=float, default=None, help="wall-time bound; the schedule fits itself to it")
@click.option("--warmup", default=1.0, show_default=True, help="warm-up epochs (0 when fine-tuning with --start)")
@click.option("--seed", default=0, show_default=True)
@click.option(
    "--start",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="weights (.pt) to fine-tune; default: train from the model yaml",
)
@click.option(
    "--from",
    "from_",
    type=click.Choice(["scratch", "shipped"]),
    default=None,
    help="shipped: fine-tune the shipped detector (models/shelf-detector.pt), warm-up 0",
)
@click.option("--val/--no-val", "validate", default=True, help="validate each epoch (--no-val: keep the last weights)")
@click.option("--device", default="cpu", show_default=True, help="cpu, or a CUDA device number")
@click.option(
    "--balance-images/--no-balance-images",
    default=False,
    help="every image weighs alike in the loss (renders of a hundred facings beside photos of one package)",
)
@click.option("--mosaic", default=1.0, show_default=True, help="share of samples tiled from four images")
def train_cmd(
    data: tuple[str, ...],
    out: Path,
    epochs: int,
    imgsz: int,
    batch: int,
    hours: float | None,
    warmup: float,
    seed: int,
    start: Path | None,
    from_: str | None,
    validate: bool,
    device: str,
    balance_images: bool,
    mosaic: float,
) -> None:
    """Train the detector with ultralytics (needs the train extra)."""
    from models.train import SHIPPED_WEIGHTS, merge_data, parse_data_arg, train

    if from_ == "shipped":
        if start is not None:
            raise click.BadParameter("--from shipped and --start both name the starting weights: give one")
        start, warmup = SHIPPED_WEIGHTS, 0.0
    try:
        sets = [parse_data_arg(text) for text in data]
        if len(sets) == 1 and sets[0][1] == 1:
            data_yaml = sets[0][0]
        else:
            data_yaml = merge_data([path for path, _ in sets], out / "data", [times for _, times in sets])
        best = train(
            data_yaml,
            out,
            epochs=epochs,
            imgsz=imgsz,
            batch=batch,
            seed=seed,
            start=start,
            device=device,
            hours=hours,
            warmup_epochs=warmup,
            validate=validate,
            balance_images=balance_images,
            mosaic=mosaic,
        )
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{'best' if validate else 'last'} weights: {best}")


@models.command("import")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="a new folder")
@click.option("--format", "fmt", type=click.Choice(["auto", "yolo", "coco", "voc"]), default="auto", show_default=True)
@click.option("--map", "mapping", default=None, help="NAME=CLASS,... (class product or shopper); others: product")
@click.option("--hold-out", default=0.2, show_default=True, help="share of source photos held out for evaluation")
@click.option("--seed", default=22, show_default=True, help="seed of the hash that picks held-out source photos")
@click.option(
    "--held-out-list",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="hold out exactly these source photos (one name a line) instead of the seeded hash",
)
def import_cmd(
    source: Path, out: Path, fmt: str, mapping: str | None, hold_out: float, seed: int, held_out_list: Path | None
) -> None:
    """Import a labelling tool's export (YOLO boxes or polygons, COCO JSON, Pascal VOC XML) for training."""
    from models.annotations import AnnotationError
    from models.importer import import_export, parse_mapping

    try:
        summary = import_export(
            source,
            out,
            fmt=fmt,
            mapping=parse_mapping(mapping),
            hold_out=hold_out,
            seed=seed,
            held_out_list=held_out_list,
        )
    except AnnotationError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"imported {summary.images} images ({summary.boxes} boxes, {summary.duplicates} duplicate boxes dropped) "
        f"from {summary.sources} source photos: "
        f"{summary.train_images} to train, {summary.held_out_images} held out "
        f"({len(summary.held_out_sources)} sources, listed in {out / 'held-out.txt'})"
    )
    click.echo(f"data: {summary.data_yaml}")


@models.command("export")
@click.option("--weights", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="the .onnx to write")
@click.option("--imgsz", default="384x640", show_default=True, help="input HEIGHTxWIDTH")
@click.option("--opset", default=17, show_default=True)
def export_cmd(weights: Path, out: Path, imgsz: str, opset: int) -> None:
    """Export to ONNX without built-in NMS, fixed input size and opset (needs the train extra)."""
    from models.export import export

    try:
        h, w = (int(v) for v in imgsz.lower().split("x"))
    except ValueError:
        raise click.BadParameter(f"{imgsz!r}: write HEIGHTxWIDTH, e.g. 384x640") from None
    try:
        path = export(weights, out, imgsz=(h, w), opset=opset)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


@models.command("quantize")
@click.option("--model", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="the int8 .onnx to write")
@click.option(
    "--calibrate",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    multiple=True,
    required=True,
    help="a folder of images (or with images/); repeat: renders and real photos",
)
@click.option("--per-folder", default=120, show_default=True, help="calibration images drawn from each folder")
def quantize_cmd(model: Path, out: Path, calibrate: tuple[Path, ...], per_folder: int) -> None:
    """int8 twin of an ONNX detector: ONNX Runtime static quantization (QDQ), no PyTorch needed."""
    from edge.vision.detector import Detector, ModelError
    from models.quantize import quantize

    try:
        path = quantize(model, out, list(calibrate), per_folder=per_folder)
        Detector(path)  # the edge must accept it: same input and output shapes
    except (ModelError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


@models.command("evaluate")
@click.option(
    "--model",
    type=click.Path(path_type=Path),
    default=None,
    help="ONNX detector (default: the model shipped with the edge)",
)
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="images/ and YOLO labels/ (+ slots.json for counting); default: render the held-out set",
)
@click.option("--render", "n_render", default=200, show_default=True, help="held-out images to render when needed")
@click.option("--seed", default=1000, show_default=True, help="render seed of the held-out set")
@click.option("--count-score", default=0.4, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.option("-v", "--verbose", count=True)
@click.option("--shopper-score", default=0.25, show_default=True, help="a shopper hides slots from this score up")
@click.option("--products-only", is_flag=True, help="score the product class only (photos that label no shoppers)")
def evaluate_cmd(
    model: Path | None,
    data: Path | None,
    products_only: bool,
    n_render: int,
    seed: int,
    count_score: float,
    shopper_score: float,
    as_json: bool,
    verbose: int,
) -> None:
    """mAP50 / mAP50-95 and slot counting accuracy on held-out renders of the store world."""
    import tempfile

    from edge.vision.detector import ModelError, shipped_model_path
    from models.dataset import DEFAULT_SIZE, WORLD_SEED
    from models.evaluate import evaluate
    from simulators.camera.cli import render_stills
    from simulators.world import World

    setup_logging(verbose)
    model = model or shipped_model_path()
    if data is not None and (data / "held-out" / "images").is_dir():
        data = data / "held-out"  # an imported set: score its held-out source photos only
    with tempfile.TemporaryDirectory() as tmp:
        if data is None:
            data = Path(tmp)
            render_stills(World(seed=WORLD_SEED, movers=False), n_render, data, seed=seed, size=DEFAULT_SIZE)
        try:
            result = evaluate(
                model,
                data,
                count_score=count_score,
                shopper_score=shopper_score,
                progress=not as_json,
                classes=(0,) if products_only else None,
            )
        except ModelError as exc:
            raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps({"model": str(model), "data": str(data), **result.as_dict()}, indent=1))
        return
    d, c = result.detection, result.counting
    click.echo(f"{result.images} images, {result.ms_per_image:.0f} ms per image (detector)")
    click.echo(
        f"mAP50 {d['mAP50']:.4f}  mAP50-95 {d['mAP50-95']:.4f}  "
        f"(product {d.get('mAP50/0', 0):.4f} / {d.get('mAP50-95/0', 0):.4f}, "
        f"shopper {d.get('mAP50/1', 0):.4f} / {d.get('mAP50-95/1', 0):.4f})"
    )
    at = f"@{count_score:g}"
    click.echo(
        f"at score {count_score:g}, IoU 0.5: precision {d[f'precision{at}']:.3f}  recall {d[f'recall{at}']:.3f}  "
        f"false boxes per image {d[f'false_boxes_per_image{at}']:.2f}"
    )
    if not c["slots"] and not c["occluded_slots"]:
        click.echo("no slots.json: counting not scored")
        return
    click.echo(
        f"slots {c['slots']:.0f}: facings exact {c['facings_exact']:.2%} (mean abs error "
        f"{c['facings_mae']:.3f}); empty recall {c['empty_recall']:.2%} precision {c['empty_precision']:.2%} "
        f"of {c['empty_slots']:.0f}"
    )
    click.echo(
        f"occluded slots {c['occluded_slots']:.0f}: reported occluded {c['occluded_recall']:.2%}, "
        f"called empty {c['occluded_called_empty']:.0f}"
    )
