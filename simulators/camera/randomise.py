"""Domain randomisation of the renders beyond light and noise: a tilted camera, a cluttered wall.

Used by :class:`simulators.camera.render.BayRenderer` when a
:class:`~simulators.camera.render.Nuisance` asks for them (``tilt``,
``background_rate``): renders that look less alike teach a detector that
has to work on real shelves too.
"""

from __future__ import annotations

import cv2
import numpy as np


def tilted(homography: np.ndarray, width: int, height: int, tilt: float, rng: np.random.Generator) -> np.ndarray:
    """``homography`` followed by a random extra perspective of up to ``tilt`` of the frame per corner."""
    src = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    jitter = rng.uniform(-tilt, tilt, (4, 2)) * np.float32([width, height])
    extra = cv2.getPerspectiveTransform(src, (src + jitter).astype(np.float32))
    return extra @ homography


def clutter(img: np.ndarray, rng: np.random.Generator) -> None:
    """A busy wall behind the bay (posters, tiles, other fixtures): rectangles and blobs of random colours."""
    h, w = img.shape[:2]
    for _ in range(int(rng.integers(8, 30))):
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        if rng.random() < 0.6:
            x1, y1 = x0 + int(rng.integers(10, w // 3)), y0 + int(rng.integers(10, h // 3))
            cv2.rectangle(img, (x0, y0), (x1, y1), colour, -1)
        else:
            cv2.circle(img, (x0, y0), int(rng.integers(5, h // 4)), colour, -1)
