"""Frames per second of the edge vision pipeline, against bare ONNX Runtime and ultralytics' predict.

Three runs on the same model and the same frames (JPEG frames of a
simulated bay, 960x540, as the camera sends them):

* bare: ``session.run`` on the already letterboxed input tensors (the floor
  no pipeline can beat);
* ours: the capture thread's check of each JPEG, then JPEG decode,
  letterbox, inference, decode, NMS and slot counting, as the agent runs
  them when frames come faster than it counts (``CountingPipeline``: the
  next frame is decoded and letterboxed in a worker thread while the
  current one is counted), and again all in one thread, one step after
  another;
* ultralytics (when the train extra is installed): ``YOLO(model.onnx).predict``
  on the decoded frames, with the same score and overlap thresholds, against
  ours from letterbox to NMS in one thread (with decoded frames, preparing
  ahead would overlap only a resize: no gain); its boxes are matched with
  ours (IoU >= 0.9).

Then the int8 model against the float one: bare ``session.run`` frames per
second, taking turns, and mAP50 of both on held-out renders (render seed
1000) and on the held-out real photos (``models/data/real-shelf``, the
source photos of its ``held-out.txt``), through the edge's own pipeline.

Then the vision agent's resident memory: ``comptoir edge`` with one camera
against ``comptoir sim camera`` and a private mosquitto, measured once it
has published counts.

    python bench/vision.py [--model M] [--int8 M] [--frames 60] [--rounds 5] [--renders 200] [--skip-memory]
    python bench/vision.py --only-int8   # the int8 comparison alone

Ratios are against numbers measured in the same run: the median of the
per-turn ratios, the pipelines taking turns every 10 frames (a fraction of
a second: this machine's neighbours change its speed from one second to the
next).
"""

from __future__ import annotations

import os

# torch (imported by ultralytics) leaves its OpenMP threads spinning after each operation; on a small CPU they
# would steal the cores from whichever pipeline runs next. Passive waiting keeps the comparison fair.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from edge.vision.capture import jpeg_size
from edge.vision.detector import Detector, shipped_model_path
from edge.vision.pipeline import CountingPipeline
from edge.vision.slots import Calibration, SlotMap
from models.metrics import box_iou
from simulators.camera.bay import random_facings, world_bay
from simulators.camera.render import BayRenderer
from simulators.camera.server import STREAM_NUISANCE, calibration
from simulators.world import World

CONF, IOU = 0.4, 0.6
CHUNK = 10  # frames per turn when pipelines take turns
PAUSE_S = 0.05  # between two contenders: the threads one left spinning go to sleep before the next starts


