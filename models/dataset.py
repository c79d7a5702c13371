"""A seeded synthetic dataset for the shelf detector, rendered by the camera simulator.

Random bays (shelves, slots, products, facings, camera angle) under the
training nuisances: light, colour cast, blur, noise, JPEG artefacts and
shoppers in front. The same seed gives the same images, so a dataset is
described by its command line, not shipped.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from simulators.camera.bay import BaySpec, random_bay, random_facings, world_bay
from simulators.camera.render import CLASS_NAMES, RANDOMISED, BayRenderer, Frame, Nuisance
from simulators.camera.stills import write_stills
from simulators.world import World

DEFAULT_SIZE = (960, 540)
WORLD_SEED = 7


def synthetic_frames(
    count: int,
    seed: int,
    size: tuple[int, int] = DEFAULT_SIZE,
    *,
    world_share: float = 0.5,
    world_seed: int = WORLD_SEED,
    nuisance: Nuisance | None = None,
) -> Iterator[Frame]:
    """``count`` frames, each a bay seen from a new angle with new facings.

    ``world_share`` of them film the store world's own bays (the shop's
    planogram), the rest random bays (so the detector learns packages, not
    one layout).
    """
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    nuisance = nuisance or Nuisance()
    world = World(seed=world_seed, movers=False)
    bays = [world_bay(world, b) for b in sorted(world.planogram.bays)]
    for i in range(count):
        bay: BaySpec = rng.choice(bays) if rng.random() < world_share else random_bay(rng, bay_id=f"T{seed}-{i}")
        renderer = BayRenderer(bay, size, geometry_seed=rng.randrange(1 << 30))
        yield renderer.render(random_facings(bay, rng), nrng, nuisance)


#: a product cut by a crop keeps its box if at least this share of its width is inside
KEEP_CUT = 0.6


def crop_frame(frame: Frame, x0: int, width: int) -> Frame:
    """The columns ``x0 .. x0 + width`` of a frame, with boxes clipped (or dropped if mostly outside).

    Training on crops of full-resolution frames at a small input size keeps
    products at the scale the edge sees them (the full frame letterboxed to
    640 wide) for a quarter of the compute per sample.
    """
    from simulators.camera.render import Box

    boxes = []
    for b in frame.boxes:
        cx0, cx1 = max(b.x0, x0), min(b.x1, x0 + width)
        if cx1 - cx0 >= KEEP_CUT * (b.x1 - b.x0) and cx1 > cx0:
            boxes.append(Box(b.cls, cx0 - x0, b.y0, cx1 - x0, b.y1))
    return Frame(image=frame.image[:, x0 : x0 + width].copy(), boxes=boxes, slots=[], shopper=frame.shopper)


def cropped(frames: Iterator[Frame], width: int, seed: int) -> Iterator[Frame]:
    rng = random.Random(seed)
    for frame in frames:
        full = frame.image.shape[1]
        yield crop_frame(frame, rng.randint(0, max(0, full - width)), min(width, full))


def build_dataset(
    out: Path,
    *,
    train: int,
    val: int,
    seed: int,
    size: tuple[int, int] = DEFAULT_SIZE,
    crop: int | None = None,
    shopper_rate: float = 0.15,
    progress: bool = True,
    randomise: bool = False,
) -> Path:
    """Render ``train`` + ``val`` images under ``out`` and write the ultralytics ``data.yaml``.

    Validation uses seed ``seed + 1``: never the same bays as training.
    ``crop``: keep one random ``crop``-pixel-wide window of each frame.
    ``shopper_rate``: share of frames with a shopper in front of the shelf.
    ``randomise``: the stronger domain randomisation trained beside real
    photos (:data:`simulators.camera.render.RANDOMISED`: grey frames,
    cluttered walls, stronger perspective, harsher light and noise).
    """
    from dataclasses import replace

    out = Path(out)
    parts = (("train", train, seed), ("val", val, seed + 1))
    for split, count, split_seed in parts:
        nuisance = replace(RANDOMISED, shopper_rate=shopper_rate) if randomise else Nuisance(shopper_rate=shopper_rate)
        frames = synthetic_frames(count, split_seed, size, nuisance=nuisance)
        if crop:
            frames = cropped(frames, crop, split_seed)
        if progress:
            from rich.progress import track

            frames = track(frames, total=count, description=f"render {split}")
        write_stills(frames, out / split)
    data = out / "data.yaml"
    names = "".join(f"  {i}: {n}\n" for i, n in enumerate(CLASS_NAMES))
    data.write_text(f"path: {out.resolve()}\ntrain: train/images\nval: val/images\nnames:\n{names}")
    return data