def make_frames(n: int, bay_id: str = "A1-B1") -> tuple[list[bytes], Calibration]:
    world = World(seed=7, movers=False)
    bay = world_bay(world, bay_id)
    renderer = BayRenderer(bay, (960, 540), geometry_seed=3)
    rng, nrng = random.Random(5), np.random.default_rng(5)
    jpegs = []
    for _ in range(n):
        frame = renderer.render(random_facings(bay, rng), nrng, STREAM_NUISANCE)
        jpegs.append(cv2.imencode(".jpg", frame.image, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes())
    return jpegs, Calibration.model_validate(calibration(renderer))


def fps(run, items: list) -> float:  # type: ignore[no-untyped-def, type-arg]
    t0 = time.perf_counter()
    for item in items:
        run(item)
    return len(items) / (time.perf_counter() - t0)


_turn = 0


def in_turns(*runs: Callable[[], None]) -> None:
    """Run the contenders of one turn, each turn starting with the next one, with a short pause between them.

    Ultralytics' ONNX Runtime session keeps its threads spinning a moment after
    each run (ours stops them when a run returns): without the pause, whoever
    runs next would share the cores with them.
    """
    global _turn
    start = _turn % len(runs)
    for run in runs[start:] + runs[:start]:
        time.sleep(PAUSE_S)
        run()
    _turn += 1


def bench_pipeline(model: Path, jpegs: list[bytes], cal: Calibration, rounds: int) -> dict[str, float]:
    detector = Detector(model, conf=CONF, iou=IOU)
    slots = SlotMap(cal, count_score=CONF)

    def decode(jpeg: np.ndarray) -> np.ndarray | None:
        return cv2.imdecode(jpeg, cv2.IMREAD_COLOR)

    frames = [np.frombuffer(j, np.uint8) for j in jpegs]
    images = [decode(f) for f in frames]
    blobs = [detector.prepare(img)[0] for img in images]

    def bare(blob: np.ndarray) -> None:
        detector.session.run(None, {detector.input_name: blob})

    pipeline = CountingPipeline(detector, decode, slots.read)

    def serial(jpeg: np.ndarray) -> None:
        jpeg_size(jpeg)
        prepared = pipeline.prepare(jpeg)
        assert prepared is not None
        pipeline.count(prepared, pipeline.infer(prepared))

    def as_agent(frames: list[np.ndarray]) -> float:
        """The agent's way when frames wait: the next frame is prepared while this one is counted."""
        t0 = time.perf_counter()
        jpeg_size(frames[0])
        prepared = pipeline.prepare(frames[0])
        for k in range(len(frames)):
            assert prepared is not None
            output = pipeline.infer(prepared)
            ahead = frames[k + 1] if k + 1 < len(frames) else None
            if ahead is not None:
                jpeg_size(ahead)  # the capture thread's check, here to keep it in the count
            pipeline.count(prepared, output, ahead)
            if ahead is not None:
                prepared = pipeline.prepare(ahead)
        return len(frames) / (time.perf_counter() - t0)

    for _ in range(3):
        bare(blobs[0])
        serial(frames[0])
    # short turns (CHUNK frames each), taking turns, so the machine's neighbours slow all three alike; the
    # pipeline starts each turn cold (its first frame is not prepared ahead), which costs it a little
    bare_runs, agent_runs, serial_runs = [], [], []
    for _ in range(rounds):
        for at in range(0, len(frames), CHUNK):
            turn = slice(at, at + CHUNK)
            in_turns(
                lambda: bare_runs.append(fps(bare, blobs[turn])),  # noqa: B023 (called within the turn)
                lambda: agent_runs.append(as_agent(frames[turn])),  # noqa: B023
                lambda: serial_runs.append(fps(serial, frames[turn])),  # noqa: B023
            )
    pipeline.close()
    return {
        "bare_fps": statistics.median(bare_runs),
        "ours_fps": statistics.median(agent_runs),
        "ratio": statistics.median(o / b for o, b in zip(agent_runs, bare_runs, strict=True)),
        "serial_fps": statistics.median(serial_runs),
        "serial_ratio": statistics.median(o / b for o, b in zip(serial_runs, bare_runs, strict=True)),
    }


def bench_ultralytics(model: Path, jpegs: list[bytes], rounds: int) -> dict[str, float] | None:
    os.environ.setdefault("YOLO_OFFLINE", "1")
    try:
        from ultralytics import YOLO
    except ImportError:
        return None
    detector = Detector(model, conf=CONF, iou=IOU)
    yolo = YOLO(str(model), task="detect")
    images = [cv2.imdecode(np.frombuffer(j, np.uint8), cv2.IMREAD_COLOR) for j in jpegs]
    h, w = detector.input_h, detector.input_w

    def theirs(image: np.ndarray):  # type: ignore[no-untyped-def]
        return yolo.predict(image, imgsz=(h, w), conf=CONF, iou=IOU, max_det=1000, verbose=False, device="cpu")[0]

    def ours(image: np.ndarray) -> None:
        detector.detect(image)

    # both sides get the same decoded frames: predict() takes an array, so JPEG decoding stays out of both
    theirs(images[0])
    ours(images[0])
    their_runs, our_runs = [], []
    for _ in range(rounds):
        for at in range(0, len(images), CHUNK):
            turn = images[at : at + CHUNK]
            in_turns(
                lambda: their_runs.append(fps(theirs, turn)),  # noqa: B023 (called within the turn)
                lambda: our_runs.append(fps(ours, turn)),  # noqa: B023
            )
    matched = total = extra = 0
    for image in images:
        mine = detector.detect(image)
        res = theirs(image)
        boxes = res.boxes.xyxy.numpy()
        classes = res.boxes.cls.numpy().astype(int)
        total += len(boxes)
        iou = box_iou(boxes, mine.boxes)
        iou[classes[:, None] != mine.classes[None, :]] = 0
        matched += int((iou.max(axis=1) >= 0.9).sum()) if len(mine) else 0
        extra += max(0, len(mine) - len(boxes))
    return {
        "ultralytics_fps": statistics.median(their_runs),
        "ours_fps": statistics.median(our_runs),
        "ratio": statistics.median(o / t for o, t in zip(our_runs, their_runs, strict=True)),
        "boxes": total,
        "matched": matched,
        "extra_ours": extra,
    }


def bench_int8(model: Path, int8: Path, jpegs: list[bytes], rounds: int, renders: int) -> dict[str, float]:
    """int8 against float: speed ratio (same frames, taking turns) and mAP50 on renders and real photos."""
    from models.dataset import DEFAULT_SIZE, WORLD_SEED
    from models.evaluate import HELD_OUT_SEED, evaluate
    from models.importer import import_export
    from simulators.camera.cli import render_stills

    dets = [Detector(m, conf=CONF, iou=IOU) for m in (model, int8)]
    blobs = [dets[0].prepare(cv2.imdecode(np.frombuffer(j, np.uint8), cv2.IMREAD_COLOR))[0] for j in jpegs]
    runs: list[list[float]] = [[], []]
    for d in dets:
        d.infer(blobs[0])
    for _ in range(rounds):
        for at in range(0, len(blobs), CHUNK):
            turn = blobs[at : at + CHUNK]
            in_turns(*(lambda k=k: runs[k].append(fps(dets[k].infer, turn)) for k in (0, 1)))  # noqa: B023
    out = {
        "float_fps": statistics.median(runs[0]),
        "int8_fps": statistics.median(runs[1]),
        "ratio": statistics.median(b / a for a, b in zip(runs[0], runs[1], strict=True)),
    }
    real_shelf = Path(__file__).resolve().parents[1] / "models" / "data" / "real-shelf"
    with tempfile.TemporaryDirectory() as tmp:
        rendered = Path(tmp) / "renders"
        render_stills(World(seed=WORLD_SEED, movers=False), renders, rendered, seed=HELD_OUT_SEED, size=DEFAULT_SIZE)
        import_export(real_shelf, Path(tmp) / "real", held_out_list=real_shelf / "held-out.txt")
        for name, m in (("float", model), ("int8", int8)):
            out[f"{name}_renders_mAP50"] = evaluate(m, rendered).detection["mAP50"]
            real = evaluate(m, Path(tmp) / "real" / "held-out", classes=(0,)).detection
            out[f"{name}_real_mAP50"] = real["mAP50"]
            out[f"{name}_real_recall"] = real[f"recall@{CONF:g}"]
            out[f"{name}_real_precision"] = real[f"precision@{CONF:g}"]
    return out


def print_int8(model: Path, int8: Path, r: dict[str, float], frames: int, renders: int) -> None:
    print(f"int8 {int8.name} against float {model.name}: bare session.run on {frames} frames 384x640")
    print(f"float: {r['float_fps']:7.1f} fps   int8: {r['int8_fps']:7.1f} fps   ratio {r['ratio']:.2f} (goal >= 1.5)")
    for kind, goal in (("renders", 0.01), ("real", 0.02)):
        f, q = r[f"float_{kind}_mAP50"], r[f"int8_{kind}_mAP50"]
        where = f"{renders} held-out renders" if kind == "renders" else "held-out real photos"
        print(f"mAP50 on {where}: float {f:.4f}  int8 {q:.4f}  change {q - f:+.4f} (goal within {goal})")
    print(
        f"real photos at score {CONF}: float precision {r['float_real_precision']:.3f} recall "
        f"{r['float_real_recall']:.3f}; int8 precision {r['int8_real_precision']:.3f} "
        f"recall {r['int8_real_recall']:.3f}"
    )


def agent_memory(timeout: float = 90.0) -> dict[str, float]:
    """Start broker, camera simulator and ``comptoir edge`` with one camera; RSS once counts flow."""
    from comptoir.mosquitto import Mosquitto, free_port, wait_for_port

    tmp = Path(tempfile.mkdtemp(prefix="bench-vision-"))
    broker = Mosquitto(tmp / "mosquitto")
    broker.start()
    port = free_port()
    sim = subprocess.Popen(
        [sys.executable, "-m", "comptoir", "sim", "camera", "--bay", "A1-B1", "--port", str(port), "--fps", "5"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    agent = sub = None
    try:
        wait_for_port("127.0.0.1", port, timeout=30)
        cam = "cam-a1-b1"
        (tmp / "edge.yaml").write_text(
            json.dumps(
                {
                    "store": "bench",
                    "broker": {"url": broker.url},
                    "state_dir": str(tmp / "state"),
                    "cameras": [
                        {
                            "id": cam,
                            "url": f"http://127.0.0.1:{port}/stream.mjpg",
                            "slots": f"http://127.0.0.1:{port}/slots.json",
                            "max_fps": 2,
                        }
                    ],
                }
            )
        )
        sub = subprocess.Popen(
            ["mosquitto_sub", "-p", str(broker.port), "-C", "1", "-t", f"comptoir/v1/bench/vision/{cam}/shelf"],
            stdout=subprocess.PIPE,
        )
        agent = subprocess.Popen(
            [sys.executable, "-m", "comptoir", "edge", "--config", str(tmp / "edge.yaml")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        sub.wait(timeout)
        time.sleep(5)  # a few more counted frames: the steady state
        status = Path(f"/proc/{agent.pid}/status").read_text()
        fields = {line.split(":")[0]: line.split()[1] for line in status.splitlines() if line.startswith("Vm")}
        return {"rss_mb": int(fields["VmRSS"]) / 1024, "peak_rss_mb": int(fields["VmHWM"]) / 1024}
    finally:
        for proc in (agent, sim, sub):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(10)
        broker.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=shipped_model_path())
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--int8", type=Path, default=shipped_model_path("int8"), help="the int8 twin of --model")
    parser.add_argument("--renders", type=int, default=200, help="held-out renders scored for the int8 accuracy")
    parser.add_argument("--only-int8", action="store_true", help="the int8 comparison alone")
    args = parser.parse_args()

    jpegs, cal = make_frames(args.frames)
    if args.only_int8:
        print_int8(
            args.model,
            args.int8,
            bench_int8(args.model, args.int8, jpegs, args.rounds, args.renders),
            args.frames,
            args.renders,
        )
        return
    p = bench_pipeline(args.model, jpegs, cal, args.rounds)
    print(f"frames: {args.frames} JPEG 960x540, model {args.model.name}")
    print(f"bare onnxruntime session.run : {p['bare_fps']:7.1f} fps")
    print(f"edge pipeline (decode..slots): {p['ours_fps']:7.1f} fps   ratio {p['ratio']:.2f} (goal >= 0.8)")
    print(f"  same, all in one thread    : {p['serial_fps']:7.1f} fps   ratio {p['serial_ratio']:.2f}")
    u = bench_ultralytics(args.model, jpegs, args.rounds)
    if u is None:
        print("ultralytics predict          : skipped (the train extra is not installed)")
    else:
        print(
            f"ultralytics predict (ONNX)   : {u['ultralytics_fps']:7.1f} fps   ours (letterbox..NMS) "
            f"{u['ours_fps']:.1f} fps, ratio {u['ratio']:.2f} (goal >= 1.0)"
        )
        print(
            f"same boxes: {u['matched']}/{u['boxes']} of ultralytics' boxes matched at IoU >= 0.9 "
            f"({u['matched'] / max(u['boxes'], 1):.1%}); ours has {u['extra_ours']} more"
        )
    r = bench_int8(args.model, args.int8, jpegs, args.rounds, args.renders)
    print_int8(args.model, args.int8, r, args.frames, args.renders)
    if not args.skip_memory:
        m = agent_memory()
        print(f"vision agent resident memory : {m['rss_mb']:.0f} MB (peak {m['peak_rss_mb']:.0f} MB; goal <= 300 MB)")


if __name__ == "__main__":
    main()
